// The 82599's register map, as far as this driver uses it (Intel 82599 10 GbE Controller
// Datasheet, revision 3.x, §8.2.3): offsets into BAR 0 for queue 0 of each direction and the bits
// the bring-up (Ixgbe82599Hardware) sets or reads. The 82599 keeps the e1000's ring model (base,
// length, head, tail; DD written back) at other offsets, with a per-queue enable (RXDCTL/TXDCTL)
// and extended interrupt registers (EICR/EIMS/EIMC with IVAR mapping queues to causes).
namespace Biscuit.Nic;

public static class Ixgbe82599Registers
{
    // General (§8.2.3.1, §8.2.3.2): device control, status, extended control, EEPROM control.
    public const int Ctrl = 0x00000, Status = 0x00008, CtrlExt = 0x00018, Eec = 0x10010;
    public const uint CtrlLinkReset = 1u << 3, CtrlReset = 1u << 26;
    public const uint CtrlExtNoSnoopDisable = 1u << 16;
    public const uint EecAutoReadDone = 1u << 9;

    // Interrupts (§8.2.3.5): cause (read, and write 1 to clear), mask set, mask clear, and IVAR
    // (§8.2.3.5.13): byte 0 of IVAR(0) maps RX queue 0, byte 1 TX queue 0, to a cause bit (bit 7 valid).
    public const int Eicr = 0x00800, Eims = 0x00880, Eimc = 0x00888, Ivar0 = 0x00900;
    public const uint CauseRxQueue0 = 1u << 0, CauseTxQueue0 = 1u << 1, CauseLinkChange = 1u << 20;
    public const uint MaskAll = 0x7FFF_FFFF;
    public const uint IvarValid = 0x80;

    // Receive (§8.2.3.8): queue 0's ring, its split/replication control and enable; the filter, MAC
    // core and DMA controls; the receive enable.
    public const int Rdbal0 = 0x01000, Rdbah0 = 0x01004, Rdlen0 = 0x01008, Rdh0 = 0x01010, Srrctl0 = 0x01014, Rdt0 = 0x01018, Rxdctl0 = 0x01028;
    public const int Rdrxctl = 0x02F00, Rxctrl = 0x03000, Fctrl = 0x05080, Hlreg0 = 0x04240;
    public const uint SrrctlAdvancedOneBuffer = 0x1u << 25, SrrctlDropEnable = 1u << 28, SrrctlPacketSizeKiB = 0x1F;   // BSIZEPACKET: bits 4:0 in KiB
    public const uint RxdctlEnable = 1u << 25, RxctrlEnable = 1u << 0;
    public const uint RdrxctlCrcStrip = 1u << 1, RdrxctlDmaInitDone = 1u << 3;
    public const uint FctrlBroadcastAccept = 1u << 10;
    public const uint Hlreg0TxCrc = 1u << 0, Hlreg0RxCrcStrip = 1u << 1, Hlreg0TxPad = 1u << 10;

    // Transmit (§8.2.3.9): queue 0's ring and enable, the DMA transmit enable.
    public const int Tdbal0 = 0x06000, Tdbah0 = 0x06004, Tdlen0 = 0x06008, Tdh0 = 0x06010, Tdt0 = 0x06018, Txdctl0 = 0x06028, Dmatxctl = 0x04A80;
    public const uint TxdctlEnable = 1u << 25, DmatxctlEnable = 1u << 0;

    // Link (§8.2.3.22): auto-negotiation control (restart) and status (LINK_UP).
    public const int Autoc = 0x042A0, Links = 0x042A4;
    public const uint AutocRestart = 1u << 12, LinksUp = 1u << 30;

    // Receive addresses (§8.2.3.7): the multicast table, and RAL(0)/RAH(0), which the device loads
    // from the EEPROM at reset (address valid: RAH bit 31).
    public const int Mta = 0x05200, Ral0 = 0x0A200, Rah0 = 0x0A204;
    public const int MtaEntries = 128;
    public const uint RahValid = 1u << 31;
}
