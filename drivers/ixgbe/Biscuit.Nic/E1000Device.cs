// One e1000 / e1000e NIC driven from ring 3 through kernel capabilities: the device claimed from
// the device manager (PCI 8086:10D3 e1000e, 8086:100E e1000), its registers mapped uncached, its
// rings in DMA memory, its interrupt line bound to a notification. Bring-up follows the 82574
// datasheet §4.6 (reset, link up, receive address, multicast table, rings, then enable).
// Invariants: registers are only touched through Read/Write (volatile 32-bit accesses); the
// interrupt is acknowledged (ICR read, irq_ack) only after the rings are serviced.
using Biscuit.Lib.Kernel;

namespace Biscuit.Nic;

public unsafe sealed class E1000Device
{
    public const ulong RegistersAddress = 0x6000_0000, RingsAddress = 0x7000_0000;

    private readonly byte* _registers;
    private readonly DescriptorRings _rings;
    private readonly long _irq;
    public ulong Mac { get; }
    public string Model { get; }
    public long FramesReceived, FramesSent, FramesDropped, Interrupts;   // written with the net server's lock held (StackHost.Gate); read without it for counters

    private E1000Device(byte* registers, DescriptorRings rings, long irq, ulong mac, string model)
    {
        _registers = registers;
        _rings = rings;
        _irq = irq;
        Mac = mac;
        Model = model;
    }

    private uint Read(int offset) => Volatile.Read(ref *(uint*)(_registers + offset));
    private void Write(int offset, uint value) => Volatile.Write(ref *(uint*)(_registers + offset), value);

    public bool LinkUp => (Read(E1000Registers.Status) & E1000Registers.StatusLinkUp) != 0;

    // Finds and claims the first supported NIC, maps it, sets it up, binds its interrupt to
    // `notification` (bit `bit`). Returns null with a reason when there is none or a step fails.
    public static E1000Device? Open(Handle deviceManager, Notification notification, ulong bit, out string reason)
    {
        var info = stackalloc byte[256];
        long count = Syscalls.Invoke(SyscallNumbers.PciInfo, 0, (long)info);
        for (long index = 0; index < count; index++)
        {
            Syscalls.Invoke(SyscallNumbers.PciInfo, index, (long)info);
            ushort vendor = *(ushort*)(info + 4), device = *(ushort*)(info + 6);
            string? model = vendor != 0x8086 ? null : device switch { 0x10D3 => "e1000e (82574L)", 0x100E => "e1000 (82540EM)", _ => null };
            if (model == null) continue;
            uint* handles = stackalloc uint[8];
            long n = Syscalls.Invoke(SyscallNumbers.DeviceClaim, deviceManager.Value, index, (long)handles, 8);
            if (n < 0) { reason = $"device_claim: {n}"; return null; }
            long mmio = -1, irq = -1;
            for (int i = 0; i < n; i++)
            {
                long type = Syscalls.Invoke(SyscallNumbers.HandleInfo, handles[i]) & 0xFF;
                if (type == 6 && mmio < 0) mmio = handles[i];      // the first memory BAR: the registers
                if (type == 5) irq = handles[i];
            }
            if (mmio < 0 || irq < 0) { reason = "the NIC has no register BAR or no interrupt line"; return null; }
            long r = Syscalls.Invoke(SyscallNumbers.MmioMap, mmio, (long)RegistersAddress);
            if (r < 0) { reason = $"mmio_map: {r}"; return null; }
            long pages = (DescriptorRings.TotalBytes + 4095) / 4096;
            long physical = Syscalls.Invoke(SyscallNumbers.DmaAlloc, (long)RingsAddress, pages);
            if (physical < 0) { reason = $"dma_alloc: {physical}"; return null; }
            var rings = new DescriptorRings((byte*)RingsAddress, (ulong)physical);
            var dev = new E1000Device((byte*)RegistersAddress, rings, irq, 0, model);
            ulong mac = dev.Reset();
            var ready = new E1000Device((byte*)RegistersAddress, rings, irq, mac, model);
            r = Syscalls.Invoke(SyscallNumbers.IrqBind, irq, notification.Handle.Value, (long)bit);
            if (r < 0) { reason = $"irq_bind: {r}"; return null; }
            ready.Write(E1000Registers.Ims, E1000Registers.IntRxTimer | E1000Registers.IntRxMinThreshold | E1000Registers.IntTxDone | E1000Registers.IntLinkChange);
            reason = "";
            return ready;
        }
        reason = "no e1000 or e1000e on the PCI bus";
        return null;
    }

