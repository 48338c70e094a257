// The stack's view of the NIC: the MAC address the driver read, the Ethernet MTU, and transmit,
// which copies the frame into the driver's DMA ring (it never allocates and never blocks).
using Biscuit.Net;
using Biscuit.Nic;

sealed class NicLink(E1000Device nic) : ILinkLayer
{
    public MacAddress Mac { get; } = new(Enumerable.Range(0, 6).Aggregate(0UL, (v, i) => v | ((nic.Mac >> (8 * i)) & 0xFF) << (40 - 8 * i)));
    public int Mtu => 1500;
    public void Transmit(ReadOnlySpan<byte> frame) => nic.Transmit(frame);
}
