// The NIC protocol's wire forms: every body survives a round trip, and what a reader must refuse
// (a negative window, a slot list longer than one message may carry, slots and lengths of different
// counts, a short array) is refused as malformed, never decoded into nonsense.
using Biscuit.Lib.Messages;
using Biscuit.Nic.Protocol;
using MessagePack;

namespace Biscuit.Nic.Tests;

public class NicCodecTests
{
    private static T RoundTrip<T>(IMessageCodec<T> codec, T value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        codec.Write(ref writer, value);
        writer.Flush();
        var reader = new MessagePackReader(buffer.WrittenMemory);
        return codec.Read(ref reader);
    }

    private delegate void WriteBody(ref MessagePackWriter writer);

    private static void Refused<T>(IMessageCodec<T> codec, WriteBody write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        Assert.Throws<MalformedMessageException>(() =>
        {
            var reader = new MessagePackReader(buffer.WrittenMemory);
            codec.Read(ref reader);
        });
    }

    [Fact]
    public void Every_body_survives_a_round_trip()
    {
        var attach = new AttachReply(0, "", 0x5634_1200_5452, 1500, 256, 64, 2048, 7, 7_000_022, true, [3, 9]);
        var back = RoundTrip(NicCodecs.AttachReply, attach);
        Assert.Equal(attach with { TxBusy = back.TxBusy }, back);
        Assert.Equal(attach.TxBusy, back.TxBusy);
        Assert.Equal(new AttachRequest(0x5000_0000), RoundTrip(NicCodecs.AttachRequest, new AttachRequest(0x5000_0000)));
        var receive = RoundTrip(NicCodecs.ReceiveReply, new ReceiveReply(0, "", [1, 2], [60, 1514], true));
        Assert.Equal([1, 2], receive.Slots);
        Assert.Equal([60, 1514], receive.Lengths);
        Assert.True(receive.More);
        var transmit = RoundTrip(NicCodecs.TransmitRequest, new TransmitRequest(5, [0, 63], [14, 1514]));
        Assert.Equal(5L, transmit.Session);
        Assert.Equal([0, 63], transmit.Slots);
        Assert.Equal([14, 1514], transmit.Lengths);
        var stats = new NicStats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        Assert.Equal(stats, RoundTrip(NicCodecs.NicStats, stats));
        Assert.Equal(new NicStatus(107, "x"), RoundTrip(NicCodecs.Status, new NicStatus(107, "x")));
    }

    [Fact]
    public void A_negative_window_a_too_long_slot_list_mismatched_lists_and_a_short_array_are_malformed()
    {
        Refused(NicCodecs.AttachRequest, (ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.Write(-4096L); });
        Refused(NicCodecs.ReceiveRequest, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(2); w.Write(1L); w.WriteArrayHeader(NicLimits.MaxSlotsPerMessage + 1);
            for (int i = 0; i <= NicLimits.MaxSlotsPerMessage; i++) w.Write(0);
        });
        Refused(NicCodecs.TransmitRequest, (ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(1L); w.WriteArrayHeader(1); w.Write(0); w.WriteArrayHeader(0); });
        Refused(NicCodecs.TransmitRequest, (ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write(1L); w.WriteArrayHeader(0); });
        Refused(NicCodecs.ReceiveReply, (ref MessagePackWriter w) => { w.WriteArrayHeader(5); w.Write(0); w.Write(""); w.WriteArrayHeader(1); w.Write(3); w.WriteArrayHeader(0); w.Write(false); });
    }
}
