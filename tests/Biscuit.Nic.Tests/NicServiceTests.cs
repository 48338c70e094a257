// What the NIC driver server promises its client (drivers/ixgbe/README.md), over a fake device:
// frames travel through granted slots, not messages; slots change hands only as the protocol says;
// every piece of bad input is an error reply and the driver serves on.
using Biscuit.Lib.Client;
using Biscuit.Lib.Messages;
using Biscuit.Nic.Protocol;

namespace Biscuit.Nic.Tests;

public class NicServiceTests
{
    [Fact]
    public void Attach_grants_the_slot_window_at_the_callers_address_and_describes_the_device()
    {
        using var nic = new NicHarness();
        var reply = NicHarness.Attach(nic.NewClient());
        Assert.Equal(NicHarness.Window, nic.Nic.WindowAddress);
        Assert.Equal((long)nic.Nic.Mac, reply.Mac);
        Assert.Equal((SlotRings.RxSlots, SlotRings.TxSlots, SlotRings.SlotBytes, 1500, 7L), (reply.RxSlots, reply.TxSlots, reply.SlotBytes, reply.Mtu, reply.Instance));
        Assert.True(reply.LinkUp);
        Assert.Empty(reply.TxBusy);
        Assert.NotEqual(0, reply.Session);
    }

    [Fact]
    public void Frames_that_arrive_signal_the_client_and_Receive_names_their_slots_whose_bytes_are_the_frames()
    {
        using var nic = new NicHarness();
        var client = nic.NewClient();
        long session = NicHarness.Attach(client).Session;
        byte[][] frames = [NicHarness.Frame(60, 1), NicHarness.Frame(1514, 2), NicHarness.Frame(342, 3)];
        foreach (var f in frames) Assert.True(nic.Nic.Deliver(f));
        Assert.Equal(3, nic.Service.Service(interrupted: true));
        Assert.Equal(1, nic.Signals.Single().Signals);
        var got = NicHarness.Receive(client, session);
        Assert.True(got.IsOk, got.Message);
        Assert.False(got.More);
        Assert.Equal(frames.Select(f => f.Length), got.Lengths);
        for (int i = 0; i < 3; i++) Assert.Equal(frames[i], nic.Nic.RxSlot(got.Slots[i], got.Lengths[i]));
        var stats = nic.Stats();
        Assert.Equal((3L, 60L + 1514 + 342, 1L, 300L, 3), (stats.FramesIn, stats.BytesIn, stats.Interrupts, stats.FramesPerInterruptTimes100, stats.RxSlotsWithClient));
    }

    [Fact]
    public void Many_frames_per_interrupt_come_in_batches_and_returned_slots_let_the_device_receive_on()
    {
        using var nic = new NicHarness();
        var client = nic.NewClient();
        long session = NicHarness.Attach(client).Session;
        int delivered = 0;
        while (nic.Nic.Deliver(NicHarness.Frame(100, (byte)delivered))) delivered++;
        Assert.Equal(SlotRings.RxDescriptors - 1, delivered);           // a full ring, one descriptor left empty
        nic.Service.Service(interrupted: true);
        var first = NicHarness.Receive(client, session);
        Assert.Equal(NicLimits.MaxFramesPerReceive, first.Slots.Length);
        Assert.True(first.More);
        var second = NicHarness.Receive(client, session, first.Slots);
        Assert.Equal(delivered - NicLimits.MaxFramesPerReceive, second.Slots.Length);
        Assert.False(second.More);
        Assert.Equal(second.Slots.Length, nic.Stats().RxSlotsWithClient);
        // The ring was refilled from the free slots: the device takes a full ring again.
        int more = 0;
        while (nic.Nic.Deliver(NicHarness.Frame(100, 9))) more++;
        Assert.Equal(SlotRings.RxDescriptors - 1, more);
        nic.Service.Service(interrupted: true);
        var third = NicHarness.Receive(client, session, second.Slots);
        Assert.Equal(NicLimits.MaxFramesPerReceive, third.Slots.Length);
        Assert.Equal(2 * (SlotRings.RxDescriptors - 1), (int)nic.Stats().FramesIn);
        Assert.Equal(2.0 * (SlotRings.RxDescriptors - 1) * 100 / 2, nic.Stats().FramesPerInterruptTimes100);
    }

