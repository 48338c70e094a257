// The fs server's figures (FsStats: lib's GC report with the block cache and journal figures),
// lib's standard Stats, and admission control: a request whose budget cannot fit is refused
// with Busy, which the client reports as ENOMEM.
using Biscuit.Fs.Protocol;
using Biscuit.Fs.Service;
using Biscuit.Lib.Telemetry;

namespace Biscuit.Fs.Client.Tests;

public class ServerFiguresTests
{
    [Fact]
    public void FsStats_reports_cache_hits_journal_figures_and_the_GC_report()
    {
        using var h = new FsHarness(stage => File.WriteAllBytes(Path.Combine(stage, "f"), new byte[20_000]));
        h.ReadFile("/f");
        h.ReadFile("/f");
        h.Client.Mkdir("/d");
        h.Client.Sync();
        var r = h.Client.FsStats();
        FsAssert.Ok(r);
        var f = r.Value!;
        Assert.True(f.CacheHits > 0 && f.CacheMisses > 0, $"{f.CacheHits} hits, {f.CacheMisses} misses");
        Assert.InRange(f.CacheHitRate, 0.01, 1.0);
        Assert.True(f.JournalTransactions >= 1 && f.JournalBlocksLogged >= 1);
        Assert.Equal(0, f.TransactionsReplayedAtMount);
        Assert.Equal(FsHarness.CacheBytes, f.CacheBytes);
        Assert.Equal(0, f.OpenFiles);
        Assert.Equal("fs-test", f.Gc.Server);
        Assert.True(f.Gc.RequestsOk >= 8, $"{f.Gc.RequestsOk} requests");
        Assert.True(f.Gc.HeapLimitBytes > 0);
    }

    [Fact]
    public void A_journal_left_by_a_crash_is_replayed_at_mount_and_FsStats_reports_it()
    {
        using var h = new FsHarness(stage => File.WriteAllText(Path.Combine(stage, "j.txt"), "before the crash\n"),
            beforeMount: harness => harness.JournalPendingRewrite("/j.txt", "after the replay\n"));
        Assert.Equal(1, h.Client.FsStats().Value!.TransactionsReplayedAtMount);
        Assert.Equal("after the replay\n", System.Text.Encoding.UTF8.GetString(h.ReadFile("/j.txt")));
        h.Stop();
        Biscuit.Fs.Tests.E2fsTools.AssertClean(h.Image);
    }

    [Fact]
    public void FsStats_counts_the_files_held_open()
    {
        using var h = new FsHarness();
        h.Open("/", Protocol.LinuxOpenFlags.O_DIRECTORY);
        h.Open("/", Protocol.LinuxOpenFlags.O_DIRECTORY);
        Assert.Equal(2, h.Client.FsStats().Value!.OpenFiles);
    }

    [Fact]
    public void Libs_standard_Stats_is_answered_too()
    {
        using var h = new FsHarness();
        var s = h.Client.Stats();
        FsAssert.Ok(s);
        Assert.Equal("fs-test", s.Value!.Server);
    }

    private sealed class TinyHeap : IHeapGauge
    {
        public long HeapLimitBytes => 4 << 20;
        public long LiveBytesAfterLastGc => 1 << 20;
        public void Collect() { }
    }

    [Fact]
    public void A_request_whose_budget_cannot_fit_the_heap_is_refused_and_the_client_sees_ENOMEM()
    {
        var budgets = FileService.AdmissionBudgets(BudgetSoundnessTests.Table.Value, FsHarness.CacheBytes, CacheSizing.LookupCacheEntries);
        using var h = new FsHarness(gauge: new TinyHeap(), budgets: budgets);
        FsAssert.Errno(Errno.ENOMEM, h.Client.Rename("/a", "/b"));   // about 5 MiB of budget on a 4 MiB heap
        FsAssert.Ok(h.Client.Statfs());                            // a small request still runs
    }

    [Fact]
    public void Admission_budgets_add_the_caches_growth_to_every_request_that_reaches_the_disk()
    {
        var table = new[] { ("Read", 100L), ("Stats", 50L), ("Statfs", 0L), ("FsStats", 70L) };
        var budgets = FileService.AdmissionBudgets(table, 1 << 20, 10);
        Assert.Equal(100 + (1 << 20) + (1 << 19) + 6000, budgets["Read"]);
        Assert.Equal(50, budgets["Stats"]);
        Assert.Equal(0, budgets["Statfs"]);
        Assert.Equal(70, budgets["FsStats"]);
    }

    [Fact]
    public void The_block_cache_is_a_sixth_of_the_heap_within_bounds()
    {
        Assert.Equal(8L << 20, CacheSizing.BlockCacheBytes(48L << 20));
        Assert.Equal(CacheSizing.MinBlockCacheBytes, CacheSizing.BlockCacheBytes(1 << 20));
        Assert.Equal(CacheSizing.MaxBlockCacheBytes, CacheSizing.BlockCacheBytes(1L << 40));
    }
}
