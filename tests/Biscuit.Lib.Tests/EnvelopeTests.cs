// The envelope [version, code, body] and the codecs: round trips, and every kind of bad input
// answered with a reason instead of an exception.
using System.Buffers;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Telemetry;
using MessagePack;

namespace Biscuit.Lib.Tests;

public class EnvelopeTests
{
    private static byte[] Encode<T>(uint code, IMessageCodec<T> codec, T body)
    {
        var builder = new MessageBuilder();
        Assert.True(Envelope.TryEncode(builder, code, codec, body, out string? failure), failure);
        return builder.WrittenSpan.ToArray();
    }

    private delegate void Writing(ref MessagePackWriter writer);

    private static byte[] Raw(Writing write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static (bool Ok, uint Code, ReplyStatus Failure, string Reason) Open(byte[] payload, ulong label)
    {
        bool ok = Envelope.TryOpen(payload, label, out uint code, out _, out ReplyStatus failure, out string reason);
        return (ok, code, failure, reason);
    }

    private static bool ReadBody<T>(byte[] payload, ulong label, IMessageCodec<T> codec, out T value, out string reason)
    {
        Assert.True(Envelope.TryOpen(payload, label, out _, out MessagePackReader body, out _, out reason), reason);
        return Envelope.TryReadBody(ref body, codec, out value, out reason);
    }

    [Fact]
    public void A_request_round_trips_with_its_code_and_body()
    {
        byte[] bytes = Encode(16, PairCodec.Instance, new Pair(-5, long.MaxValue));
        Assert.True(ReadBody(bytes, 16, PairCodec.Instance, out Pair pair, out string reason), reason);
        Assert.Equal(new Pair(-5, long.MaxValue), pair);
        Assert.Equal(16u, Open(bytes, 16).Code);
    }

    [Fact]
    public void The_envelope_is_a_three_element_array_starting_with_version_1()
    {
        byte[] bytes = Encode(17, Codecs.Empty, default);
        Assert.Equal(new byte[] { 0x93, 0x01, 0x11, 0xC0 }, bytes);   // fixarray(3), 1, 17, nil
    }

    [Fact]
    public void Standard_codecs_round_trip()
    {
        Assert.True(ReadBody(Encode(16, Codecs.String, "héllo"), 16, Codecs.String, out string s, out _));
        Assert.Equal("héllo", s);
        Assert.True(ReadBody(Encode(16, Codecs.UInt64, ulong.MaxValue), 16, Codecs.UInt64, out ulong u, out _));
        Assert.Equal(ulong.MaxValue, u);
        Assert.True(ReadBody(Encode(16, Codecs.Bytes, new byte[] { 1, 2, 3 }), 16, Codecs.Bytes, out byte[] b, out _));
        Assert.Equal(new byte[] { 1, 2, 3 }, b);
        Assert.True(ReadBody(Encode(16, Codecs.Empty, default), 16, Codecs.Empty, out _, out _));
    }

    [Fact]
    public void A_stats_report_round_trips_field_by_field()
    {
        var report = new StatsReport
        {
            Server = "fs", UptimeMs = 1, Gen0Collections = 2, Gen1Collections = 3, Gen2Collections = 4, TotalPauseNs = 5, MaxPauseNs = 6,
            HistogramUpperBoundsNs = [10, 20], HistogramCounts = [7, 8, 9], SampledGcs = 10, UnsampledGcs = 11, HeapSizeBytes = 12,
            HeapLimitBytes = 13, LiveBytesAfterLastGc = 14, CommittedBytes = 15, TotalAllocatedBytes = 16, TimeInGcFraction = 0.25,
            RequestsReceived = 17, RequestsOk = 18, RequestsMalformed = 19, RequestsUnknown = 20, HandlerFailures = 21, RepliesTooLarge = 22,
            Admitted = 23, Queued = 24, Refused = 25, ReservedBytes = 26, AdmissionCollections = 27,
            AllocationRequests = ["Read", "Write"], AllocationBudgets = [100, 200], AllocationObservedMax = [50, 0],
        };
        Assert.True(ReadBody(Encode(0, StatsReportCodec.Instance, report), 0, StatsReportCodec.Instance, out StatsReport back, out string reason), reason);
        Assert.Equal(report with
        {
            HistogramCounts = back.HistogramCounts, HistogramUpperBoundsNs = back.HistogramUpperBoundsNs,
            AllocationRequests = back.AllocationRequests, AllocationBudgets = back.AllocationBudgets, AllocationObservedMax = back.AllocationObservedMax,
        }, back);
        Assert.Equal(report.HistogramCounts, back.HistogramCounts);
        Assert.Equal(report.HistogramUpperBoundsNs, back.HistogramUpperBoundsNs);
        Assert.Equal(report.AllocationRequests, back.AllocationRequests);
        Assert.Equal(report.AllocationBudgets, back.AllocationBudgets);
        Assert.Equal(report.AllocationObservedMax, back.AllocationObservedMax);
    }

    [Fact]
    public void A_newer_writers_extra_fields_are_skipped()
    {
        byte[] bytes = Raw((ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(1); w.Write(16); w.WriteArrayHeader(3); w.Write(4); w.Write(5); w.Write("extra"); w.Flush(); });
        Assert.True(ReadBody(bytes, 16, PairCodec.Instance, out Pair pair, out string reason), reason);
        Assert.Equal(new Pair(4, 5), pair);
    }

    [Fact]
    public void An_empty_message_is_malformed()
    {
        var r = Open([], 16);
        Assert.False(r.Ok);
        Assert.Equal(ReplyStatus.Malformed, r.Failure);
        Assert.Contains("empty", r.Reason);
    }

    [Fact]
    public void A_message_that_is_not_an_array_is_malformed()
    {
        var r = Open(Raw((ref MessagePackWriter w) => { w.Write("hello"); w.Flush(); }), 16);
        Assert.Equal((false, ReplyStatus.Malformed), (r.Ok, r.Failure));
        Assert.Contains("not an array", r.Reason);
    }

    [Fact]
    public void A_wrong_version_is_refused_as_a_version_mismatch()
    {
        var r = Open(Raw((ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(2); w.Write(16); w.WriteNil(); w.Flush(); }), 16);
        Assert.Equal((false, ReplyStatus.VersionMismatch), (r.Ok, r.Failure));
        Assert.Contains("version 2", r.Reason);
    }

    [Fact]
    public void A_version_of_the_wrong_type_is_malformed()
    {
        var r = Open(Raw((ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write("1"); w.Write(16); w.WriteNil(); w.Flush(); }), 16);
        Assert.Equal((false, ReplyStatus.Malformed), (r.Ok, r.Failure));
        Assert.Contains("version", r.Reason);
    }

    [Fact]
    public void An_envelope_with_the_wrong_element_count_is_malformed()
    {
        var r = Open(Raw((ref MessagePackWriter w) => { w.WriteArrayHeader(4); w.Write(1); w.Write(16); w.WriteNil(); w.WriteNil(); w.Flush(); }), 16);
        Assert.Equal((false, ReplyStatus.Malformed), (r.Ok, r.Failure));
        Assert.Contains("4 elements", r.Reason);
    }

    [Fact]
    public void A_label_that_disagrees_with_the_code_is_malformed()
    {
        var r = Open(Encode(16, Codecs.Empty, default), 17);
        Assert.Equal((false, ReplyStatus.Malformed), (r.Ok, r.Failure));
        Assert.Contains("label 17", r.Reason);
    }

    [Fact]
    public void A_code_out_of_range_is_malformed()
    {
        ulong code = (ulong)uint.MaxValue + 1;
        var r = Open(Raw((ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(1); w.Write(code); w.WriteNil(); w.Flush(); }), code);
        Assert.Equal((false, ReplyStatus.Malformed), (r.Ok, r.Failure));
        Assert.Contains("out of range", r.Reason);
    }

    [Fact]
    public void A_truncated_envelope_is_malformed_not_an_exception()
    {
        byte[] whole = Encode(16, PairCodec.Instance, new Pair(1, 1L << 40));
        for (int cut = 1; cut < whole.Length; cut++)
        {
            byte[] part = whole[..cut];
            if (!Envelope.TryOpen(part, 16, out _, out MessagePackReader body, out ReplyStatus failure, out string reason))
            {
                Assert.Equal(ReplyStatus.Malformed, failure);
                Assert.NotEmpty(reason);
                continue;
            }
            Assert.False(Envelope.TryReadBody(ref body, PairCodec.Instance, out _, out reason), $"cut at {cut} decoded");
            Assert.Contains("undecodable body", reason);
        }
    }

    [Fact]
    public void A_body_of_the_wrong_type_is_malformed()
    {
        byte[] bytes = Encode(16, Codecs.String, "not a pair");
        Assert.False(ReadBody(bytes, 16, PairCodec.Instance, out _, out string reason));
        Assert.Contains("undecodable body", reason);
    }

    [Fact]
    public void A_body_with_too_few_fields_is_malformed()
    {
        byte[] bytes = Raw((ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(1); w.Write(16); w.WriteArrayHeader(1); w.Write(4); w.Flush(); });
        Assert.False(ReadBody(bytes, 16, PairCodec.Instance, out _, out string reason));
        Assert.Contains("expected an array of 2 fields, got 1", reason);
    }

    [Fact]
    public void Trailing_bytes_after_the_body_are_malformed()
    {
        byte[] bytes = [.. Encode(16, Codecs.Int64, 5L), 0xC0];
        Assert.False(ReadBody(bytes, 16, Codecs.Int64, out _, out string reason));
        Assert.Contains("trailing", reason);
    }

    [Fact]
    public void An_array_header_claiming_more_elements_than_the_bytes_hold_is_malformed()
    {
        // A body that claims 2^32-1 elements in 6 bytes must fail on the bytes, not allocate.
        byte[] bytes = Raw((ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(1); w.Write(16); w.WriteArrayHeader(uint.MaxValue); w.Flush(); });
        Assert.False(ReadBody(bytes, 16, PairCodec.Instance, out _, out string reason));
        Assert.Contains("undecodable body", reason);
    }

    [Fact]
    public void A_byte_that_is_never_used_in_MessagePack_is_malformed()
    {
        var r = Open([0xC1], 16);
        Assert.Equal((false, ReplyStatus.Malformed), (r.Ok, r.Failure));
    }

    [Fact]
    public void A_stats_report_with_mismatched_histogram_is_malformed()
    {
        var report = new StatsReport { Server = "x", HistogramUpperBoundsNs = [1, 2], HistogramCounts = [1, 2] };
        byte[] bytes = Encode(0, StatsReportCodec.Instance, report);
        Assert.False(ReadBody(bytes, 0, StatsReportCodec.Instance, out _, out string reason));
        Assert.Contains("histogram counts", reason);
    }

    [Fact]
    public void A_stats_report_with_a_negative_figure_is_malformed()
    {
        var report = new StatsReport { Server = "x", Gen1Collections = -1, HistogramCounts = [0] };
        Assert.False(ReadBody(Encode(0, StatsReportCodec.Instance, report), 0, StatsReportCodec.Instance, out _, out string reason));
        Assert.Contains("Gen1Collections is negative", reason);
    }

    [Fact]
    public void A_message_larger_than_one_IPC_payload_is_refused_when_encoding()
    {
        var builder = new MessageBuilder();
        Assert.True(Envelope.TryEncode(builder, 16, Codecs.Bytes, new byte[IpcBuffer.MaxPayload - 10], out _));
        Assert.False(Envelope.TryEncode(builder, 16, Codecs.Bytes, new byte[IpcBuffer.MaxPayload], out string? failure));
        Assert.Contains("4032", failure);
        Assert.False(Envelope.TryEncode(builder, 16, Codecs.String, new string('x', 100_000), out failure));
        Assert.Contains("exceeds", failure);
    }

    [Fact]
    public void An_error_reply_always_fits_even_with_a_huge_message()
    {
        var builder = new MessageBuilder();
        Envelope.EncodeError(builder, ReplyStatus.HandlerFailed, new string('é', 50_000));
        Assert.True(builder.WrittenCount <= IpcBuffer.MaxPayload);
        Assert.True(ReadBody(builder.WrittenSpan.ToArray(), (ulong)ReplyStatus.HandlerFailed, Codecs.String, out string text, out _));
        Assert.Equal(1000, text.Length);
    }

    [Fact]
    public void Request_ids_below_16_are_reserved_and_0_is_invalid()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestType<Empty, Empty>(1, "Mine", true, Codecs.Empty, Codecs.Empty));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestType<Empty, Empty>(0, "Zero", true, Codecs.Empty, Codecs.Empty));
        Assert.Equal(1u, StandardRequests.Stats.Id);
    }
}
