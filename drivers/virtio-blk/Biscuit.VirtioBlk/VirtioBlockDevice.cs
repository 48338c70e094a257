// A virtio block device (PCI 1af4:1001), driven through the legacy interface (Virtio 0.9.5 §2.1,
// "Virtio PCI"; I/O BAR 0): reset, ACKNOWLEDGE|DRIVER, the FLUSH feature if the device offers it
// (Virtio 1.1 §5.2.3, VIRTIO_BLK_F_FLUSH, bit 9; called WCE in legacy headers), one virtqueue laid out in DMA
// memory (descriptors, available ring, then the used ring on the next page), DRIVER_OK. A request
// is a 3-descriptor chain — header (type, sector), data, status byte — published in the available
// ring and announced by a write to QUEUE_NOTIFY; completion shows in the used ring (the interrupt
// only wakes the driver). A flush (§5.2.6, VIRTIO_BLK_T_FLUSH) is a 2-descriptor chain: header, status.
// One request in flight at a time for now (see drivers/virtio-blk/README.md).
// It is the fs library's IBlockDevice, block = the device's 512-byte sector.
using Biscuit.Fs;
using Biscuit.Lib.Kernel;

namespace Biscuit.VirtioBlk;

public unsafe sealed class VirtioBlockDevice : IBlockDevice
{
    public const ulong RingsAddress = 0x7100_0000;
    private const int HostFeatures = 0x00, GuestFeatures = 0x04, QueuePfn = 0x08, QueueSize = 0x0C, QueueSelect = 0x0E,
        QueueNotify = 0x10, DeviceStatus = 0x12, IsrStatus = 0x13, Capacity = 0x14;
    private const byte Acknowledge = 1, Driver = 2, DriverOk = 4, Failed = 128;
    private const ushort DescNext = 1, DescWrite = 2;
    private const int MaxTransfer = 64 * 1024;
    private const uint RequestIn = 0, RequestOut = 1, RequestFlush = 4;   // virtio_blk_req.type
    private const uint FeatureFlush = 1u << 9;

    private readonly long _ports;          // IoPorts capability of BAR 0
    private readonly ushort _base;
    private readonly byte* _ring;          // virtqueue: descriptors | avail | (page) used
    private readonly ulong _ringPhysical;
    private readonly int _queueSize;
    private readonly byte* _buffer;        // header (16) | status (1) ... | data (MaxTransfer), page aligned
    private readonly ulong _bufferPhysical;
    private ushort _availIndex, _usedSeen;
    private readonly Notification _interrupt;
    private readonly long _irq;

    public int BlockSize => 512;
    public long BlockCount { get; }
    public long Requests, Interrupts;

    /// <summary>The device offered the FLUSH feature and we took it: Flush reaches the host's storage.</summary>
    public bool CanFlush { get; }

    private VirtioBlockDevice(long ports, ushort basePort, long irq, Notification interrupt, int queueSize, ulong ringPhysical, ulong bufferPhysical, long sectors,
        bool canFlush)
    {
        CanFlush = canFlush;
        _ports = ports; _base = basePort; _irq = irq; _interrupt = interrupt; _queueSize = queueSize;
        _ring = (byte*)RingsAddress; _ringPhysical = ringPhysical;
        _buffer = (byte*)RingsAddress + RingBytes(queueSize); _bufferPhysical = bufferPhysical + (ulong)RingBytes(queueSize);
        BlockCount = sectors;
    }

    private static int AvailOffset(int n) => 16 * n;
    private static int UsedOffset(int n) => (AvailOffset(n) + 6 + 2 * n + 4095) & ~4095;
    private static int RingBytes(int n) => (UsedOffset(n) + 6 + 8 * n + 4095) & ~4095;

    private long In(int offset, int width) => Syscalls.Invoke(SyscallNumbers.IoportRead, _ports, _base + offset, width);
    private void Out(int offset, int width, long value) => Syscalls.Invoke(SyscallNumbers.IoportWrite, _ports, _base + offset, width, value);

    public static VirtioBlockDevice? Open(Handle deviceManager, Notification interrupt, ulong bit, out string reason)
    {
        var info = stackalloc byte[256];
        long count = Syscalls.Invoke(SyscallNumbers.PciInfo, 0, (long)info);
        for (long index = 0; index < count; index++)
        {
            Syscalls.Invoke(SyscallNumbers.PciInfo, index, (long)info);
            if (*(ushort*)(info + 4) != 0x1AF4 || *(ushort*)(info + 6) != 0x1001) continue;
            ushort basePort = (ushort)*(ulong*)(info + 16);            // BarBase[0]
            uint* handles = stackalloc uint[8];
            long n = Syscalls.Invoke(SyscallNumbers.DeviceClaim, deviceManager.Value, index, (long)handles, 8);
            if (n < 0) { reason = $"device_claim: {n}"; return null; }
            long ports = -1, irq = -1;
            for (int i = 0; i < n; i++)
            {
                long type = Syscalls.Invoke(SyscallNumbers.HandleInfo, handles[i]) & 0xFF;
                if (type == 7 && ports < 0) ports = handles[i];
                if (type == 5) irq = handles[i];
            }
            if (ports < 0 || irq < 0) { reason = "virtio-blk without an I/O BAR or an interrupt (is it in modern-only mode?)"; return null; }
            return Start(ports, basePort, irq, interrupt, bit, out reason);
        }
        reason = "no virtio block device (1af4:1001) on the PCI bus";
        return null;
    }

