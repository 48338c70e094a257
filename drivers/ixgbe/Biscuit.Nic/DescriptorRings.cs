// The receive and transmit rings of one NIC, in DMA memory the kernel gave (physically contiguous,
// physical address known): N legacy 16-byte descriptors per ring, each pointing at a 2 KiB packet
// buffer in the same allocation. Invariants (82574 datasheet §7.1/§7.2): the device owns RX
// descriptors from RDH up to RDT (exclusive) and hands them back with the DD bit; the driver owns
// TX descriptors from TDT to TDH and reclaims those the device marked DD.
// Pure data-structure code over a memory block: the same code runs against a fake device in tests.
using System.Runtime.InteropServices;

namespace Biscuit.Nic;

public unsafe sealed class DescriptorRings
{
    public const int Descriptors = 64, BufferBytes = 2048, DescriptorBytes = 16;

    private readonly byte* _memory;        // [RX descs][TX descs][RX buffers][TX buffers]
    private readonly ulong _physical;
    private int _rxNext;                   // next RX descriptor the driver looks at
    private int _txNext;                   // next TX descriptor to fill
    private int _txClean;                  // oldest TX descriptor not yet reclaimed

    public static int TotalBytes => 2 * Descriptors * DescriptorBytes + 2 * Descriptors * BufferBytes;

    public DescriptorRings(byte* memory, ulong physical)
    {
        _memory = memory;
        _physical = physical;
        for (int i = 0; i < Descriptors; i++)
        {
            *(ulong*)RxDescriptor(i) = _physical + (ulong)RxBufferOffset(i);
            *(ulong*)TxDescriptor(i) = _physical + (ulong)TxBufferOffset(i);
        }
    }

    public ulong RxRingPhysical => _physical;
    public ulong TxRingPhysical => _physical + Descriptors * DescriptorBytes;
    public int RxTail => (_rxNext + Descriptors - 1) % Descriptors;   // give all but one to the device
    public int TxTail => _txNext;
    public int TxInFlight => (_txNext - _txClean + Descriptors) % Descriptors;

    private byte* RxDescriptor(int i) => _memory + i * DescriptorBytes;
    private byte* TxDescriptor(int i) => _memory + (Descriptors + i) * DescriptorBytes;
    private static int RxBufferOffset(int i) => 2 * Descriptors * DescriptorBytes + i * BufferBytes;
    private static int TxBufferOffset(int i) => 2 * Descriptors * DescriptorBytes + (Descriptors + i) * BufferBytes;

    // Hands every frame the device finished to `deliver`, then returns their descriptors to it.
    // Returns the number of frames; frames with errors or spanning descriptors are dropped.
    public int Receive(Action<ReadOnlySpan<byte>> deliver, out int dropped)
    {
        int frames = 0;
        dropped = 0;
        while (true)
        {
            byte* d = RxDescriptor(_rxNext);
            byte status = d[12];
            if ((status & E1000Registers.RxDone) == 0) break;
            ushort length = *(ushort*)(d + 8);
            byte errors = d[13];
            if ((status & E1000Registers.RxEndOfPacket) != 0 && errors == 0 && length <= BufferBytes)
            {
                deliver(new ReadOnlySpan<byte>(_memory + RxBufferOffset(_rxNext), length));
                frames++;
            }
            else dropped++;
            d[12] = 0;
            _rxNext = (_rxNext + 1) % Descriptors;
        }
        return frames;
    }

    // Copies a frame into the next TX buffer; false when the ring is full (the caller drops it and
    // counts, never waits: the stack retransmits what matters).
    public bool Queue(ReadOnlySpan<byte> frame)
    {
        Reclaim();
        if (frame.Length > BufferBytes || TxInFlight == Descriptors - 1) return false;
        frame.CopyTo(new Span<byte>(_memory + TxBufferOffset(_txNext), frame.Length));
        byte* d = TxDescriptor(_txNext);
        *(ushort*)(d + 8) = (ushort)frame.Length;
        d[11] = E1000Registers.TxEndOfPacket | E1000Registers.TxInsertCrc | E1000Registers.TxReportStatus;
        d[12] = 0;
        _txNext = (_txNext + 1) % Descriptors;
        return true;
    }

    // TX completion: descriptors the device marked done become free again.
    public int Reclaim()
    {
        int n = 0;
        while (_txClean != _txNext && (TxDescriptor(_txClean)[12] & E1000Registers.TxDone) != 0)
        {
            _txClean = (_txClean + 1) % Descriptors;
            n++;
        }
        return n;
    }
}