    [Fact]
    public void A_frame_the_device_marked_in_error_is_dropped_counted_and_its_slot_reused()
    {
        using var nic = new NicHarness();
        var client = nic.NewClient();
        long session = NicHarness.Attach(client).Session;
        Assert.True(nic.Nic.Deliver(NicHarness.Frame(64, 1), errors: 0x01));   // CRC error (RXE bits, §7.1.4.3)
        Assert.True(nic.Nic.Deliver(NicHarness.Frame(64, 2)));
        nic.Service.Service(interrupted: true);
        var got = NicHarness.Receive(client, session);
        Assert.Single(got.Slots);
        Assert.Equal(NicHarness.Frame(64, 2), nic.Nic.RxSlot(got.Slots[0], 64));
        Assert.Equal(1, nic.Stats().RxDropped);
        Assert.Equal(SlotRings.RxDescriptors - 1, nic.Stats().RxSlotsWithDevice);
    }

    [Fact]
    public void Transmit_sends_the_bytes_the_client_wrote_in_its_slots_and_hands_the_slots_back_when_done()
    {
        using var nic = new NicHarness();
        var client = nic.NewClient();
        long session = NicHarness.Attach(client).Session;
        NicHarness.Frame(60, 0xA).CopyTo(nic.Nic.TxSlot(3));
        NicHarness.Frame(1514, 0xB).CopyTo(nic.Nic.TxSlot(5));
        var reply = NicHarness.Transmit(client, session, [3, 5], [60, 1514]);
        Assert.True(reply.IsOk, reply.Message);
        Assert.Equal(2, reply.Accepted);
        Assert.Equal([3, 5], reply.Completed.Order());
        Assert.Equal([NicHarness.Frame(60, 0xA), NicHarness.Frame(1514, 0xB)], nic.Nic.Sent);
        var stats = nic.Stats();
        Assert.Equal((2L, 1574L), (stats.FramesOut, stats.BytesOut));
    }

    [Fact]
    public void A_TX_slot_still_with_the_device_is_refused_until_a_later_reply_reports_it_completed()
    {
        using var nic = new NicHarness();
        var client = nic.NewClient();
        long session = NicHarness.Attach(client).Session;
        nic.Nic.CompleteTransmits = false;
        var first = NicHarness.Transmit(client, session, [1], [60]);
        Assert.True(first.IsOk);
        Assert.Empty(first.Completed);
        var again = NicHarness.Transmit(client, session, [1], [60]);
        Assert.Equal(NicErrno.Invalid, again.Errno);
        Assert.Contains("TX slot 1 is not the client's", again.Message);
        nic.Nic.FinishTransmits(1);
        var poll = NicHarness.Transmit(client, session, [], []);
        Assert.Equal([1], poll.Completed);
        Assert.True(NicHarness.Transmit(client, session, [1], [60]).IsOk);
    }

    [Theory]
    [InlineData(64, 60, "TX slot 64 is not one of the 64 TX slots")]
    [InlineData(-1, 60, "TX slot -1 is not one of")]
    [InlineData(0, 2049, "a frame of 2049 bytes")]
    [InlineData(0, 1515, "a frame of 1515 bytes")]
    [InlineData(0, 13, "a frame of 13 bytes")]
    public void A_transmit_naming_an_unknown_slot_or_a_length_beyond_a_frame_is_EINVAL_and_sends_nothing(int slot, int length, string message)
    {
        using var nic = new NicHarness();
        var client = nic.NewClient();
        long session = NicHarness.Attach(client).Session;
        var reply = NicHarness.Transmit(client, session, [2, slot], [60, length]);
        Assert.Equal(NicErrno.Invalid, reply.Errno);
        Assert.Contains(message, reply.Message);
        Assert.Equal(0, reply.Accepted);
        Assert.Empty(nic.Nic.Sent);
        Assert.True(NicHarness.Transmit(client, session, [2], [60]).IsOk);     // the slot checked first is still the client's
    }

