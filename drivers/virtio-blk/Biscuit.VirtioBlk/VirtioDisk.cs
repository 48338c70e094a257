// A virtio block device (PCI 1af4:1001) through the legacy interface (Virtio 0.9.5 §2.1, "Virtio
// PCI"; I/O BAR 0), with many requests in flight: reset, ACKNOWLEDGE|DRIVER, the FLUSH feature if
// offered (Virtio 1.1 §5.2.3, VIRTIO_BLK_F_FLUSH, bit 9), one virtqueue in DMA memory (descriptors,
// available ring, then the used ring on the next page: Virtio 0.9.5 §2.3), DRIVER_OK.
//
// Requests are tagged: tag k owns descriptors DescriptorsPerTag·k .. +DescriptorsPerTag-1 and the 32
// bytes at headers + 32k (the 16-byte virtio_blk_req header, then the status byte the device writes).
// A read or write is the chain header → data → status, the data one descriptor per physically
// contiguous run (a slot is one run; pages a client lent, ReadInto, up to MaxSegments runs); a flush
// (§5.2.6) header → status. The caller's thread
// publishes its chain and waits; the interrupt thread (Run) drains the used ring and wakes the
// owners of the completed tags. The data never leaves the slots: the device DMAs into and out of
// the slot pages, which are granted to the client (KernelWindowGrant).
//
// Invariants (all under `gate`): a tag is either in `freeTags` or owned by exactly one waiting
// caller; `done[k]` is set only by the interrupt thread for an owned tag; availIndex counts chains
// published, usedSeen entries consumed.
using Biscuit.Block.Protocol;
using Biscuit.Lib.Kernel;

namespace Biscuit.VirtioBlk;

public sealed unsafe class VirtioDisk : IDiskQueue
{
    public const long RingsAddress = 0x7100_0000, HeadersAddress = 0x7180_0000, SlotsAddress = 0x7200_0000;
    public const int SlotCount = 16, BytesPerSlot = 64 * 1024, MaxTags = 64;
    // A direct read of at most 64 KiB at a 512-byte offset touches at most 17 pages.
    public const int MaxSegments = DirectWindow.MaxTransferBytes / DirectWindow.PageBytes + 1, DescriptorsPerTag = MaxSegments + 2;
    private const int HostFeatures = 0x00, GuestFeatures = 0x04, QueuePfn = 0x08, QueueSizeRegister = 0x0C, QueueSelect = 0x0E,
        QueueNotify = 0x10, DeviceStatus = 0x12, IsrStatus = 0x13, Capacity = 0x14;
    private const byte Acknowledge = 1, Driver = 2, DriverOk = 4, Failed = 128;
    private const ushort DescNext = 1, DescWrite = 2;
    private const uint RequestIn = 0, RequestOut = 1, RequestFlush = 4;   // virtio_blk_req.type
    private const uint FeatureFlush = 1u << 9;

    private readonly long ports;            // IoPorts capability of BAR 0
    private readonly ushort basePort;
    private readonly long irq;
    private readonly Notification interrupt;
    private readonly byte* ring = (byte*)RingsAddress;
    private readonly byte* headers = (byte*)HeadersAddress;
    private readonly ulong headersPhysical, slotsPhysical;
    private readonly int tags;

    private readonly object gate = new();
    private readonly Stack<int> freeTags;   // guarded by gate
    private readonly bool[] done;           // guarded by gate
    private ushort availIndex, usedSeen;    // guarded by gate
    private long interrupts;                // written by the interrupt thread only

    public long Sectors { get; }
    public bool CanFlush { get; }
    public int QueueSize { get; }
    public int MaxInFlight => tags;
    public int Slots => SlotCount;
    public int SlotBytes => BytesPerSlot;
    public long Interrupts => Volatile.Read(ref interrupts);

    private VirtioDisk(long ports, ushort basePort, long irq, Notification interrupt, int queueSize, ulong headersPhysical,
        ulong slotsPhysical, long sectors, bool canFlush)
    {
        this.ports = ports; this.basePort = basePort; this.irq = irq; this.interrupt = interrupt;
        this.headersPhysical = headersPhysical; this.slotsPhysical = slotsPhysical;
        QueueSize = queueSize; Sectors = sectors; CanFlush = canFlush;
        tags = Math.Min(MaxTags, queueSize / DescriptorsPerTag);
        freeTags = new Stack<int>(tags);
        for (int k = tags - 1; k >= 0; k--) freeTags.Push(k);
        done = new bool[tags];
    }