    private ulong Reset()
    {
        Write(E1000Registers.Imc, 0xFFFF_FFFF);
        Write(E1000Registers.Ctrl, Read(E1000Registers.Ctrl) | E1000Registers.CtrlReset);
        for (int i = 0; i < 100 && (Read(E1000Registers.Ctrl) & E1000Registers.CtrlReset) != 0; i++) Syscalls.Sleep(1);
        Write(E1000Registers.Imc, 0xFFFF_FFFF);
        _ = Read(E1000Registers.Icr);
        Write(E1000Registers.Ctrl, Read(E1000Registers.Ctrl) | E1000Registers.CtrlSetLinkUp | E1000Registers.CtrlAutoSpeed);

        ulong mac = Read(E1000Registers.Ral0) | ((ulong)(Read(E1000Registers.Rah0) & 0xFFFF) << 32);
        Write(E1000Registers.Rah0, (uint)(mac >> 32) | E1000Registers.RahValid);
        for (int i = 0; i < 128; i++) Write(E1000Registers.Mta + 4 * i, 0);

        Write(E1000Registers.Rdbal, (uint)_rings.RxRingPhysical);
        Write(E1000Registers.Rdbah, (uint)(_rings.RxRingPhysical >> 32));
        Write(E1000Registers.Rdlen, DescriptorRings.Descriptors * DescriptorRings.DescriptorBytes);
        Write(E1000Registers.Rdh, 0);
        Write(E1000Registers.Rdt, (uint)_rings.RxTail);
        Write(E1000Registers.Rctl, E1000Registers.RctlEnable | E1000Registers.RctlBroadcast | E1000Registers.RctlStripCrc);

        Write(E1000Registers.Tdbal, (uint)_rings.TxRingPhysical);
        Write(E1000Registers.Tdbah, (uint)(_rings.TxRingPhysical >> 32));
        Write(E1000Registers.Tdlen, DescriptorRings.Descriptors * DescriptorRings.DescriptorBytes);
        Write(E1000Registers.Tdh, 0);
        Write(E1000Registers.Tdt, 0);
        Write(E1000Registers.Tipg, 0x0060_200A);
        Write(E1000Registers.Tctl, E1000Registers.TctlEnable | E1000Registers.TctlPadShort | E1000Registers.TctlCollisionThreshold | E1000Registers.TctlCollisionDistance);
        return mac;
    }

    public bool Transmit(ReadOnlySpan<byte> frame)
    {
        if (!_rings.Queue(frame)) { FramesDropped++; return false; }
        Write(E1000Registers.Tdt, (uint)_rings.TxTail);
        FramesSent++;
        return true;
    }

    // Services the device after an interrupt (or a timeout): frames to `deliver`, descriptors back,
    // TX completions reclaimed, interrupt acknowledged and the line unmasked.
    public void Service(Action<ReadOnlySpan<byte>> deliver, bool interrupted)
    {
        uint cause = Read(E1000Registers.Icr);          // reading ICR clears it
        int frames = _rings.Receive(deliver, out int dropped);
        FramesReceived += frames;
        FramesDropped += dropped;
        if (frames + dropped > 0) Write(E1000Registers.Rdt, (uint)_rings.RxTail);
        _rings.Reclaim();
        if (interrupted)
        {
            Interrupts++;
            Syscalls.Invoke(SyscallNumbers.IrqAck, _irq);
        }
        _ = cause;
    }
}
