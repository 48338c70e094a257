// The GC pause accumulated inside one request (RequestGcMeter, issue 11): a request during which a
// GC ran is recorded with its pause, one during which none ran is not; the largest, the sum and the
// histogram; the worker's watch; the hot path allocates nothing; the Stats codec carries the new
// fields and still reads a report from a writer that predates them; the /proc table shows them.
// The tests that read the real runtime's counters run alone (a GC caused by a test running beside
// them would land inside their requests).
using Biscuit.Lib.Client;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Telemetry;
using MessagePack;

namespace Biscuit.Lib.Tests;

[CollectionDefinition(nameof(RealGcCollection), DisableParallelization = true)]
public sealed class RealGcCollection;

/// <summary>GC counters the test moves by hand.</summary>
public sealed class ScriptedGcClock : IGcPauseClock
{
    public long TotalPauseTicks { get; set; }
    public int Collections { get; set; }

    public void Collect(TimeSpan pause)
    {
        Collections++;
        TotalPauseTicks += pause.Ticks;
    }
}

public class RequestGcMeterTests
{
    [Fact]
    public void A_request_during_which_no_GC_ran_is_measured_but_not_counted_as_seeing_one()
    {
        var clock = new ScriptedGcClock { TotalPauseTicks = 1234, Collections = 7 };
        var meter = new RequestGcMeter(clock);
        meter.End(meter.Begin());
        var f = meter.Snapshot();
        Assert.Equal((1L, 0L, 0L, 0L), (f.RequestsMeasured, f.RequestsWithGc, f.PauseSumNs, f.MaxPauseNs));
        Assert.All(f.Histogram, n => Assert.Equal(0, n));
    }

    [Fact]
    public void A_request_during_which_two_GCs_ran_accumulates_both_pauses()
    {
        var clock = new ScriptedGcClock();
        var meter = new RequestGcMeter(clock);
        var mark = meter.Begin();
        clock.Collect(TimeSpan.FromMicroseconds(120));
        clock.Collect(TimeSpan.FromMicroseconds(180));
        meter.End(mark);
        var f = meter.Snapshot();
        Assert.Equal((1L, 1L, 300_000L, 300_000L), (f.RequestsMeasured, f.RequestsWithGc, f.PauseSumNs, f.MaxPauseNs));
        Assert.Equal(1, f.Histogram[PauseHistogram.BinOf(300_000)]);
        Assert.Equal("<500us", PauseHistogram.BinLabel(PauseHistogram.BinOf(300_000)));
    }

    [Fact]
    public void The_largest_accumulation_is_kept_the_sum_adds_up_and_each_request_lands_in_its_bin()
    {
        var clock = new ScriptedGcClock();
        var meter = new RequestGcMeter(clock);
        foreach (int us in new[] { 40, 900, 5 })
        {
            var mark = meter.Begin();
            clock.Collect(TimeSpan.FromMicroseconds(us));
            meter.End(mark);
        }
        meter.End(meter.Begin());   // no GC
        var f = meter.Snapshot();
        Assert.Equal((4L, 3L, 945_000L, 900_000L), (f.RequestsMeasured, f.RequestsWithGc, f.PauseSumNs, f.MaxPauseNs));
        Assert.Equal(3, f.Histogram.Sum());
        Assert.Equal(1, f.Histogram[PauseHistogram.BinOf(5_000)]);
        Assert.Equal(1, f.Histogram[PauseHistogram.BinOf(40_000)]);
        Assert.Equal(1, f.Histogram[PauseHistogram.BinOf(900_000)]);
    }

    [Fact]
    public void A_GC_too_short_for_the_runtimes_clock_still_counts_the_request_as_seeing_a_GC()
    {
        var clock = new ScriptedGcClock();
        var meter = new RequestGcMeter(clock);
        var mark = meter.Begin();
        clock.Collect(TimeSpan.Zero);
        meter.End(mark);
        var f = meter.Snapshot();
        Assert.Equal((1L, 0L), (f.RequestsWithGc, f.MaxPauseNs));
        Assert.Equal(1, f.Histogram[0]);
    }

    [Fact]
    public void Overlapping_requests_each_count_a_pause_that_fell_inside_both()
    {
        var clock = new ScriptedGcClock();
        var meter = new RequestGcMeter(clock);
        var first = meter.Begin();
        var second = meter.Begin();
        clock.Collect(TimeSpan.FromMicroseconds(50));
        meter.End(first);
        meter.End(second);
        var f = meter.Snapshot();
        Assert.Equal((2L, 100_000L, 50_000L), (f.RequestsWithGc, f.PauseSumNs, f.MaxPauseNs));
    }