    private static int AvailOffset(int n) => 16 * n;
    private static int UsedOffset(int n) => (AvailOffset(n) + 6 + 2 * n + 4095) & ~4095;
    private static int RingBytes(int n) => (UsedOffset(n) + 6 + 8 * n + 4095) & ~4095;

    private long In(int offset, int width) => Syscalls.Invoke(SyscallNumbers.IoportRead, ports, basePort + offset, width);
    private void Out(int offset, int width, long value) => Syscalls.Invoke(SyscallNumbers.IoportWrite, ports, basePort + offset, width, value);

    /// <summary>Claims the first virtio-blk function on the PCI bus and starts it, or says why not.</summary>
    public static VirtioDisk? Open(Handle deviceManager, Notification interrupt, ulong bit, out string reason)
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
            if (n < 0) { reason = $"device_claim: {KernelErrors.FromResult(n).Symbol()}"; return null; }
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

    private static VirtioDisk? Start(long ports, ushort basePort, long irq, Notification interrupt, ulong bit, out string reason)
    {
        long Read(int o, int w) => Syscalls.Invoke(SyscallNumbers.IoportRead, ports, basePort + o, w);
        void Write(int o, int w, long v) => Syscalls.Invoke(SyscallNumbers.IoportWrite, ports, basePort + o, w, v);
        Write(DeviceStatus, 1, 0);                                     // reset (§2.2.1: also what a restarted driver needs)
        Write(DeviceStatus, 1, Acknowledge);
        Write(DeviceStatus, 1, Acknowledge | Driver);
        uint offered = (uint)Read(HostFeatures, 4);
        uint accepted = offered & FeatureFlush;                        // the only optional feature we use
        Write(GuestFeatures, 4, accepted);
        Write(QueueSelect, 2, 0);
        int size = (int)Read(QueueSizeRegister, 2);
        if (size < DescriptorsPerTag || size > 1024) { Write(DeviceStatus, 1, Failed); reason = $"queue 0 size {size}"; return null; }
        long ringPhysical = Syscalls.Invoke(SyscallNumbers.DmaAlloc, RingsAddress, RingBytes(size) / 4096);
        long headersPhysical = Syscalls.Invoke(SyscallNumbers.DmaAlloc, HeadersAddress, 1);
        long slotsPhysical = Syscalls.Invoke(SyscallNumbers.DmaAlloc, SlotsAddress, SlotCount * BytesPerSlot / 4096);
        if (ringPhysical < 0 || headersPhysical < 0 || slotsPhysical < 0)
        {
            Write(DeviceStatus, 1, Failed);
            reason = $"dma_alloc: {ringPhysical}, {headersPhysical}, {slotsPhysical}";
            return null;
        }
        Write(QueuePfn, 4, ringPhysical >> 12);
        long sectors = Read(Capacity, 4) | (Read(Capacity + 4, 4) << 32);
        long r = Syscalls.Invoke(SyscallNumbers.IrqBind, irq, interrupt.Handle.Value, (long)bit);
        if (r < 0) { Write(DeviceStatus, 1, Failed); reason = $"irq_bind: {KernelErrors.FromResult(r).Symbol()}"; return null; }
        Write(DeviceStatus, 1, Acknowledge | Driver | DriverOk);
        reason = "";
        return new VirtioDisk(ports, basePort, irq, interrupt, size, (ulong)headersPhysical, (ulong)slotsPhysical, sectors, accepted != 0);
    }

    public BlockStatus Transfer(bool write, int slot, long sector, int sectors)
    {
        Span<ulong> address = stackalloc ulong[1];
        Span<uint> length = stackalloc uint[1];
        address[0] = slotsPhysical + (ulong)slot * BytesPerSlot;
        length[0] = (uint)sectors * 512;
        return Submit(write ? RequestOut : RequestIn, sector, address, length);
    }

    public BlockStatus ReadInto(IDirectPin pages, long offset, long sector, int sectors)
    {
        Span<ulong> address = stackalloc ulong[MaxSegments];
        Span<uint> length = stackalloc uint[MaxSegments];
        int runs = 0;
        for (long at = offset, end = offset + (long)sectors * 512; at < end;)
        {
            int page = (int)(at / DirectWindow.PageBytes), inPage = (int)(at % DirectWindow.PageBytes);
            uint bytes = (uint)Math.Min(DirectWindow.PageBytes - inPage, end - at);
            ulong physical = pages.PhysicalPage(page) + (ulong)inPage;
            if (runs > 0 && address[runs - 1] + length[runs - 1] == physical) length[runs - 1] += bytes;   // contiguous: one run
            else
            {
                address[runs] = physical;
                length[runs] = bytes;
                runs++;
            }
            at += bytes;
        }
        return Submit(RequestIn, sector, address[..runs], length[..runs]);
    }

