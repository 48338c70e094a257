// Finding and claiming the NIC on Biscuit (the part of the driver that is not the device's): the
// first supported Intel NIC on the PCI bus is claimed from the device manager, its register BAR
// mapped uncached at RegistersAddress, the descriptor rings and packet slots allocated in DMA
// memory (rings at RingsAddress; RX slots, then TX slots, at SlotsAddress: the window granted to the
// client), the model's hardware class made over the registers and initialised, and the interrupt
// line bound to a notification (masked until the caller's EnableInterrupts).
// Supported (PCI vendor 8086): e1000e 82574L 10D3 and e1000 82540EM 100E (QEMU 7.2 emulates both);
// 82599 10FB (SFP+), 10F7 (KX4), 1514 (KX4 mezzanine), 1517 (KR), 10F9 (CX4), 151C (10GBASE-T),
// 1529/152A (FCoE) — QEMU has no 82599, so that path is host-tested only (Ixgbe82599Tests).
using Biscuit.Lib.Kernel;

namespace Biscuit.Nic;

public unsafe sealed class PciNic
{
    public const ulong RegistersAddress = 0x6000_0000, RingsAddress = 0x7000_0000, SlotsAddress = 0x7100_0000;
    public const long RxSlotPages = (long)SlotRings.RxSlots * SlotRings.SlotBytes / 4096, TxSlotPages = (long)SlotRings.TxSlots * SlotRings.SlotBytes / 4096;

    private readonly long irq;
    public INicDevice Device { get; }
    public SlotRings Rings { get; }

    private PciNic(long irq, INicDevice device, SlotRings rings)
    {
        this.irq = irq;
        Device = device;
        Rings = rings;
    }

    /// <summary>The model name and register map of a supported device id; null for any other.</summary>
    public static string? ModelOf(ushort vendor, ushort device) => vendor != 0x8086 ? null : device switch
    {
        0x10D3 => "e1000e (82574L)",
        0x100E => "e1000 (82540EM)",
        0x10FB or 0x10F7 or 0x1514 or 0x1517 or 0x10F9 or 0x151C or 0x1529 or 0x152A => "ixgbe (82599)",
        _ => null,
    };

    /// <summary>irq_ack: unmasks the line once the device has been serviced.</summary>
    public void AcknowledgeInterrupt() => Syscalls.Invoke(SyscallNumbers.IrqAck, irq);

    /// <summary>Finds, claims and initialises the first supported NIC; binds its interrupt to
    /// `notification` bit `bit`. Null with a reason.</summary>
    public static PciNic? Open(Handle deviceManager, Notification notification, ulong bit, out string reason)
    {
        var info = stackalloc byte[256];
        long count = Syscalls.Invoke(SyscallNumbers.PciInfo, 0, (long)info);
        for (long index = 0; index < count; index++)
        {
            Syscalls.Invoke(SyscallNumbers.PciInfo, index, (long)info);
            string? model = ModelOf(*(ushort*)(info + 4), *(ushort*)(info + 6));
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

            var registers = new MmioRegisters((byte*)RegistersAddress);
            var clock = new DeviceClock(ms => Syscalls.Sleep((ulong)ms));
            INicDevice device = model.StartsWith("ixgbe", StringComparison.Ordinal)
                ? new Ixgbe82599Hardware(registers, clock)
                : new E1000Hardware(registers, model, clock);
            var rings = new SlotRings((byte*)RingsAddress, (ulong)rxPhysical, (ulong)txPhysical, device.Format);
            string? failed = device.Initialize((ulong)ringsPhysical);
            if (failed != null) { reason = failed; return null; }
            r = Syscalls.Invoke(SyscallNumbers.IrqBind, irq, notification.Handle.Value, (long)bit);
            if (r < 0) { reason = $"irq_bind: {KernelErrors.FromResult(r).Symbol()}"; return null; }
            reason = "";
            return new PciNic(irq, device, rings);
        }
        reason = "no supported Intel NIC (e1000, e1000e, 82599) on the PCI bus";
        return null;
    }
}
