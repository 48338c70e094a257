// The standard Shrink request (issue 8 item 5): every server answers it; it runs the shrink
// callbacks the server registered, then a full compacting collection, and reports what was dropped
// and how the heap shrank. A failing callback is logged and does not stop the others or the GC.
using System.Buffers;
using System.Runtime.CompilerServices;
using Biscuit.Lib.Client;
using Biscuit.Lib.Messages;
using MessagePack;

namespace Biscuit.Lib.Tests;

public class ShrinkTests
{
    /// <summary>A cache the test fills with one large array; dropping it lets the whole array go.</summary>
    private sealed class BigCache
    {
        public byte[]? Held;
        public long Drop()
        {
            long bytes = Held?.Length ?? 0;
            Held = null;
            return bytes;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Fill(BigCache cache, int bytes)
    {
        cache.Held = new byte[bytes];
        Array.Fill(cache.Held, (byte)1);   // touched, so really committed
    }

    [Fact]
    public void Every_server_answers_shrink_even_with_no_callbacks()
    {
        using var running = new RunningServer(_ => { });
        var client = new ServiceClient(running.Endpoint.CreateClient());
        var reply = client.Call(StandardRequests.Shrink, default, 30_000);
        Assert.True(reply.IsOk, reply.ToString());
        Assert.Equal((0L, 0, 0), (reply.Value!.CacheBytesDropped, reply.Value.Callbacks, reply.Value.CallbacksFailed));
    }

    [Fact]
    public void Shrink_runs_the_callbacks_then_collects_and_the_heap_shrinks_by_what_they_dropped()
    {
        const int Size = 32 << 20;
        var cache = new BigCache();
        using var running = new RunningServer(s =>
        {
            s.RegisterShrinkCallback("big", cache.Drop);
            s.RegisterShrinkCallback("small", () => 1234);
        });
        Fill(cache, Size);
        var client = new ServiceClient(running.Endpoint.CreateClient());
        var reply = client.Call(StandardRequests.Shrink, default, 30_000);
        Assert.True(reply.IsOk, reply.ToString());
        var r = reply.Value!;
        Assert.Null(cache.Held);
        Assert.Equal(Size + 1234L, r.CacheBytesDropped);
        Assert.Equal((2, 0), (r.Callbacks, r.CallbacksFailed));
        Assert.True(r.HeapBytesBefore >= Size, $"heap before {r.HeapBytesBefore}");
        Assert.True(r.HeapShrankBytes >= Size - (1 << 20), $"the heap shrank by {r.HeapShrankBytes} bytes: {r}");
        Assert.Equal(Math.Max(0, r.CommittedBytesBefore - r.CommittedBytesAfter), r.CommittedShrankBytes);
    }

    [Fact]
    public void A_throwing_or_negative_callback_is_logged_and_counted_and_the_others_still_run()
    {
        bool lastRan = false;
        using var running = new RunningServer(s =>
        {
            s.RegisterShrinkCallback("broken", () => throw new InvalidOperationException("cache\nin use"));
            s.RegisterShrinkCallback("liar", () => -5);
            s.RegisterShrinkCallback("fine", () => { lastRan = true; return 100; });
        });
        var client = new ServiceClient(running.Endpoint.CreateClient());
        var reply = client.Call(StandardRequests.Shrink, default, 30_000);
        Assert.True(reply.IsOk, reply.ToString());
        Assert.True(lastRan);
        Assert.Equal((100L, 3, 2), (reply.Value!.CacheBytesDropped, reply.Value.Callbacks, reply.Value.CallbacksFailed));
        Assert.Contains("shrink: callback broken failed: InvalidOperationException: cache in use", running.Log);
        Assert.Contains("shrink: callback liar returned a negative count (-5)", running.Log);
    }

    [Fact]
    public void A_callback_needs_a_name_and_a_function()
    {
        using var running = new RunningServer(_ => { });
        Assert.Throws<ArgumentException>(() => running.Server.RegisterShrinkCallback("", () => 0));
        Assert.Throws<ArgumentNullException>(() => running.Server.RegisterShrinkCallback("x", null!));
    }

    [Fact]
    public void Shrink_is_a_standard_idempotent_request_with_id_2()
    {
        Assert.Equal(2u, StandardRequests.Shrink.Id);
        Assert.True(StandardRequests.Shrink.Idempotent);
        Assert.Equal("Shrink", StandardRequests.Shrink.Name);
    }

    private static byte[] Encode(Action<MessagePackWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        write(w);
        return buffer.WrittenSpan.ToArray();
    }

    private static ShrinkReport Decode(byte[] bytes)
    {
        var r = new MessagePackReader(bytes);
        return ShrinkReportCodec.Instance.Read(ref r);
    }

    [Fact]
    public void The_report_round_trips_and_a_newer_writers_extra_fields_are_skipped()
    {
        var report = new ShrinkReport(1, 2, 1, 4, 3, 6, 5);
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        ShrinkReportCodec.Instance.Write(ref w, report);
        w.Flush();
        Assert.Equal(report, Decode(buffer.WrittenSpan.ToArray()));
        var longer = Encode(w2 => { w2.WriteArrayHeader(8); for (int i = 0; i < 8; i++) w2.Write(i); w2.Flush(); });
        Assert.Equal(new ShrinkReport(0, 1, 2, 3, 4, 5, 6), Decode(longer));
    }

    [Fact]
    public void A_short_report_or_a_negative_figure_is_malformed()
    {
        var shortOne = Encode(w => { w.WriteArrayHeader(3); w.Write(1); w.Write(2); w.Write(3); w.Flush(); });
        Assert.Contains("expected an array of 7 fields, got 3", Assert.Throws<MalformedMessageException>(() => Decode(shortOne)).Message);
        var negative = Encode(w => { w.WriteArrayHeader(7); w.Write(1); w.Write(1); w.Write(0); w.Write(-4); w.Write(0); w.Write(0); w.Write(0); w.Flush(); });
        Assert.Contains("heap before is negative (-4)", Assert.Throws<MalformedMessageException>(() => Decode(negative)).Message);
    }
}