    [Fact]
    public void A_slot_named_twice_in_one_transmit_is_EINVAL()
    {
        using var nic = new NicHarness();
        var client = nic.NewClient();
        long session = NicHarness.Attach(client).Session;
        var reply = NicHarness.Transmit(client, session, [4, 4], [60, 60]);
        Assert.Equal(NicErrno.Invalid, reply.Errno);
        Assert.Contains("named twice", reply.Message);
        Assert.Empty(nic.Nic.Sent);
    }

    [Fact]
    public void Returning_an_RX_slot_that_is_unknown_not_held_or_named_twice_is_EINVAL_and_returns_none()
    {
        using var nic = new NicHarness();
        var client = nic.NewClient();
        long session = NicHarness.Attach(client).Session;
        nic.Nic.Deliver(NicHarness.Frame(80, 1));
        nic.Service.Service(interrupted: true);
        int held = NicHarness.Receive(client, session).Slots.Single();
        int notHeld = Enumerable.Range(0, SlotRings.RxSlots).First(s => s != held);
        foreach (var (returned, message) in new[] { (new[] { held, 256 }, "RX slot 256 is not one of the 256"), (new[] { notHeld }, "is not the client's"),
                     (new[] { held, held }, "named twice") })
        {
            var reply = NicHarness.Receive(client, session, returned);
            Assert.Equal(NicErrno.Invalid, reply.Errno);
            Assert.Contains(message, reply.Message);
            Assert.Equal(1, nic.Stats().RxSlotsWithClient);
        }
        Assert.True(NicHarness.Receive(client, session, held).IsOk);
        Assert.Equal(0, nic.Stats().RxSlotsWithClient);
    }

    [Fact]
    public void Requests_before_Attach_or_of_another_session_are_ENOTCONN()
    {
        using var nic = new NicHarness();
        var client = nic.NewClient();
        Assert.Equal(NicErrno.NotConnected, NicHarness.Receive(client, 1).Errno);
        Assert.Equal(NicErrno.NotConnected, NicHarness.Transmit(client, 1, [0], [60]).Errno);
        Assert.Equal(NicErrno.NotConnected, client.Call(NicContracts.Hold, new SessionRequest(1), 10_000).Value.Errno);
        long session = NicHarness.Attach(client).Session;
        var stale = NicHarness.Transmit(client, session + 1, [0], [60]);
        Assert.Equal(NicErrno.NotConnected, stale.Errno);
        Assert.Contains("earlier Attach", stale.Message);
        Assert.Empty(nic.Nic.Sent);
    }

    [Fact]
    public void A_second_client_is_refused_with_EBUSY_while_the_first_holds_its_session_and_attaches_once_the_first_is_gone()
    {
        using var nic = new NicHarness();
        var first = nic.NewClient();
        var attached = NicHarness.Attach(first);
        CallResult<NicStatus> held = default;
        var holder = new Thread(() => held = nic.NewClient().Call(NicContracts.Hold, new SessionRequest(attached.Session), 60_000));
        holder.Start();
        nic.Nic.Deliver(NicHarness.Frame(70, 1));
        nic.Service.Service(interrupted: true);
        Assert.Single(NicHarness.Receive(first, attached.Session).Slots);       // the first client holds one RX slot

        var second = nic.NewClient();
        var refused = WaitForRefusal(second);
        Assert.Equal(NicErrno.Busy, refused.Errno);
        Assert.Contains("one client at a time", refused.Message);
        Assert.True(nic.Signals[^1].Released);                                  // the refused caller's notification is let go

        nic.ClientAlive = false;                                               // the first client's process dies
        Assert.True(holder.Join(TimeSpan.FromSeconds(30)));
        Assert.Equal(NicErrno.NotConnected, held.Value.Errno);
        Assert.True(nic.Signals[0].Released);
        nic.ClientAlive = true;
        var taken = NicHarness.Attach(second);
        Assert.NotEqual(attached.Session, taken.Session);
        Assert.Equal(0, nic.Stats().RxSlotsWithClient);                         // the dead client's slot came back
        Assert.Equal(NicErrno.NotConnected, NicHarness.Receive(first, attached.Session).Errno);
        Assert.Equal(2, nic.Stats().Attaches);
    }

