// The register map shared by the e1000 (82540EM) and e1000e (82574L) that QEMU emulates: offsets
// into BAR 0 and the bits the driver uses (Intel 82574 Family GbE Controller Datasheet §10; PCI/PCI-X
// Family of Gigabit Ethernet Controllers Software Developer's Manual (8254x) §13 for the e1000).
// Every register and bit below has the same offset and meaning in both (8254x §13.4 and 82574
// §10.2 agree for CTRL, STATUS, ICR/IMS/IMC, RCTL, TCTL, TIPG, the ring registers of queue 0, MTA
// and RAL0/RAH0); what differs between the two models is listed in E1000Hardware. The descriptor
// layout is in LegacyDescriptors; the 82599's map is Ixgbe82599Registers.
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
    // TIPG for copper (8254x §13.4.34, 82574 §10.2.6.2): IPGT 10, IPGR1 8, IPGR2 6.
    public const uint TipgCopper = 10 | 8 << 10 | 6 << 20;
}
