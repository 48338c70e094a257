// The e1000 (82540EM) and e1000e (82574L) as the driver brings them up and serves them, over their
// registers (IRegisterFile) and the descriptor-ring core (SlotRings with legacy descriptors).
// Bring-up follows the 82574 datasheet §4.6 and the 8254x manual §14 (the same steps): mask
// interrupts, reset (CTRL.RST, self-clearing), set link up, receive address from RAL0/RAH0 (loaded
// from the EEPROM at reset), clear the multicast table, program the rings, enable RX and TX; the
// interrupts are unmasked last (EnableInterrupts). A reset at every start is also what a restarted
// driver needs (§4.6.1: the device forgets the dead instance's rings).
//
// What differs between the two models for this driver (8254x §13 against 82574 §10): nothing in the
// registers and bits it uses (E1000Registers) nor in the legacy descriptors; the e1000 has no
// MSI-X, no extended or packet-split descriptors and reports 82540EM in the model name. Both are
// served the same way; tests/Biscuit.Boot.Tests boots each under QEMU.
// Invariant: registers are touched only through `registers`; the tails only under NicService's gate.
namespace Biscuit.Nic;

public sealed class E1000Hardware(IRegisterFile registers, string model, DeviceClock clock) : INicDevice
{
    public const int ResetTimeoutMs = 100;
    public ulong Mac { get; private set; }
    public string Model => model;
    public DescriptorFormat Format => DescriptorFormat.Legacy;

    public bool LinkUp => (registers.Read(E1000Registers.Status) & E1000Registers.StatusLinkUp) != 0;

    /// <summary>ICR is read-to-clear (82574 §10.2.4.1, 8254x §13.4.17).</summary>
    public uint ReadCause() => registers.Read(E1000Registers.Icr);
    public void WriteRxTail(int tail) => registers.Write(E1000Registers.Rdt, (uint)tail);
    public void WriteTxTail(int tail) => registers.Write(E1000Registers.Tdt, (uint)tail);

    public string? Initialize(ulong ringsPhysical)
    {
        registers.Write(E1000Registers.Imc, 0xFFFF_FFFF);
        registers.Write(E1000Registers.Ctrl, registers.Read(E1000Registers.Ctrl) | E1000Registers.CtrlReset);
        if (!clock.Until(() => (registers.Read(E1000Registers.Ctrl) & E1000Registers.CtrlReset) == 0, ResetTimeoutMs))
            return $"{model}: CTRL.RST still set {ResetTimeoutMs} ms after the reset";
        registers.Write(E1000Registers.Imc, 0xFFFF_FFFF);
        _ = registers.Read(E1000Registers.Icr);
        registers.Write(E1000Registers.Ctrl, registers.Read(E1000Registers.Ctrl) | E1000Registers.CtrlSetLinkUp | E1000Registers.CtrlAutoSpeed);

        Mac = registers.Read(E1000Registers.Ral0) | ((ulong)(registers.Read(E1000Registers.Rah0) & 0xFFFF) << 32);
        registers.Write(E1000Registers.Rah0, (uint)(Mac >> 32) | E1000Registers.RahValid);
        for (int i = 0; i < 128; i++) registers.Write(E1000Registers.Mta + 4 * i, 0);

        ulong rx = ringsPhysical, tx = ringsPhysical + SlotRings.RxDescriptors * SlotRings.DescriptorBytes;
        registers.Write(E1000Registers.Rdbal, (uint)rx);
        registers.Write(E1000Registers.Rdbah, (uint)(rx >> 32));
        registers.Write(E1000Registers.Rdlen, SlotRings.RxDescriptors * SlotRings.DescriptorBytes);
        registers.Write(E1000Registers.Rdh, 0);
        registers.Write(E1000Registers.Rdt, 0);
        registers.Write(E1000Registers.Rctl, E1000Registers.RctlEnable | E1000Registers.RctlBroadcast | E1000Registers.RctlStripCrc);

        registers.Write(E1000Registers.Tdbal, (uint)tx);
        registers.Write(E1000Registers.Tdbah, (uint)(tx >> 32));
        registers.Write(E1000Registers.Tdlen, SlotRings.TxDescriptors * SlotRings.DescriptorBytes);
        registers.Write(E1000Registers.Tdh, 0);
        registers.Write(E1000Registers.Tdt, 0);
        registers.Write(E1000Registers.Tipg, E1000Registers.TipgCopper);
        registers.Write(E1000Registers.Tctl, E1000Registers.TctlEnable | E1000Registers.TctlPadShort | E1000Registers.TctlCollisionThreshold | E1000Registers.TctlCollisionDistance);
        return null;
    }

    /// <summary>Unmasks the causes the driver serves: RX timer and threshold, TX done, link change.</summary>
    public void EnableInterrupts() =>
        registers.Write(E1000Registers.Ims, E1000Registers.IntRxTimer | E1000Registers.IntRxMinThreshold | E1000Registers.IntTxDone | E1000Registers.IntLinkChange);
}