    private static VirtioBlockDevice? Start(long ports, ushort basePort, long irq, Notification interrupt, ulong bit, out string reason)
    {
        long Read(int o, int w) => Syscalls.Invoke(SyscallNumbers.IoportRead, ports, basePort + o, w);
        void Write(int o, int w, long v) => Syscalls.Invoke(SyscallNumbers.IoportWrite, ports, basePort + o, w, v);
        Write(DeviceStatus, 1, 0);                                     // reset
        Write(DeviceStatus, 1, Acknowledge);
        Write(DeviceStatus, 1, Acknowledge | Driver);
        uint offered = (uint)Read(HostFeatures, 4);
        uint accepted = offered & FeatureFlush;                        // the only optional feature we use
        Write(GuestFeatures, 4, accepted);
        Write(QueueSelect, 2, 0);
        int size = (int)Read(QueueSize, 2);
        if (size <= 0 || size > 1024) { Write(DeviceStatus, 1, Failed); reason = $"queue 0 size {size}"; return null; }
        int pages = (RingBytes(size) + 4096 + MaxTransfer) / 4096;
        long physical = Syscalls.Invoke(SyscallNumbers.DmaAlloc, (long)RingsAddress, pages);
        if (physical < 0) { reason = $"dma_alloc: {physical}"; return null; }
        Write(QueuePfn, 4, physical >> 12);
        long sectors = Read(Capacity, 4) | (Read(Capacity + 4, 4) << 32);
        long r = Syscalls.Invoke(SyscallNumbers.IrqBind, irq, interrupt.Handle.Value, (long)bit);
        if (r < 0) { reason = $"irq_bind: {r}"; return null; }
        Write(DeviceStatus, 1, Acknowledge | Driver | DriverOk);
        reason = "";
        return new VirtioBlockDevice(ports, basePort, irq, interrupt, size, (ulong)physical, (ulong)physical, sectors, accepted != 0);
    }

    // One request: header, then (unless a flush) `bytes` of data at the buffer's data page, then status.
    private void Transfer(uint type, long sector, int bytes)
    {
        byte* header = _buffer, status = _buffer + 16;
        *(uint*)header = type;
        *(uint*)(header + 4) = 0;
        *(ulong*)(header + 8) = (ulong)sector;
        *status = 0xFF;
        Descriptor(0, _bufferPhysical, 16, DescNext, 1);
        if (type == RequestFlush)
        {
            Descriptor(1, _bufferPhysical + 16, 1, DescWrite, 0);
        }
        else
        {
            Descriptor(1, _bufferPhysical + 4096, (uint)bytes, (ushort)(DescNext | (type == RequestOut ? 0 : DescWrite)), 2);
            Descriptor(2, _bufferPhysical + 16, 1, DescWrite, 0);
        }
        ushort* avail = (ushort*)(_ring + AvailOffset(_queueSize));
        avail[2 + _availIndex % _queueSize] = 0;                      // chain head: descriptor 0
        Thread.MemoryBarrier();
        avail[1] = ++_availIndex;
        Thread.MemoryBarrier();
        Out(QueueNotify, 2, 0);
        ushort* used = (ushort*)(_ring + UsedOffset(_queueSize));
        while (Volatile.Read(ref used[1]) == _usedSeen)
        {
            var bits = _interrupt.Wait(100);
            if (bits.IsOk && bits.Value != 0)
            {
                Interrupts++;
                _ = In(IsrStatus, 1);                                  // reading ISR acknowledges it
                Syscalls.Invoke(SyscallNumbers.IrqAck, _irq);
            }
        }
        _usedSeen++;
        Requests++;
        if (*status != 0) throw new FsException(FsError.EIO, $"virtio-blk: sector {sector}: status {*status}");
    }

    private void Descriptor(int i, ulong address, uint length, ushort flags, ushort next)
    {
        byte* d = _ring + 16 * i;
        *(ulong*)d = address;
        *(uint*)(d + 8) = length;
        *(ushort*)(d + 12) = flags;
        *(ushort*)(d + 14) = next;
    }

    public void ReadBlocks(long firstBlock, Span<byte> destination)
    {
        for (int done = 0; done < destination.Length;)
        {
            int bytes = Math.Min(MaxTransfer, destination.Length - done);
            Transfer(RequestIn, firstBlock + done / 512, bytes);
            new ReadOnlySpan<byte>(_buffer + 4096, bytes).CopyTo(destination[done..]);
            done += bytes;
        }
    }

    public void WriteBlocks(long firstBlock, ReadOnlySpan<byte> source)
    {
        for (int done = 0; done < source.Length;)
        {
            int bytes = Math.Min(MaxTransfer, source.Length - done);
            source.Slice(done, bytes).CopyTo(new Span<byte>(_buffer + 4096, bytes));
            Transfer(RequestOut, firstBlock + done / 512, bytes);
            done += bytes;
        }
    }

    /// <summary>Asks the device to make every completed write durable (VIRTIO_BLK_T_FLUSH). A device
    /// without the FLUSH feature has no volatile cache to flush (Virtio 1.1 §5.2.6.2): nothing to do.</summary>
    public void Flush()
    {
        if (CanFlush) Transfer(RequestFlush, 0, 0);
    }

    public void Dispose() => Out(DeviceStatus, 1, 0);
}
