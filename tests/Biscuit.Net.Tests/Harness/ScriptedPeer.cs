// A remote host scripted by a test: it owns a stack under test (10.0.0.2) on a capturing link, speaks
// to it as 10.0.0.1, and reads back what the stack sent. The clock is the test's: Advance(ms) ticks it.
namespace Biscuit.Net.Tests.Harness;

internal sealed class ScriptedPeer
{
    public static readonly Ipv4Address PeerIp = Ipv4Address.Parse("10.0.0.1");
    public static readonly Ipv4Address StackIp = Ipv4Address.Parse("10.0.0.2");
    public static readonly MacAddress PeerMac = MacAddress.Parse("02:00:00:00:00:01");
    public static readonly MacAddress StackMac = MacAddress.Parse("02:00:00:00:00:02");

    public readonly CapturingLink Link;
    public readonly NetStack Stack;
    public long Now;

    public ScriptedPeer(Action<NetStackOptions>? configure = null, int mtu = 1500, bool resolveArp = true)
    {
        var o = new NetStackOptions { Address = StackIp, PrefixLength = 24, Gateway = Ipv4Address.Parse("10.0.0.254") };
        configure?.Invoke(o);
        Link = new CapturingLink(StackMac, mtu);
        Stack = new NetStack(Link, o, 0);
        if (resolveArp)
        {
            // The peer asks for our address first, so the stack learns the peer's MAC (RFC 826 merge).
            Stack.Receive(FrameBuilder.Ethernet(MacAddress.Broadcast, PeerMac, Ethernet.TypeArp,
                FrameBuilder.Arp(1, PeerMac, PeerIp, MacAddress.Zero, StackIp)));
            Link.Take();
        }
    }

    public void Advance(long ms) { Now += ms; Stack.Tick(Now); }
    public void AdvanceTo(long t) { Now = t; Stack.Tick(Now); }

    public void SendIp(byte protocol, byte[] payload) =>
        Stack.Receive(FrameBuilder.Ethernet(StackMac, PeerMac, Ethernet.TypeIpv4, FrameBuilder.Ipv4(PeerIp, StackIp, protocol, payload)));

    public void SendTcp(ushort sp, ushort dp, uint seq, uint ack, TcpFlags flags, ushort window = 65535, byte[]? data = null,
        int mss = 0, int windowScale = -1, bool sackPermitted = false) =>
        SendIp(6, FrameBuilder.Tcp(PeerIp, StackIp, sp, dp, seq, ack, flags, window, data ?? [], mss, windowScale, sackPermitted: sackPermitted));

    /// <summary>The TCP segments the stack sent. Like a real host, the peer answers the stack's ARP
    /// requests for its address on the way, which releases the packets that waited for it.</summary>
    public List<OutSegment> TakeTcp()
    {
        var result = new List<OutSegment>();
        for (var frames = Link.Take(); frames.Count > 0; frames = Link.Take())
        {
            foreach (var f in frames)
            {
                if (Ethernet.EtherType(f) == Ethernet.TypeArp && f[14 + 7] == 1 && Ipv4Address.Read(f.AsSpan(14 + 24)) == PeerIp)
                    Stack.Receive(FrameBuilder.Ethernet(StackMac, PeerMac, Ethernet.TypeArp, FrameBuilder.Arp(2, PeerMac, PeerIp, StackMac, StackIp)));
                else if (FrameBuilder.ParseTcp(f) is { } seg) result.Add(seg);
            }
        }
        return result;
    }

    public OutSegment TakeSingleTcp()
    {
        var all = TakeTcp();
        Assert.True(all.Count == 1, $"expected one segment, got {all.Count}: {string.Join("; ", all)}");
        return all[0];
    }
}