    // The Hold starts on another thread: retry until the driver sees it (a state, not a time).
    private static AttachReply WaitForRefusal(ServiceClient client)
    {
        for (int i = 0; i < 3000; i++)
        {
            var r = NicHarness.TryAttach(client);
            Assert.True(r.IsOk, r.ToString());
            if (!r.Value!.IsOk) return r.Value;
            Thread.Sleep(10);
        }
        throw new Xunit.Sdk.XunitException("the second Attach was never refused");
    }

    [Fact]
    public void A_new_client_learns_which_TX_slots_are_still_with_the_device()
    {
        using var nic = new NicHarness();
        var first = nic.NewClient();
        long session = NicHarness.Attach(first).Session;
        nic.Nic.CompleteTransmits = false;
        Assert.True(NicHarness.Transmit(first, session, [6, 9], [60, 60]).IsOk);
        var second = NicHarness.Attach(nic.NewClient());                       // the first never held: it may be replaced
        Assert.Equal([6, 9], second.TxBusy.Order());
    }

    [Fact]
    public void Attach_without_a_notification_or_with_an_unaligned_window_or_a_refused_grant_is_an_error_reply()
    {
        using var nic = new NicHarness();
        var client = nic.NewClient();
        var noHandle = NicHarness.TryAttach(client, handles: 0).Value!;
        Assert.Equal(NicErrno.Invalid, noHandle.Errno);
        Assert.Contains("notification", noHandle.Message);
        var unaligned = NicHarness.TryAttach(client, window: 0x5000_0010).Value!;
        Assert.Equal(NicErrno.Invalid, unaligned.Errno);
        Assert.Equal(NicErrno.Invalid, NicHarness.TryAttach(client, window: 0).Value!.Errno);
        nic.Nic.GrantError = 17;                                                // EEXIST: the caller's range is in use
        var refused = NicHarness.TryAttach(client).Value!;
        Assert.Equal(17, refused.Errno);
        Assert.Contains("grant_create", refused.Message);
        nic.Nic.GrantError = 0;
        NicHarness.Attach(client);
        Assert.Equal(4, nic.Stats().BadRequests);
    }

    [Fact]
    public void A_malformed_request_gets_a_Malformed_reply_and_the_driver_serves_on()
    {
        using var nic = new NicHarness();
        var client = nic.NewClient();
        var wrongBody = new RequestType<string, TransmitReply>(NicContracts.Transmit.Id, "Transmit", false, Codecs.String, NicCodecs.TransmitReply);
        Assert.Equal(ReplyStatus.Malformed, client.Call(wrongBody, "slot 0", 10_000).Status);
        var tooMany = new TransmitRequest(1, new int[NicLimits.MaxSlotsPerMessage + 1], new int[NicLimits.MaxSlotsPerMessage + 1]);
        Assert.Equal(ReplyStatus.Malformed, client.Call(NicContracts.Transmit, tooMany, 10_000).Status);
        Assert.Equal(ReplyStatus.Malformed, client.Call(NicContracts.Transmit, new TransmitRequest(1, [1, 2], [60]), 10_000).Status);
        var negativeWindow = NicHarness.TryAttach(client, window: -4096);
        Assert.Equal(ReplyStatus.Malformed, negativeWindow.Status);
        long session = NicHarness.Attach(client).Session;
        Assert.True(NicHarness.Transmit(client, session, [0], [60]).IsOk);
    }
}
