// The 82599 path of the driver (Ixgbe82599Hardware over the ring core with advanced descriptors),
// against Ixgbe82599Model, the device's part played in host memory. QEMU 7.2 has no 82599: these
// tests are the only ones of this path. A frame travels in and out through NicService exactly as it
// does on the e1000e: Attach, the device writes a frame, Service, Receive; Transmit, the device
// sends it and the TX slot comes back.
using System.Runtime.InteropServices;
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Server;
using static Biscuit.Nic.Ixgbe82599Registers;

namespace Biscuit.Nic.Tests;

/// <summary>One 82599 on the host: the model, rings and slots in native memory, the hardware class
/// initialised over them, and NicService served on three workers over the in-memory endpoint.</summary>
public sealed unsafe class Ixgbe82599Rig : IDisposable
{
    public readonly Ixgbe82599Model Model;
    public readonly Ixgbe82599Hardware Hardware;
    public readonly byte* Descriptors, RxSlots, TxSlots;
    public readonly SlotRings Rings;
    public readonly NicService Service;
    public readonly string? InitializeError;
    public readonly InMemoryEndpoint Endpoint = new();
    public volatile bool ClientAlive = true;
    public int Sleeps;

    public Ixgbe82599Rig(Ixgbe82599Model? model = null)
    {
        Model = model ?? new Ixgbe82599Model();
        Descriptors = (byte*)NativeMemory.AllocZeroed((nuint)SlotRings.RingBytes);
        RxSlots = (byte*)NativeMemory.AllocZeroed((nuint)(SlotRings.RxSlots * SlotRings.SlotBytes));
        TxSlots = (byte*)NativeMemory.AllocZeroed((nuint)(SlotRings.TxSlots * SlotRings.SlotBytes));
        Hardware = new Ixgbe82599Hardware(Model, new DeviceClock(_ => Interlocked.Increment(ref Sleeps)));
        Rings = new SlotRings(Descriptors, (ulong)RxSlots, (ulong)TxSlots, Hardware.Format);
        InitializeError = Hardware.Initialize((ulong)Descriptors);
        Service = new NicService(Rings, Hardware, new FakeWindow(), h => new CountingSignal(h), () => ClientAlive, instance: 9, holdPollMs: 5);
        if (InitializeError != null) return;
        Service.Start();
        Hardware.EnableInterrupts();
        var server = new MessageServer(new ServerOptions { Name = "ixgbe-test" });
        Service.RegisterOn(server);
        for (int i = 0; i < 3; i++)
        {
            var transport = Endpoint.CreateServer();
            new Thread(() => server.Run(transport)) { IsBackground = true, Name = "ixgbe-test worker" }.Start();
        }
    }

    public ServiceClient NewClient() => new(Endpoint.CreateClient());
    public byte[] RxSlot(int slot, int length) => new ReadOnlySpan<byte>(RxSlots + slot * SlotRings.SlotBytes, length).ToArray();
    public Span<byte> TxSlot(int slot) => new(TxSlots + slot * SlotRings.SlotBytes, SlotRings.SlotBytes);

    public void Dispose()
    {
        ClientAlive = false;
        Endpoint.Close();
        Thread.Sleep(20);
        NativeMemory.Free(Descriptors);
        NativeMemory.Free(RxSlots);
        NativeMemory.Free(TxSlots);
    }

    private sealed class FakeWindow : ISlotWindow
    {
        public int GrantToCaller(long targetAddress) => 0;
    }
}

