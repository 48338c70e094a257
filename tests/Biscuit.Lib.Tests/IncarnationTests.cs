// A server's restart history (issue 9 item 1): init tells each restarted instance, with the standard
// Incarnation request, which incarnation it is and what happened before; every later Stats reply
// carries it, and the Stats table (posix's /proc/biscuit/gc) shows it. A history that cannot be true
// is refused as malformed, and the server keeps what it had.
using Biscuit.Lib.Client;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Telemetry;
using MessagePack;

namespace Biscuit.Lib.Tests;

public class IncarnationTests
{
    private static readonly Incarnation ThirdAfterASegfault = new(Number: 3, Deaths: 2, InjectedDeaths: 1, LastDeathStatus: 11,
        LastRestartLatencyMs: 21, MaxRestartLatencyMs: 40);

    [Fact]
    public void A_server_never_restarted_reports_its_first_incarnation_and_no_deaths()
    {
        using var running = new RunningServer(_ => { }, name: "net");
        var stats = new ServiceClient(running.Endpoint.CreateClient()).Call(StandardRequests.Stats, default, 30_000);
        Assert.True(stats.IsOk, stats.ToString());
        Assert.Equal(Incarnation.First, stats.Value!.History);
        Assert.Equal("-", stats.Value.History.LastDeath);
    }

    [Fact]
    public void What_init_tells_a_restarted_server_comes_back_in_its_Stats()
    {
        using var running = new RunningServer(_ => { }, name: "fs");
        var client = new ServiceClient(running.Endpoint.CreateClient());
        Assert.True(client.Call(StandardRequests.Incarnation, ThirdAfterASegfault, 30_000).IsOk);
        var stats = client.Call(StandardRequests.Stats, default, 30_000);
        Assert.True(stats.IsOk, stats.ToString());
        Assert.Equal(ThirdAfterASegfault, stats.Value!.History);
    }

    [Fact]
    public void The_history_survives_the_Stats_wire_form()
    {
        var report = new StatsReport { Server = "blk", HistogramUpperBoundsNs = [1000], HistogramCounts = [0, 0], History = ThirdAfterASegfault };
        var bytes = Encode(report);
        var reader = new MessagePackReader(bytes);
        Assert.Equal(ThirdAfterASegfault, StatsReportCodec.Instance.Read(ref reader).History);
    }

    [Fact]
    public void A_Stats_reply_from_a_writer_without_the_history_reads_as_a_first_incarnation()
    {
        // 36 fields: what a writer before the history sent; the reader must not ask for more.
        var full = Encode(
            new StatsReport { Server = "mm", HistogramUpperBoundsNs = [1000], HistogramCounts = [0, 0], History = ThirdAfterASegfault });
        var reader = new MessagePackReader(full);
        Assert.Equal(StatsReportCodec.FieldsWithHistory, reader.ReadArrayHeader());
        var older = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(older);
        w.WriteArrayHeader(StatsReportCodec.FieldsWithRequestPauses);
        for (int i = 0; i < StatsReportCodec.FieldsWithRequestPauses; i++) w.WriteRaw(reader.ReadRaw());
        w.Flush();
        var olderReader = new MessagePackReader(older.WrittenMemory);
        Assert.Equal(Incarnation.First, StatsReportCodec.Instance.Read(ref olderReader).History);
    }

    [Theory]
    [InlineData(0, 0, 0, 0, 0, 0, "Number must be at least 1")]
    [InlineData(2, 1, 2, 9, 5, 5, "2 injected deaths of 1")]
    [InlineData(4, 2, 0, 9, 5, 5, "incarnation 4 after only 2 deaths")]
    [InlineData(2, 1, 0, 9, 50, 5, "last restart latency 50 ms above the largest, 5 ms")]
    [InlineData(2, -1, 0, 9, 5, 5, "Deaths is negative (-1)")]
    public void A_history_that_cannot_be_true_is_refused_and_the_server_keeps_what_it_had(long number, long deaths, long injected, long status,
        long last, long max, string why)
    {
        using var running = new RunningServer(_ => { }, name: "posix");
        var client = new ServiceClient(running.Endpoint.CreateClient());
        var told = client.Call(StandardRequests.Incarnation, new Incarnation(number, deaths, injected, status, last, max), 30_000);
        Assert.Equal(CallOutcome.ServerError, told.Outcome);
        Assert.Contains(why, told.ToString());
        Assert.Equal(Incarnation.First, client.Call(StandardRequests.Stats, default, 30_000).Value!.History);
    }

    [Theory]
    [InlineData(11, "signal 11")]
    [InlineData(9, "signal 9")]
    [InlineData(3 << 8, "exit 3")]
    public void The_last_death_is_said_as_init_says_it(long status, string said) =>
        Assert.Equal(said, (ThirdAfterASegfault with { LastDeathStatus = status }).LastDeath);

    [Fact]
    public void The_stats_table_shows_each_server_s_incarnation_deaths_last_death_and_restart_latency()
    {
        var table = StatsTable.Format([
            new StatsReport { Server = "fs", HistogramUpperBoundsNs = [1000], HistogramCounts = [0, 0], History = ThirdAfterASegfault },
            new StatsReport { Server = "net", HistogramUpperBoundsNs = [1000], HistogramCounts = [0, 0] },
        ]).Split('\n');
        Assert.Matches(@"^incarnation +3 +1$", table.Single(l => l.StartsWith("incarnation")));
        Assert.Matches(@"^deaths \(injected\) +2 \(1\) +0 \(0\)$", table.Single(l => l.StartsWith("deaths")));
        Assert.Matches(@"^last death +signal 11 +-$", table.Single(l => l.StartsWith("last death")));
        Assert.Matches(@"^restart ms last/max +21/40 +-$", table.Single(l => l.StartsWith("restart ms")));
    }

    private static ReadOnlyMemory<byte> Encode(StatsReport report)
    {
        var bytes = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(bytes);
        StatsReportCodec.Instance.Write(ref w, report);
        w.Flush();
        return bytes.WrittenMemory;
    }
}