    [Fact]
    public void A_watch_records_one_request_per_start_and_finish_and_ignores_a_finish_without_a_start()
    {
        var clock = new ScriptedGcClock();
        var meter = new RequestGcMeter(clock);
        var watch = new RequestGcWatch(meter);
        watch.Finished();
        Assert.Equal(0, meter.Snapshot().RequestsMeasured);
        watch.Started();
        clock.Collect(TimeSpan.FromMilliseconds(2));
        watch.Finished();
        watch.Finished();
        var f = meter.Snapshot();
        Assert.Equal((1L, 1L, 2_000_000L), (f.RequestsMeasured, f.RequestsWithGc, f.MaxPauseNs));
    }

    [Fact]
    public void Begin_and_End_allocate_nothing()
    {
        var meter = new RequestGcMeter();
        var clock = new ScriptedGcClock();
        var scripted = new RequestGcMeter(clock);
        meter.End(meter.Begin());
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            meter.End(meter.Begin());
            var mark = scripted.Begin();
            clock.Collect(TimeSpan.FromMicroseconds(i));   // the path that records a GC, too
            scripted.End(mark);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

[Collection(nameof(RealGcCollection))]
public class RequestGcInServerTests
{
    private static StatsReport Stats(ServiceClient client)
    {
        var r = client.Call(StandardRequests.Stats, default, 30_000);
        Assert.True(r.IsOk, r.ToString());
        return r.Value!;
    }

    [Fact]
    public void A_handler_that_forces_a_GC_is_recorded_and_handlers_that_do_not_are_not()
    {
        using var running = new RunningServer(s =>
        {
            s.Register(Calc.Collect, n =>
            {
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                return n;
            });
            s.Register(Calc.Add, p => p.A + p.B);
        });
        var client = new ServiceClient(running.Endpoint.CreateClient());
        for (int i = 0; i < 10; i++) Assert.True(client.Call(Calc.Add, new Pair(i, i), 30_000).IsOk);   // first-use allocations

        // No GC can run while the no-GC region holds (this collection runs alone, and 64 MiB is far
        // more than these requests allocate), so none of the requests inside it may see one.
        Assert.True(GC.TryStartNoGCRegion(64L << 20), "the runtime refused a no-GC region");
        var before = Stats(client);
        for (int i = 0; i < 20; i++) Assert.True(client.Call(Calc.Add, new Pair(i, i), 30_000).IsOk);
        var quiet = Stats(client);
        GC.EndNoGCRegion();
        Assert.Equal(21, quiet.RequestsMeasuredForGc - before.RequestsMeasuredForGc);   // the first Stats and 20 adds; a Stats is not inside its own figures
        Assert.Equal(0, quiet.RequestsWithGc - before.RequestsWithGc);

        Assert.True(client.Call(Calc.Collect, 1, 30_000).IsOk);
        var stats = Stats(client);
        Assert.Equal(2, stats.RequestsMeasuredForGc - quiet.RequestsMeasuredForGc);    // the second Stats (inside the region) and the Collect
        Assert.Equal(1, stats.RequestsWithGc - quiet.RequestsWithGc);
        Assert.True(stats.RequestPauseMaxNs > 0, "a forced full compacting GC takes more than the runtime's 1 µs resolution");
        Assert.True(stats.RequestPauseMaxNs <= stats.TotalPauseNs, $"request pause {stats.RequestPauseMaxNs} ns, all pauses {stats.TotalPauseNs} ns");
        Assert.Equal(stats.RequestsWithGc, stats.RequestPauseHistogramCounts.Sum());
        Assert.Equal(PauseHistogram.UpperBoundsNs.Length + 1, stats.RequestPauseHistogramCounts.Length);
    }
}

public class RequestGcStatsCodecTests
{
    private static readonly StatsReport Full = new()
    {
        Server = "posix", UptimeMs = 1, Gen0Collections = 2, HistogramUpperBoundsNs = [10, 20], HistogramCounts = [7, 8, 9],
        TimeInGcFraction = 0.5, AllocationRequests = ["Read"], AllocationBudgets = [100], AllocationObservedMax = [50],
        RequestsMeasuredForGc = 1000, RequestsWithGc = 12, RequestPauseSumNs = 3_000_000, RequestPauseMaxNs = 900_000,
        RequestPauseHistogramCounts = [1, 2, 9],
    };

    private static byte[] Write(StatsReport report)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        StatsReportCodec.Instance.Write(ref w, report);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static StatsReport Read(byte[] bytes)
    {
        var r = new MessagePackReader(bytes);
        return StatsReportCodec.Instance.Read(ref r);
    }

    /// <summary>The same report as a writer that knew only the first `fields` fields would send it.</summary>
    private static byte[] Truncated(byte[] bytes, int fields)
    {
        var r = new MessagePackReader(bytes);
        r.ReadArrayHeader();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(fields);
        for (int i = 0; i < fields; i++) w.WriteRaw(r.ReadRaw());
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public void The_request_pause_fields_round_trip()
    {
        var back = Read(Write(Full));
        Assert.Equal((1000L, 12L, 3_000_000L, 900_000L), (back.RequestsMeasuredForGc, back.RequestsWithGc, back.RequestPauseSumNs, back.RequestPauseMaxNs));
        Assert.Equal(Full.RequestPauseHistogramCounts, back.RequestPauseHistogramCounts);
        Assert.Equal(Full.AllocationObservedMax, back.AllocationObservedMax);   // the fields before them still in place
        Assert.Equal(Full.HistogramCounts, back.HistogramCounts);
    }

    [Theory]
    [InlineData(StatsReportCodec.Fields)]
    [InlineData(StatsReportCodec.FieldsWithAllocations)]
    public void A_report_from_a_writer_that_predates_the_request_pause_fields_reads_with_them_empty(int fields)
    {
        var back = Read(Truncated(Write(Full), fields));
        Assert.Equal("posix", back.Server);
        Assert.Equal(Full.HistogramCounts, back.HistogramCounts);
        Assert.Equal((0L, 0L, 0L, 0L), (back.RequestsMeasuredForGc, back.RequestsWithGc, back.RequestPauseSumNs, back.RequestPauseMaxNs));
        Assert.Empty(back.RequestPauseHistogramCounts);
        Assert.Equal(fields >= StatsReportCodec.FieldsWithAllocations ? 1 : 0, back.AllocationRequests.Length);
    }

    [Fact]
    public void A_reader_that_predates_the_request_pause_fields_skips_them()
    {
        // What a 31-field reader does with a longer array: read its 31, skip the rest (Codecs.SkipExtraFields).
        byte[] bytes = Write(Full);
        var r = new MessagePackReader(bytes);
        int count = r.ReadArrayHeader();
        Assert.Equal(StatsReportCodec.FieldsWithHistory, count);   // the restart history came after the pause fields
        for (int i = 0; i < StatsReportCodec.FieldsWithAllocations; i++) r.Skip();
        Codecs.SkipExtraFields(ref r, count, StatsReportCodec.FieldsWithAllocations);
        Assert.True(r.End);
    }

    [Fact]
    public void A_request_pause_histogram_that_does_not_match_the_bounds_is_malformed()
    {
        var e = Assert.Throws<MalformedMessageException>(() => Read(Write(Full with { RequestPauseHistogramCounts = [1, 2] })));
        Assert.Contains("request-pause histogram", e.Message);
    }

    [Fact]
    public void More_requests_with_a_GC_than_requests_measured_is_malformed()
    {
        var e = Assert.Throws<MalformedMessageException>(() => Read(Write(Full with { RequestsWithGc = 1001 })));
        Assert.Contains("inconsistent", e.Message);
    }

    [Fact]
    public void A_largest_request_pause_above_their_sum_is_malformed()
    {
        var e = Assert.Throws<MalformedMessageException>(() => Read(Write(Full with { RequestPauseMaxNs = 3_000_001 })));
        Assert.Contains("inconsistent", e.Message);
    }

    [Fact]
    public void A_negative_request_pause_is_malformed()
    {
        var e = Assert.Throws<MalformedMessageException>(() => Read(Write(Full with { RequestPauseSumNs = -1, RequestPauseMaxNs = -5 })));
        Assert.Contains("RequestPauseSumNs is negative", e.Message);
    }

    [Fact]
    public void The_stats_table_shows_the_request_pauses_exactly_and_their_non_empty_bins()
    {
        var posix = Full with { TotalPauseNs = 12_345_678, HistogramUpperBoundsNs = [100_000, 1_000_000], RequestPauseHistogramCounts = [0, 12, 0] };
        var old = posix with { Server = "fs", RequestsMeasuredForGc = 0, RequestsWithGc = 0, RequestPauseSumNs = 0, RequestPauseMaxNs = 0, RequestPauseHistogramCounts = [] };
        string[] lines = StatsTable.Format([posix, old]).TrimEnd('\n').Split('\n');
        Assert.Contains(lines, l => l.StartsWith("gc pause total (ns)") && l.Contains("12345678"));
        Assert.Contains(lines, l => l.StartsWith("requests with gc/measured") && l.Contains("12/1000") && l.Contains("0/0"));
        Assert.Contains(lines, l => l.StartsWith("request pause max (ns)") && l.Contains("900000"));
        Assert.Contains(lines, l => l.StartsWith("request pause sum (ns)") && l.Contains("3000000"));
        Assert.Contains(lines, l => l.StartsWith("request pause <1ms") && l.Contains("12") && l.TrimEnd().EndsWith('-'));
        Assert.DoesNotContain(lines, l => l.StartsWith("request pause <100us"));
        Assert.Single(lines.Select(l => l.Length).Distinct());   // still a rectangular table
    }
}
