// The standard Stats request: plausible GC figures after forced collections, request counters
// that match what was sent, and the host-side table.
using Biscuit.Lib.Client;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Telemetry;

namespace Biscuit.Lib.Tests;

public class StatsTests
{
    private static StatsReport RunAndCollectStats(string name, int forcedCollections, int extraRequests)
    {
        using var running = new RunningServer(s =>
        {
            s.Register(Calc.Collect, n =>
            {
                GC.Collect();   // a GC inside a request, sampled right after it
                return n;
            });
            s.Register(Calc.Add, p => p.A + p.B);
        }, name: name);
        var client = new ServiceClient(running.Endpoint.CreateClient());
        for (int i = 0; i < forcedCollections; i++) Assert.True(client.Call(Calc.Collect, i, 30_000).IsOk);
        for (int i = 0; i < extraRequests; i++) Assert.True(client.Call(Calc.Add, new Pair(i, i), 30_000).IsOk);
        Assert.Equal(CallOutcome.ServerError, client.Call(Calc.Unregistered, default, 30_000).Outcome);
        var stats = client.Call(StandardRequests.Stats, default, 30_000);
        Assert.True(stats.IsOk, stats.ToString());
        return stats.Value!;
    }

    [Fact]
    public void Stats_after_forced_collections_reports_plausible_gc_figures()
    {
        var stats = RunAndCollectStats("fs", forcedCollections: 5, extraRequests: 10);
        Assert.Equal("fs", stats.Server);
        Assert.True(stats.Gen2Collections >= 5, $"gen2 {stats.Gen2Collections}");
        Assert.True(stats.Gen1Collections >= stats.Gen2Collections, "every gen2 GC also collects gen1");
        Assert.True(stats.Gen0Collections >= stats.Gen1Collections, "every gen1 GC also collects gen0");
        Assert.True(stats.TotalPauseNs > 0);
        Assert.True(stats.SampledGcs >= 1, "a GC inside a request is sampled after it");
        Assert.True(stats.HistogramCounts.Sum() >= 1);
        Assert.Equal(PauseHistogram.UpperBoundsNs.Length + 1, stats.HistogramCounts.Length);
        Assert.True(stats.MaxPauseNs > 0 && stats.MaxPauseNs <= stats.TotalPauseNs, $"max {stats.MaxPauseNs} total {stats.TotalPauseNs}");
        Assert.True(stats.TimeInGcFraction > 0 && stats.TimeInGcFraction <= 1, $"fraction {stats.TimeInGcFraction}");
        Assert.True(stats.HeapLimitBytes > 0);
        Assert.True(stats.HeapSizeBytes > 0);
        Assert.True(stats.CommittedBytes > 0);
        Assert.True(stats.TotalAllocatedBytes >= stats.HeapSizeBytes / 2);
        Assert.True(stats.UptimeMs >= 0);
    }

    [Fact]
    public void Stats_counts_the_requests_the_server_received()
    {
        var stats = RunAndCollectStats("net", forcedCollections: 1, extraRequests: 7);
        Assert.Equal(1 + 7 + 1 + 1, stats.RequestsReceived);   // collect, adds, unknown, this Stats
        Assert.Equal(1 + 7, stats.RequestsOk);                  // this Stats counts as Ok only once its reply is built
        Assert.Equal(1, stats.RequestsUnknown);
        Assert.Equal(0, stats.RequestsMalformed);
        Assert.Equal(0, stats.HandlerFailures);
        Assert.Equal(1 + 7 + 1, stats.Admitted);                // no budget table: every known request (this Stats too) admitted with budget 0
        Assert.Equal((0L, 0L), (stats.Queued, stats.Refused));
    }

    [Fact]
    public void A_pause_lands_in_the_bin_of_its_upper_bound()
    {
        var histogram = new PauseHistogram();
        histogram.Add(TimeSpan.FromTicks(50));               // 5 us
        histogram.Add(TimeSpan.FromMicroseconds(10));        // exactly 10 us: the next bin
        histogram.Add(TimeSpan.FromMilliseconds(150));       // beyond the last bound
        long[] counts = histogram.SnapshotCounts();
        Assert.Equal(1, counts[0]);
        Assert.Equal(1, counts[1]);
        Assert.Equal(1, counts[^1]);
        Assert.Equal("<10us", PauseHistogram.BinLabel(0));
        Assert.Equal(">=100ms", PauseHistogram.BinLabel(counts.Length - 1));
    }

    [Fact]
    public void The_stats_table_has_a_column_per_server_and_the_non_empty_pause_bins()
    {
        var fs = new StatsReport
        {
            Server = "fs", Gen0Collections = 12, Gen1Collections = 3, Gen2Collections = 1, TotalPauseNs = 2_500_000, MaxPauseNs = 900_000,
            HistogramUpperBoundsNs = [100_000, 1_000_000], HistogramCounts = [4, 2, 0], HeapLimitBytes = 32L << 20, TimeInGcFraction = 0.031,
            RequestsReceived = 1000, RequestsOk = 998, Admitted = 990, Queued = 5, Refused = 10,
        };
        var net = fs with { Server = "net-server", HistogramCounts = [0, 0, 1], Refused = 0 };
        string table = StatsTable.Format([fs, net]);
        string[] lines = table.TrimEnd('\n').Split('\n');
        Assert.Contains("fs", lines[0]);
        Assert.Contains("net-server", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("gc gen0/gen1/gen2") && l.Contains("12/3/1"));
        Assert.Contains(lines, l => l.StartsWith("time in gc") && l.Contains("3.10%"));
        Assert.Contains(lines, l => l.StartsWith("heap limit") && l.Contains("32 MiB"));
        Assert.Contains(lines, l => l.StartsWith("admitted/queued/refused") && l.Contains("990/5/10") && l.Contains("990/5/0"));
        Assert.Contains(lines, l => l.StartsWith("pauses <100us") && l.Contains('4'));
        Assert.Contains(lines, l => l.StartsWith("pauses longer") && l.Contains('1'));
        Assert.Single(lines.Select(l => l.Length).Distinct());   // a rectangular table
    }

    [Fact]
    public void The_stats_table_of_no_servers_says_so()
    {
        Assert.Contains("no servers", StatsTable.Format([]));
    }

    [Fact]
    public void The_real_gauge_sees_what_survives_a_collection()
    {
        var kept = new byte[24 << 20];
        GC.Collect();
        Assert.True(GcHeapGauge.Instance.LiveBytesAfterLastGc >= kept.Length, $"live {GcHeapGauge.Instance.LiveBytesAfterLastGc}");
        GC.KeepAlive(kept);
    }

    [Fact]
    public void A_configured_hard_limit_is_parsed_as_a_number_or_a_decimal_or_hex_string()
    {
        Assert.Equal(33554432, GcHeapGauge.Parse("33554432"));
        Assert.Equal(0x2000000, GcHeapGauge.Parse("0x2000000"));
        Assert.Equal(1234, GcHeapGauge.Parse(1234UL));
        Assert.Equal(0, GcHeapGauge.Parse("lots"));
        Assert.Equal(0, GcHeapGauge.Parse(null));
        Assert.Equal(0, GcHeapGauge.Parse(-5L));
    }

    [Fact]
    public void Without_a_configured_hard_limit_the_gauge_uses_what_the_gc_considers_available()
    {
        // The test host runs without a hard limit: the gauge then falls back to what the GC considers available.
        Assert.Equal(0, GcHeapGauge.ConfiguredHardLimit());
        Assert.Equal(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, GcHeapGauge.Instance.HeapLimitBytes);
    }
}