public unsafe class Ixgbe82599Tests
{
    [Fact]
    public void Bring_up_resets_the_device_and_programs_queue_0_at_the_82599_offsets_with_advanced_one_buffer_descriptors()
    {
        using var rig = new Ixgbe82599Rig();
        Assert.Null(rig.InitializeError);
        var m = rig.Model;
        Assert.Contains(m.Writes, w => w.Offset == Ctrl && (w.Value & CtrlReset) != 0);
        ulong rx = (ulong)rig.Descriptors, tx = rx + SlotRings.RxDescriptors * SlotRings.DescriptorBytes;
        Assert.Equal((uint)rx, m.Peek(Rdbal0));
        Assert.Equal((uint)(rx >> 32), m.Peek(Rdbah0));
        Assert.Equal((uint)(SlotRings.RxDescriptors * 16), m.Peek(Rdlen0));
        Assert.Equal((uint)tx, m.Peek(Tdbal0));
        Assert.Equal((uint)(tx >> 32), m.Peek(Tdbah0));
        Assert.Equal((uint)(SlotRings.TxDescriptors * 16), m.Peek(Tdlen0));
        Assert.Equal(SrrctlAdvancedOneBuffer | SrrctlDropEnable | 2u, m.Peek(Srrctl0));   // 2 KiB buffers
        Assert.NotEqual(0u, m.Peek(Rxdctl0) & RxdctlEnable);
        Assert.NotEqual(0u, m.Peek(Rxctrl) & RxctrlEnable);
        Assert.NotEqual(0u, m.Peek(Txdctl0) & TxdctlEnable);
        Assert.NotEqual(0u, m.Peek(Dmatxctl) & DmatxctlEnable);
        Assert.Equal(Hlreg0RxCrcStrip | Hlreg0TxCrc | Hlreg0TxPad, m.Peek(Hlreg0) & (Hlreg0RxCrcStrip | Hlreg0TxCrc | Hlreg0TxPad));
        Assert.NotEqual(0u, m.Peek(Fctrl) & FctrlBroadcastAccept);
        Assert.Equal(CauseRxQueue0 | CauseTxQueue0 | CauseLinkChange, m.Peek(Eims));
        Assert.Equal((uint)(SlotRings.RxDescriptors - 1), m.Peek(Rdt0));                 // Start gave a full ring
        // The receive ring is enabled before RXCTRL.RXEN (§4.6.7), TX's DMA before TXDCTL.ENABLE (§4.6.8).
        int rxdctl = m.Writes.FindIndex(w => w.Offset == Rxdctl0), rxen = m.Writes.FindIndex(w => w.Offset == Rxctrl);
        int te = m.Writes.FindIndex(w => w.Offset == Dmatxctl), txdctl = m.Writes.FindIndex(w => w.Offset == Txdctl0);
        Assert.True(rxdctl < rxen && te < txdctl, "enable order");
        Assert.Empty(m.Complaints);
    }

    [Fact]
    public void The_MAC_comes_from_RAL0_and_RAH0_and_the_link_from_LINKS()
    {
        using var rig = new Ixgbe82599Rig();
        Assert.Equal(rig.Model.EepromMac, rig.Hardware.Mac);
        Assert.NotEqual(0u, rig.Model.Peek(Rah0) & RahValid);
        Assert.True(rig.Hardware.LinkUp);
        rig.Model.SetLink(false);
        Assert.False(rig.Hardware.LinkUp);
        Assert.Equal(CauseLinkChange, rig.Hardware.ReadCause());
        Assert.Equal(0u, rig.Hardware.ReadCause());                                       // read clears it
    }

    [Fact]
    public void A_frame_from_the_wire_reaches_the_client_through_an_advanced_receive_descriptor()
    {
        using var rig = new Ixgbe82599Rig();
        var client = rig.NewClient();
        long session = NicHarness.Attach(client).Session;
        byte[][] frames = [NicHarness.Frame(60, 0x11), NicHarness.Frame(1514, 0x22)];
        foreach (var f in frames) Assert.True(rig.Model.Deliver(f));
        Assert.Equal(CauseRxQueue0, rig.Model.PendingCause);                              // IVAR: RX queue 0 → EICR bit 0
        Assert.Equal(2, rig.Service.Service(interrupted: true));
        Assert.Equal(0u, rig.Model.PendingCause);
        var got = NicHarness.Receive(client, session);
        Assert.True(got.IsOk, got.Message);
        Assert.Equal(new[] { 60, 1514 }, got.Lengths);
        for (int i = 0; i < frames.Length; i++) Assert.Equal(frames[i], rig.RxSlot(got.Slots[i], got.Lengths[i]));
        Assert.Empty(rig.Model.Complaints);
    }

