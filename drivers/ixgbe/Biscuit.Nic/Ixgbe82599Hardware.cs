// The 82599 as the driver brings it up and serves it, over its registers (IRegisterFile) and the
// descriptor-ring core (SlotRings with advanced descriptors, AdvancedDescriptors). One RX and one TX
// queue (queue 0 of each), interrupts through IVAR to EICR bits 0 (RX) and 1 (TX), link change bit 20.
// Bring-up (82599 datasheet §4.6.3 initialization sequence): mask interrupts (EIMC), global reset
// (CTRL.RST | CTRL.LNK_RST, self-clearing; then 10 ms, §4.6.3.2), mask again, wait for the EEPROM
// auto-read (EEC.ARD) and the DMA init (RDRXCTL.DMAIDONE), restart auto-negotiation (AUTOC, §4.6.4,
// the link mode the EEPROM loaded is kept), MAC from RAL(0)/RAH(0), clear the multicast table;
// receive (§4.6.7): broadcast accept, CRC strip, ring, SRRCTL advanced one buffer of 2 KiB (drop
// when no descriptor), RXDCTL.ENABLE (polled until set), then RXCTRL.RXEN; transmit (§4.6.8): CRC
// insert and pad, ring, DMATXCTL.TE, then TXDCTL.ENABLE (polled). Interrupts are unmasked last.
// Not done: DCB and flow-director settings stay at their reset values (one traffic class), no RSS,
// MSI-X or interrupt moderation (EITR), no SFP module identification (the EEPROM's link mode is
// used as it is). QEMU has no 82599: this class is tested on the host against a model only.
// Invariant: registers are touched only through `registers`; the tails only under NicService's gate.
using static Biscuit.Nic.Ixgbe82599Registers;

namespace Biscuit.Nic;

public sealed class Ixgbe82599Hardware(IRegisterFile registers, DeviceClock clock) : INicDevice
{
    public const int ResetTimeoutMs = 100, EnableTimeoutMs = 10;
    public const int SlotKiB = SlotRings.SlotBytes / 1024;
    public ulong Mac { get; private set; }
    public string Model => "ixgbe (82599)";
    public DescriptorFormat Format => DescriptorFormat.Advanced;

    public bool LinkUp => (registers.Read(Links) & LinksUp) != 0;

    /// <summary>EICR: read the causes, then write them back (write 1 clears, §8.2.3.5.1; with
    /// legacy and MSI interrupts the read has cleared them already).</summary>
    public uint ReadCause()
    {
        uint cause = registers.Read(Eicr);
        if (cause != 0) registers.Write(Eicr, cause);
        return cause;
    }

    public void WriteRxTail(int tail) => registers.Write(Rdt0, (uint)tail);
    public void WriteTxTail(int tail) => registers.Write(Tdt0, (uint)tail);

    public string? Initialize(ulong ringsPhysical)
    {
        registers.Write(Eimc, MaskAll);
        registers.Write(Ctrl, registers.Read(Ctrl) | CtrlLinkReset | CtrlReset);
        if (!clock.Until(() => (registers.Read(Ctrl) & (CtrlLinkReset | CtrlReset)) == 0, ResetTimeoutMs))
            return $"82599: CTRL.RST still set {ResetTimeoutMs} ms after the reset";
        clock.Sleep(10);
        registers.Write(Eimc, MaskAll);
        if (!clock.Until(() => (registers.Read(Eec) & EecAutoReadDone) != 0, ResetTimeoutMs))
            return $"82599: the EEPROM auto-read (EEC.ARD) did not finish in {ResetTimeoutMs} ms";
        if (!clock.Until(() => (registers.Read(Rdrxctl) & RdrxctlDmaInitDone) != 0, ResetTimeoutMs))
            return $"82599: the DMA init (RDRXCTL.DMAIDONE) did not finish in {ResetTimeoutMs} ms";
        registers.Write(Autoc, registers.Read(Autoc) | AutocRestart);

        Mac = registers.Read(Ral0) | ((ulong)(registers.Read(Rah0) & 0xFFFF) << 32);
        if (Mac == 0) return "82599: RAL(0)/RAH(0) hold no MAC address (the EEPROM gave none)";
        registers.Write(Rah0, (uint)(Mac >> 32) | RahValid);
        for (int i = 0; i < MtaEntries; i++) registers.Write(Mta + 4 * i, 0);
        registers.Write(CtrlExt, registers.Read(CtrlExt) | CtrlExtNoSnoopDisable);

        string? failed = StartReceive(ringsPhysical);
        if (failed != null) return failed;
        failed = StartTransmit(ringsPhysical + SlotRings.RxDescriptors * SlotRings.DescriptorBytes);
        if (failed != null) return failed;
        registers.Write(Ivar0, (IvarValid | 0) | (IvarValid | 1) << 8);   // RX queue 0 → cause 0, TX queue 0 → cause 1
        return null;
    }

    private string? StartReceive(ulong ring)
    {
        registers.Write(Fctrl, registers.Read(Fctrl) | FctrlBroadcastAccept);
        registers.Write(Hlreg0, registers.Read(Hlreg0) | Hlreg0RxCrcStrip | Hlreg0TxCrc | Hlreg0TxPad);
        registers.Write(Rdrxctl, registers.Read(Rdrxctl) | RdrxctlCrcStrip);
        registers.Write(Rdbal0, (uint)ring);
        registers.Write(Rdbah0, (uint)(ring >> 32));
        registers.Write(Rdlen0, SlotRings.RxDescriptors * SlotRings.DescriptorBytes);
        registers.Write(Srrctl0, SrrctlAdvancedOneBuffer | SrrctlDropEnable | SlotKiB);
        registers.Write(Rdh0, 0);
        registers.Write(Rdt0, 0);
        registers.Write(Rxdctl0, registers.Read(Rxdctl0) | RxdctlEnable);
        if (!clock.Until(() => (registers.Read(Rxdctl0) & RxdctlEnable) != 0, EnableTimeoutMs))
            return $"82599: RXDCTL(0).ENABLE did not read back set in {EnableTimeoutMs} ms";
        registers.Write(Rxctrl, registers.Read(Rxctrl) | RxctrlEnable);
        return null;
    }

    private string? StartTransmit(ulong ring)
    {
        registers.Write(Tdbal0, (uint)ring);
        registers.Write(Tdbah0, (uint)(ring >> 32));
        registers.Write(Tdlen0, SlotRings.TxDescriptors * SlotRings.DescriptorBytes);
        registers.Write(Tdh0, 0);
        registers.Write(Tdt0, 0);
        registers.Write(Dmatxctl, registers.Read(Dmatxctl) | DmatxctlEnable);
        registers.Write(Txdctl0, registers.Read(Txdctl0) | TxdctlEnable);
        if (!clock.Until(() => (registers.Read(Txdctl0) & TxdctlEnable) != 0, EnableTimeoutMs))
            return $"82599: TXDCTL(0).ENABLE did not read back set in {EnableTimeoutMs} ms";
        return null;
    }

    /// <summary>Unmasks RX queue 0, TX queue 0 and link change.</summary>
    public void EnableInterrupts() => registers.Write(Eims, CauseRxQueue0 | CauseTxQueue0 | CauseLinkChange);
}
