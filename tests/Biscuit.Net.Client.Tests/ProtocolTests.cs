// The wire form of the socket protocol: what one IPC message can carry, the codecs' round trips, and
// bad messages answered with an error reply (never a crash, never a dead server).
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Messages;
using Biscuit.Net.Client.Tests.Harness;
using Biscuit.Net.Protocol;
using MessagePack;

namespace Biscuit.Net.Client.Tests;

public class ProtocolTests
{
    private static int EncodedSize<T>(RequestType<T, long> type, T body) => EnvelopeSize(type.Id, type.RequestCodec, body);

    private static int EnvelopeSize<T>(uint code, IMessageCodec<T> codec, T body)
    {
        var builder = new MessageBuilder();
        Assert.True(Envelope.TryEncode(builder, code, codec, body, out string? tooLarge), tooLarge);
        return builder.WrittenSpan.Length;
    }

    private static T RoundTrip<T>(IMessageCodec<T> codec, T value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        codec.Write(ref writer, value);
        writer.Flush();
        var reader = new MessagePackReader(buffer.WrittenMemory);
        var back = codec.Read(ref reader);
        Assert.True(reader.End, "the codec left bytes unread");
        return back;
    }

    [Fact]
    public void A_Send_of_the_largest_transfer_with_the_largest_fields_fits_in_one_message()
    {
        var body = new SendRequest(long.MaxValue, new byte[SocketLimits.MaxTransferBytes], uint.MaxValue, ushort.MaxValue);
        Assert.True(EncodedSize(SocketRequests.Send, body) <= IpcBuffer.MaxPayload);
    }

    [Fact]
    public void A_Receive_reply_of_the_largest_transfer_fits_in_one_message()
    {
        var body = new ReceiveReply(long.MinValue, new byte[SocketLimits.MaxTransferBytes], uint.MaxValue, ushort.MaxValue);
        Assert.True(EnvelopeSize(0, SocketCodecs.Receive, body) <= IpcBuffer.MaxPayload);
    }

    [Fact]
    public void A_full_batch_of_events_with_the_largest_ids_fits_in_one_message()
    {
        var events = Enumerable.Range(0, SocketLimits.MaxEventsPerBatch).Select(_ => new SocketEvent(long.MaxValue, 0x201D)).ToArray();
        Assert.True(EnvelopeSize(0, SocketCodecs.Events, new EventBatch(events, true)) <= IpcBuffer.MaxPayload);
    }

    [Fact]
    public void Every_body_survives_a_round_trip_through_its_codec()
    {
        Assert.Equal(new SocketCreate(2, 1, 6), RoundTrip(SocketCodecs.Create, new SocketCreate(2, 1, 6)));
        Assert.Equal(new SocketArgument(7, -3), RoundTrip(SocketCodecs.Argument, new SocketArgument(7, -3)));
        Assert.Equal(new SocketAddressRequest(1, 0x0A09_0002, 80), RoundTrip(SocketCodecs.AddressRequest, new SocketAddressRequest(1, 0x0A09_0002, 80)));
        Assert.Equal(new AddressReply(-11, 5, 6), RoundTrip(SocketCodecs.AddressReply, new AddressReply(-11, 5, 6)));
        Assert.Equal(new OptionRequest(1, 1, 13, -1), RoundTrip(SocketCodecs.Option, new OptionRequest(1, 1, 13, -1)));
        Assert.Equal(new OptionReply(0, 65536), RoundTrip(SocketCodecs.OptionReply, new OptionReply(0, 65536)));
        var send = RoundTrip(SocketCodecs.Send, new SendRequest(3, [1, 2, 3], 4, 5));
        Assert.Equal((3L, 4L, 5L), (send.Id, send.Address, send.Port));
        Assert.Equal(new byte[] { 1, 2, 3 }, send.Data);
        var slice = RoundTrip(SocketCodecs.SendSlice, new SendSlice(3, [1, 2, 3, 4, 5], 3, 4, 5));   // only the first Length bytes travel
        Assert.Equal((3L, 3, 4L, 5L), (slice.Id, slice.Length, slice.Address, slice.Port));
        Assert.Equal(new byte[] { 1, 2, 3 }, slice.Buffer);
        var receive = RoundTrip(SocketCodecs.Receive, new ReceiveReply(2, [9, 8], 1, 2));
        Assert.Equal((2L, 1L, 2L), (receive.Result, receive.Address, receive.Port));
        Assert.Equal(new byte[] { 9, 8 }, receive.Data);
        Assert.Equal(-1, receive.ReadinessAfter);                             // not given: unknown
        Assert.Equal(5, RoundTrip(SocketCodecs.Receive, new ReceiveReply(2, [9, 8], 1, 2, 5)).ReadinessAfter);
        var batch = RoundTrip(SocketCodecs.Events, new EventBatch([new SocketEvent(1, 4), new SocketEvent(2, 1)], true));
        Assert.Equal(new[] { new SocketEvent(1, 4), new SocketEvent(2, 1) }, batch.Events);
        Assert.True(batch.More);
    }

