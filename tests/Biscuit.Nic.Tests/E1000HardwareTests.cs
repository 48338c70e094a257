// E1000Hardware's bring-up over a register file that answers as the e1000/e1000e do at the points
// the driver waits on (CTRL.RST self-clears; RAL0/RAH0 hold the EEPROM's MAC): the legacy map's
// offsets for queue 0, and a device stuck in reset refused with a clear message, not a hang.
// (The frames themselves travel through FakeNic in NicServiceTests, and through QEMU's e1000e and
// e1000 in tests/Biscuit.Boot.Tests.)
using static Biscuit.Nic.E1000Registers;

namespace Biscuit.Nic.Tests;

public class E1000HardwareTests
{
    private sealed class E1000RegisterFile(bool stuckInReset = false) : IRegisterFile
    {
        public readonly Dictionary<int, uint> Registers = new() { [Ral0] = 0x1200_5452, [Rah0] = 0x5634 | RahValid };
        public uint Read(int offset) => Registers.GetValueOrDefault(offset);
        public void Write(int offset, uint value) => Registers[offset] = offset == Ctrl && !stuckInReset ? value & ~CtrlReset : value;
    }

    [Fact]
    public void Bring_up_reads_the_MAC_and_programs_both_rings_at_the_legacy_offsets_with_interrupts_masked()
    {
        var registers = new E1000RegisterFile();
        var nic = new E1000Hardware(registers, "e1000 (82540EM)", new DeviceClock(_ => { }));
        Assert.Null(nic.Initialize(0x1_2345_6000));
        Assert.Equal(0x5634_1200_5452UL, nic.Mac);
        Assert.Equal(DescriptorFormat.Legacy, nic.Format);
        var r = registers.Registers;
        Assert.Equal((0x2345_6000u, 1u, (uint)(SlotRings.RxDescriptors * 16)), (r[Rdbal], r[Rdbah], r[Rdlen]));
        Assert.Equal((0x2345_6000u + SlotRings.RxDescriptors * 16, 1u, (uint)(SlotRings.TxDescriptors * 16)), (r[Tdbal], r[Tdbah], r[Tdlen]));
        Assert.Equal(RctlEnable | RctlBroadcast | RctlStripCrc, r[Rctl]);
        Assert.NotEqual(0u, r[Tctl] & TctlEnable);
        Assert.NotEqual(0u, r[Ctrl] & CtrlSetLinkUp);
        Assert.Equal(0xFFFF_FFFFu, r[Imc]);
        Assert.False(r.ContainsKey(Ims));
        nic.EnableInterrupts();
        Assert.Equal(IntRxTimer | IntRxMinThreshold | IntTxDone | IntLinkChange, r[Ims]);
    }

    [Fact]
    public void A_device_that_never_leaves_reset_is_a_clear_error_not_a_hang()
    {
        int sleeps = 0;
        var nic = new E1000Hardware(new E1000RegisterFile(stuckInReset: true), "e1000e (82574L)", new DeviceClock(_ => sleeps++));
        Assert.Equal("e1000e (82574L): CTRL.RST still set 100 ms after the reset", nic.Initialize(0x1000));
        Assert.Equal(E1000Hardware.ResetTimeoutMs, sleeps);
    }
}