    public BlockStatus Flush() => CanFlush ? Submit(RequestFlush, 0, default, default) : BlockStatus.Done;

    // Publishes one chain under a free tag and waits for the interrupt thread to see it completed.
    private BlockStatus Submit(uint type, long sector, ReadOnlySpan<ulong> dataAddress, ReadOnlySpan<uint> dataLength)
    {
        int tag;
        byte status;
        lock (gate)
        {
            while (freeTags.Count == 0) Monitor.Wait(gate);
            tag = freeTags.Pop();
            done[tag] = false;
            byte* header = headers + 32 * tag;
            *(uint*)header = type;
            *(uint*)(header + 4) = 0;
            *(ulong*)(header + 8) = (ulong)sector;
            header[16] = 0xFF;
            ulong headerPhysical = headersPhysical + (ulong)(32 * tag);
            int d = DescriptorsPerTag * tag;
            Descriptor(d, headerPhysical, 16, DescNext, (ushort)(d + 1));
            ushort dataFlags = (ushort)(DescNext | (type == RequestOut ? 0 : DescWrite));
            for (int i = 0; i < dataAddress.Length; i++)
                Descriptor(d + 1 + i, dataAddress[i], dataLength[i], dataFlags, (ushort)(d + 2 + i));
            Descriptor(d + 1 + dataAddress.Length, headerPhysical + 16, 1, DescWrite, 0);
            ushort* avail = (ushort*)(ring + AvailOffset(QueueSize));
            avail[2 + availIndex % QueueSize] = (ushort)d;
            Thread.MemoryBarrier();
            avail[1] = ++availIndex;
            Thread.MemoryBarrier();
        }
        Out(QueueNotify, 2, 0);
        lock (gate)
        {
            while (!done[tag]) Monitor.Wait(gate);
            status = headers[32 * tag + 16];
            freeTags.Push(tag);
            Monitor.PulseAll(gate);
        }
        return status == 0 ? BlockStatus.Done : Failure(type, sector, status);
    }

    private static BlockStatus Failure(uint type, long sector, byte status) =>
        new(BlockErrno.IoError, $"virtio-blk: {(type == RequestFlush ? "flush" : $"sector {sector}")}: device status {status}");

    private void Descriptor(int i, ulong address, uint length, ushort flags, ushort next)
    {
        byte* d = ring + 16 * i;
        *(ulong*)d = address;
        *(uint*)(d + 8) = length;
        *(ushort*)(d + 12) = flags;
        *(ushort*)(d + 14) = next;
    }

    /// <summary>The interrupt thread: waits for the device's interrupt (and polls every 100 ms in
    /// case one is lost), acknowledges it (reading ISR), marks the completed chains' tags done, wakes
    /// their callers, then unmasks the line. Never returns.</summary>
    public void Run()
    {
        ushort* used = (ushort*)(ring + UsedOffset(QueueSize));
        uint* usedElements = (uint*)(ring + UsedOffset(QueueSize) + 4);
        while (true)
        {
            var bits = interrupt.Wait(100);
            bool fired = bits.IsOk && bits.Value != 0;
            if (fired)
            {
                interrupts++;
                _ = In(IsrStatus, 1);                                  // reading ISR acknowledges it
            }
            lock (gate)
            {
                bool any = false;
                while (Volatile.Read(ref used[1]) != usedSeen)
                {
                    uint head = usedElements[2 * (usedSeen % QueueSize)];   // vring_used_elem { id, len }
                    int tag = (int)(head / DescriptorsPerTag);
                    if (tag < tags) done[tag] = true;
                    usedSeen++;
                    any = true;
                }
                if (any) Monitor.PulseAll(gate);
            }
            if (fired) Syscalls.Invoke(SyscallNumbers.IrqAck, irq);
        }
    }

    /// <summary>Resets the device: it stops using the rings and slots (Virtio 0.9.5 §2.2.1).</summary>
    public void Reset() => Out(DeviceStatus, 1, 0);
}