    [Fact]
    public void A_reader_skips_fields_a_newer_writer_appended()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(3);
        writer.Write(5);
        writer.Write(6);
        writer.Write("a later field");
        writer.Flush();
        var reader = new MessagePackReader(buffer.WrittenMemory);
        Assert.Equal(new SocketArgument(5, 6), SocketCodecs.Argument.Read(ref reader));
        Assert.True(reader.End);
    }

    [Fact]
    public void Bodies_with_too_few_fields_or_too_much_data_are_refused_by_the_codecs()
    {
        Assert.Throws<MalformedMessageException>(() => Read(SocketCodecs.Argument, (ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.Write(1); }));
        Assert.Throws<MalformedMessageException>(() => Read(SocketCodecs.Send, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(4); w.Write(1); w.Write(new byte[SocketLimits.MaxTransferBytes + 1]); w.Write(0); w.Write(0);
        }));
        Assert.Throws<MalformedMessageException>(() => Read(SocketCodecs.Send, (ref MessagePackWriter w) => { w.WriteArrayHeader(4); w.Write(1); w.WriteNil(); w.Write(0); w.Write(0); }));
        Assert.Throws<MalformedMessageException>(() => Read(SocketCodecs.Events, (ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.WriteArrayHeader(3); w.Write(1); w.Write(2); w.Write(3); w.Write(false); }));
    }

    private static void Read<T>(IMessageCodec<T> codec, WriteBody write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        var reader = new MessagePackReader(buffer.WrittenMemory);
        codec.Read(ref reader);
    }

    [Fact]
    public void A_request_whose_body_has_the_wrong_shape_gets_a_Malformed_reply_and_the_server_goes_on()
    {
        using var h = new ServiceHarness();
        var wrongShape = new RequestType<long, long>(SocketRequests.Send.Id, "Send", false, Codecs.Int64, Codecs.Int64);
        var reply = h.Raw.Call(wrongShape, 12, 10_000);
        Assert.Equal(Biscuit.Lib.Client.CallOutcome.ServerError, reply.Outcome);
        Assert.Equal(ReplyStatus.Malformed, reply.Status);
        Assert.True(h.Net.Socket(RemoteHost.Inet, RemoteHost.StreamType) > 0, "the server stopped answering");
    }

    [Fact]
    public void A_Send_carrying_more_than_one_transfer_is_Malformed()
    {
        using var h = new ServiceHarness();
        long id = h.Net.Socket(RemoteHost.Inet, RemoteHost.StreamType);
        var reply = h.Raw.Call(SocketRequests.Send, new SendRequest(id, new byte[SocketLimits.MaxTransferBytes + 1], 0, 0), 10_000);
        Assert.Equal(ReplyStatus.Malformed, reply.Status);
    }

    [Fact]
    public void An_unknown_request_type_gets_UnknownRequest()
    {
        using var h = new ServiceHarness();
        var unknown = new RequestType<Empty, Empty>(99, "Nothing", true, Codecs.Empty, Codecs.Empty);
        Assert.Equal(ReplyStatus.UnknownRequest, h.Raw.Call(unknown, default, 10_000).Status);
    }

    [Fact]
    public void NetCounters_reports_the_stack_the_service_and_the_programs_own_counters()
    {
        using var h = new ServiceHarness();
        h.Net.Socket(RemoteHost.Inet, RemoteHost.StreamType);
        var text = h.Net.Counters();
        Assert.NotNull(text);
        var lines = text.Split('\n');
        Assert.Contains("sockets_open 1", lines);
        Assert.Contains("test_counter 42", lines);
        Assert.Contains(lines, l => l.StartsWith("frames.in ", StringComparison.Ordinal));
    }
}

public delegate void WriteBody(ref MessagePackWriter writer);
