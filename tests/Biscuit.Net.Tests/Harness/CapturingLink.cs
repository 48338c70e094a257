// A link layer that records every frame the stack transmits, for scripted unit tests.
namespace Biscuit.Net.Tests.Harness;

internal sealed class CapturingLink(MacAddress mac, int mtu = 1500) : ILinkLayer
{
    public readonly List<byte[]> Frames = new();
    public MacAddress Mac => mac;
    public int Mtu => mtu;
    public void Transmit(ReadOnlySpan<byte> frame) => Frames.Add(frame.ToArray());

    public List<byte[]> Take()
    {
        var f = new List<byte[]>(Frames);
        Frames.Clear();
        return f;
    }
}