    [Fact]
    public void A_frame_the_client_sends_leaves_through_an_advanced_transmit_descriptor_and_its_slot_comes_back()
    {
        using var rig = new Ixgbe82599Rig();
        var client = rig.NewClient();
        long session = NicHarness.Attach(client).Session;
        byte[] frame = NicHarness.Frame(342, 0x5A);
        frame.CopyTo(rig.TxSlot(3));
        var sent = NicHarness.Transmit(client, session, [3], [frame.Length]);
        Assert.True(sent.IsOk, sent.Message);
        Assert.Equal(frame, Assert.Single(rig.Model.Sent));
        Assert.Equal(new[] { 3 }, sent.Completed);                                                 // DD written back: the slot is the client's again
        Assert.Equal(CauseTxQueue0, rig.Model.PendingCause);                              // IVAR: TX queue 0 → EICR bit 1
        Assert.Empty(rig.Model.Complaints);
    }

    [Fact]
    public void A_full_ring_of_frames_is_received_in_batches_and_the_ring_refilled_from_returned_slots()
    {
        using var rig = new Ixgbe82599Rig();
        var client = rig.NewClient();
        long session = NicHarness.Attach(client).Session;
        int delivered = 0;
        while (rig.Model.Deliver(NicHarness.Frame(100, (byte)delivered))) delivered++;
        Assert.Equal(SlotRings.RxDescriptors - 1, delivered);
        rig.Service.Service(interrupted: true);
        var first = NicHarness.Receive(client, session);
        var second = NicHarness.Receive(client, session, first.Slots);
        Assert.Equal(delivered, first.Slots.Length + second.Slots.Length);
        for (int i = 0; i < first.Slots.Length; i++) Assert.Equal(NicHarness.Frame(100, (byte)i), rig.RxSlot(first.Slots[i], 100));
        int more = 0;
        while (rig.Model.Deliver(NicHarness.Frame(100, 7))) more++;
        Assert.Equal(SlotRings.RxDescriptors - 1, more);
        Assert.Empty(rig.Model.Complaints);
    }

    [Fact]
    public void A_frame_the_device_marks_with_an_RX_error_is_dropped_counted_and_its_slot_reused()
    {
        using var rig = new Ixgbe82599Rig();
        var client = rig.NewClient();
        long session = NicHarness.Attach(client).Session;
        Assert.True(rig.Model.Deliver(NicHarness.Frame(64, 1), errors: Ixgbe82599Model.RxErrorRxe));
        Assert.True(rig.Model.Deliver(NicHarness.Frame(64, 2)));
        Assert.Equal(1, rig.Service.Service(interrupted: true));
        var got = NicHarness.Receive(client, session);
        Assert.Equal(NicHarness.Frame(64, 2), rig.RxSlot(Assert.Single(got.Slots), 64));
        Assert.Equal(1, client.Call(Biscuit.Nic.Protocol.NicContracts.NicStats, default, 10_000).Value.RxDropped);
    }

    [Fact]
    public void A_device_that_never_leaves_reset_is_a_clear_error_not_a_hang()
    {
        using var rig = new Ixgbe82599Rig(new Ixgbe82599Model { StuckInReset = true });
        Assert.Equal("82599: CTRL.RST still set 100 ms after the reset", rig.InitializeError);
        Assert.InRange(rig.Sleeps, Ixgbe82599Hardware.ResetTimeoutMs, Ixgbe82599Hardware.ResetTimeoutMs + 1);
    }

    [Fact]
    public void A_device_without_a_MAC_address_in_its_EEPROM_is_refused()
    {
        using var rig = new Ixgbe82599Rig(new Ixgbe82599Model { EepromMac = 0 });
        Assert.Equal("82599: RAL(0)/RAH(0) hold no MAC address (the EEPROM gave none)", rig.InitializeError);
    }

    [Fact]
    public void The_82599s_PCI_ids_select_the_ixgbe_map_and_QEMUs_e1000_models_the_e1000_map()
    {
        Assert.Equal("ixgbe (82599)", PciNic.ModelOf(0x8086, 0x10FB));
        Assert.Equal("e1000e (82574L)", PciNic.ModelOf(0x8086, 0x10D3));
        Assert.Equal("e1000 (82540EM)", PciNic.ModelOf(0x8086, 0x100E));
        Assert.Null(PciNic.ModelOf(0x8086, 0x1234));
        Assert.Null(PciNic.ModelOf(0x10EC, 0x10FB));
    }
}
