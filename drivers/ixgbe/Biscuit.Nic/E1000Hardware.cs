// One e1000 / e1000e NIC as the driver server drives it: claimed from the device manager (PCI
// 8086:10D3 e1000e, 8086:100E e1000), registers mapped uncached, descriptor rings and packet slots
// in DMA memory (rings at RingsAddress; RX slots, then TX slots, at SlotsAddress: the window granted
// to the client), interrupt line bound to a notification. Bring-up follows the 82574 datasheet §4.6
// (reset, link up, receive address, multicast table, rings, then enable); a reset at every start is
// also what a restarted driver needs (§4.6.1: the device forgets the dead instance's rings).
// Invariant: registers are only touched through Read/Write (volatile 32-bit accesses).
using Biscuit.Lib.Kernel;

namespace Biscuit.Nic;

public unsafe sealed class E1000Hardware : INicHardware
{
    public const ulong RegistersAddress = 0x6000_0000, RingsAddress = 0x7000_0000, SlotsAddress = 0x7100_0000;
    public const long RxSlotPages = (long)SlotRings.RxSlots * SlotRings.SlotBytes / 4096, TxSlotPages = (long)SlotRings.TxSlots * SlotRings.SlotBytes / 4096;

    private readonly byte* registers = (byte*)RegistersAddress;
    private readonly long irq;
    public ulong Mac { get; private set; }
    public string Model { get; }
    public SlotRings Rings { get; }

    private E1000Hardware(long irq, string model, SlotRings rings)
    {
        this.irq = irq;
        Model = model;
        Rings = rings;
    }

    private uint Read(int offset) => Volatile.Read(ref *(uint*)(registers + offset));
    private void Write(int offset, uint value) => Volatile.Write(ref *(uint*)(registers + offset), value);

    public bool LinkUp => (Read(E1000Registers.Status) & E1000Registers.StatusLinkUp) != 0;
    public uint ReadCause() => Read(E1000Registers.Icr);
    public void WriteRxTail(int tail) => Write(E1000Registers.Rdt, (uint)tail);
    public void WriteTxTail(int tail) => Write(E1000Registers.Tdt, (uint)tail);

    /// <summary>irq_ack: unmasks the line once the device has been serviced.</summary>
    public void AcknowledgeInterrupt() => Syscalls.Invoke(SyscallNumbers.IrqAck, irq);

    /// <summary>Finds, claims and resets the first supported NIC; binds its interrupt to
    /// `notification` bit `bit`. Interrupts stay masked until EnableInterrupts. Null with a reason.</summary>
    public static E1000Hardware? Open(Handle deviceManager, Notification notification, ulong bit, out string reason)
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
            if (n < 0) { reason = $"device_claim: {KernelErrors.FromResult(n).Symbol()}"; return null; }
            long mmio = -1, irq = -1;
            for (int i = 0; i < n; i++)
            {
                long type = Syscalls.Invoke(SyscallNumbers.HandleInfo, handles[i]) & 0xFF;
                if (type == 6 && mmio < 0) mmio = handles[i];      // the first memory BAR: the registers
                if (type == 5) irq = handles[i];
            }
            if (mmio < 0 || irq < 0) { reason = "the NIC has no register BAR or no interrupt line"; return null; }
            long r = Syscalls.Invoke(SyscallNumbers.MmioMap, mmio, (long)RegistersAddress);
            if (r < 0) { reason = $"mmio_map: {KernelErrors.FromResult(r).Symbol()}"; return null; }
            long ringsPhysical = Syscalls.Invoke(SyscallNumbers.DmaAlloc, (long)RingsAddress, (SlotRings.RingBytes + 4095) / 4096);
            long rxPhysical = Syscalls.Invoke(SyscallNumbers.DmaAlloc, (long)SlotsAddress, RxSlotPages);
            long txPhysical = Syscalls.Invoke(SyscallNumbers.DmaAlloc, (long)SlotsAddress + RxSlotPages * 4096, TxSlotPages);
            if (ringsPhysical < 0 || rxPhysical < 0 || txPhysical < 0) { reason = $"dma_alloc: {ringsPhysical}, {rxPhysical}, {txPhysical}"; return null; }
            var rings = new SlotRings((byte*)RingsAddress, (ulong)rxPhysical, (ulong)txPhysical);
            var nic = new E1000Hardware(irq, model, rings);
            nic.Reset((ulong)ringsPhysical);
            r = Syscalls.Invoke(SyscallNumbers.IrqBind, irq, notification.Handle.Value, (long)bit);
            if (r < 0) { reason = $"irq_bind: {KernelErrors.FromResult(r).Symbol()}"; return null; }
            reason = "";
            return nic;
        }
        reason = "no e1000 or e1000e on the PCI bus";
        return null;
    }

    private void Reset(ulong ringsPhysical)
    {
        Write(E1000Registers.Imc, 0xFFFF_FFFF);
        Write(E1000Registers.Ctrl, Read(E1000Registers.Ctrl) | E1000Registers.CtrlReset);
        for (int i = 0; i < 100 && (Read(E1000Registers.Ctrl) & E1000Registers.CtrlReset) != 0; i++) Syscalls.Sleep(1);
        Write(E1000Registers.Imc, 0xFFFF_FFFF);
        _ = Read(E1000Registers.Icr);
        Write(E1000Registers.Ctrl, Read(E1000Registers.Ctrl) | E1000Registers.CtrlSetLinkUp | E1000Registers.CtrlAutoSpeed);

        Mac = Read(E1000Registers.Ral0) | ((ulong)(Read(E1000Registers.Rah0) & 0xFFFF) << 32);
        Write(E1000Registers.Rah0, (uint)(Mac >> 32) | E1000Registers.RahValid);
        for (int i = 0; i < 128; i++) Write(E1000Registers.Mta + 4 * i, 0);

        ulong rx = ringsPhysical, tx = ringsPhysical + SlotRings.RxDescriptors * SlotRings.DescriptorBytes;
        Write(E1000Registers.Rdbal, (uint)rx);
        Write(E1000Registers.Rdbah, (uint)(rx >> 32));
        Write(E1000Registers.Rdlen, SlotRings.RxDescriptors * SlotRings.DescriptorBytes);
        Write(E1000Registers.Rdh, 0);
        Write(E1000Registers.Rdt, 0);
        Write(E1000Registers.Rctl, E1000Registers.RctlEnable | E1000Registers.RctlBroadcast | E1000Registers.RctlStripCrc);

        Write(E1000Registers.Tdbal, (uint)tx);
        Write(E1000Registers.Tdbah, (uint)(tx >> 32));
        Write(E1000Registers.Tdlen, SlotRings.TxDescriptors * SlotRings.DescriptorBytes);
        Write(E1000Registers.Tdh, 0);
        Write(E1000Registers.Tdt, 0);
        Write(E1000Registers.Tipg, 0x0060_200A);
        Write(E1000Registers.Tctl, E1000Registers.TctlEnable | E1000Registers.TctlPadShort | E1000Registers.TctlCollisionThreshold | E1000Registers.TctlCollisionDistance);
    }

    /// <summary>Unmasks the causes the driver serves: RX timer and threshold, TX done, link change.</summary>
    public void EnableInterrupts() =>
        Write(E1000Registers.Ims, E1000Registers.IntRxTimer | E1000Registers.IntRxMinThreshold | E1000Registers.IntTxDone | E1000Registers.IntLinkChange);
}
