// The boundary between the stack and the NIC below it. The stack calls Transmit with a complete
// Ethernet II frame (no preamble, no FCS); the frame span is only valid during the call, so a
// driver that queues frames must copy them. Owner: the server's event loop (single-threaded).
namespace Biscuit.Net;

public interface ILinkLayer
{
    /// <summary>The MAC address of the interface.</summary>
    MacAddress Mac { get; }

    /// <summary>The largest IP packet the link carries (1500 for Ethernet).</summary>
    int Mtu { get; }

    /// <summary>Sends one frame. The span must not be kept after the call returns.</summary>
    void Transmit(ReadOnlySpan<byte> frame);
}
