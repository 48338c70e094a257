// The register map shared by the e1000 (82540EM) and e1000e (82574L) that QEMU emulates: offsets
// into BAR 0 and the bits the driver uses (Intel 82574 Family GbE Controller Datasheet §10; the
// 8254x Software Developer's Manual §13 for the e1000). The 82599 (ixgbe) keeps the same ring model
// with other offsets; its map belongs beside this one when a machine provides one.
namespace Biscuit.Nic;

public static class E1000Registers
{
    public const int Ctrl = 0x0000, Status = 0x0008, Icr = 0x00C0, Ims = 0x00D0, Imc = 0x00D8;
    public const int Rctl = 0x0100, Tctl = 0x0400, Tipg = 0x0410;
    public const int Rdbal = 0x2800, Rdbah = 0x2804, Rdlen = 0x2808, Rdh = 0x2810, Rdt = 0x2818;
    public const int Tdbal = 0x3800, Tdbah = 0x3804, Tdlen = 0x3808, Tdh = 0x3810, Tdt = 0x3818;
    public const int Mta = 0x5200, Ral0 = 0x5400, Rah0 = 0x5404;

    public const uint CtrlReset = 1u << 26, CtrlSetLinkUp = 1u << 6, CtrlAutoSpeed = 1u << 5;
    public const uint StatusLinkUp = 1u << 1;
    public const uint RctlEnable = 1u << 1, RctlBroadcast = 1u << 15, RctlStripCrc = 1u << 26;   // buffer size 00 = 2048
    public const uint TctlEnable = 1u << 1, TctlPadShort = 1u << 3, TctlCollisionThreshold = 0x10u << 4, TctlCollisionDistance = 0x40u << 12;
    public const uint IntTxDone = 1u << 0, IntLinkChange = 1u << 2, IntRxMinThreshold = 1u << 4, IntRxTimer = 1u << 7;
    public const uint RahValid = 1u << 31;

    // Legacy descriptors (16 bytes): RX status and TX command/status bits.
    public const byte RxDone = 1 << 0, RxEndOfPacket = 1 << 1;
    public const byte TxEndOfPacket = 1 << 0, TxInsertCrc = 1 << 1, TxReportStatus = 1 << 3;
    public const byte TxDone = 1 << 0;
}
