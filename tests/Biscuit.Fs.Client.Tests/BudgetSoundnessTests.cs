// The empirical check of the fs server's admission budgets (issue 10's soundness check applied to
// fs): maxlive analyses the handlers (with the documented [AssumeAllocation] budgets of the
// library calls, LibraryCalls.cs), FileService.AdmissionBudgets adds the caches' growth, and a
// workload touching every request type — deep paths, symbolic links, a large directory, errors —
// runs with lib's allocation measurement on. Bytes allocated on the worker thread (decode,
// handler, encode) bound what a request holds live; none may exceed what admission reserved.
using Biscuit.Fs.Protocol;
using Biscuit.Fs.Service;
using Biscuit.MaxLive.Analysis;
using Xunit.Abstractions;

namespace Biscuit.Fs.Client.Tests;

public class BudgetSoundnessTests(ITestOutputHelper output)
{
    public static readonly Lazy<(string Request, long Bytes)[]> Table = new(() =>
    {
        var result = Analyzer.Analyze(new[] { typeof(FileService).Assembly.Location, typeof(FsContracts).Assembly.Location }, "fs");
        Assert.True(result.Ok, string.Join("\n", result.AllErrors));
        return result.Requests.Select(r => (r.Request, r.Bytes)).ToArray();
    });

    [Fact]
    public void Maxlive_bounds_every_fs_request_type()
    {
        var names = Table.Value.Select(r => r.Request).ToHashSet();
        foreach (var field in typeof(FsContracts).GetFields())
            Assert.Contains(((Biscuit.Lib.Messages.RequestTypeInfo)field.GetValue(null)!).Name, names);
        Assert.All(Table.Value, r => Assert.True(r.Bytes >= 0, r.Request));
    }

    [Fact]
    public void No_request_allocates_more_than_admission_reserved_for_it()
    {
        var budgets = FileService.AdmissionBudgets(Table.Value, FsHarness.CacheBytes, CacheSizing.LookupCacheEntries);
        using var h = new FsHarness(stage =>
        {
            Directory.CreateDirectory(Path.Combine(stage, "big"));
            for (int i = 0; i < 300; i++) File.WriteAllText(Path.Combine(stage, "big", $"{new string('n', 200)}{i:D3}"), "x");
            File.WriteAllBytes(Path.Combine(stage, "data"), FsHarness.Pattern(64 * 1024, 1));
        }, budgets: budgets, measureAllocations: true);
        var c = h.Client;
        string deep = "";
        for (int i = 0; i < 20; i++) { deep += "/" + new string((char)('a' + i), 100); c.Mkdir(deep); }
        c.Symlink(deep, "/to-deep");
        string chain = "/to-deep";
        for (int i = 0; i < 30; i++) { c.Symlink(chain, $"/link{i}"); chain = $"/link{i}"; }
        for (int round = 0; round < 3; round++)
        {
            ulong f = h.Open(chain + "/file" + round, LinuxOpenFlags.O_CREAT);
            c.Write(f, 0, FsHarness.Pattern(20_000, round));
            c.Read(f, 0, new byte[20_000]);
            var window = c.MapDataWindow(DataWindowTests.Address).Value;   // granted again each round: ResetClient takes it back
            c.WriteFromWindow(new WindowTransfer(window.WindowId, f, 0, 0, DataWindowLimits.SlotBytes));
            c.ReadToWindow(new WindowTransfer(window.WindowId, f, 0, 1, DataWindowLimits.SlotBytes));
            c.ReadToWindow(new WindowTransfer(window.WindowId, f, 0, DataWindowLimits.Slots, 1));
            c.Truncate(f, 100);
            c.StatHandle(f);
            c.Fsync(f);
            c.Close(f);
            c.Close(f);
            var held = c.Open(chain + "/file" + round, 0).Value;
            var again = c.Reopen(held.Status.Inode, held.Generation, 0).Value;
            c.Reopen(held.Status.Inode, held.Generation + 1, 0);
            c.Close(again.Handle);
            c.Close(held.Handle);
            h.Open(chain + "/file" + round, 0);
            c.ResetClient();
            ulong d = h.Open("/big", LinuxOpenFlags.O_DIRECTORY);
            for (long cookie = 0; cookie != FsLimits.EndOfDirectory;) cookie = c.ReadDirectory(d, cookie).Value.NextCookie;
            c.Close(d);
            c.Stat(chain + "/file" + round);
            c.Stat("/nope/" + new string('x', 300));
            c.Link(chain + "/file" + round, "/hard" + round);
            c.Rename("/hard" + round, "/moved" + round);
            c.Readlink(chain);
            c.Chmod(chain, 0x1C0);
            c.Chown(chain, 1, 2);
            c.Utimes(chain, 1, 0, 2, TimeSpecial.UTIME_NOW);
            c.Unlink("/moved" + round);
            c.Mkdir("/gone" + round);
            c.Rmdir("/gone" + round);
            c.Rmdir("/big");
            c.Sync();
            c.Statfs();
            var shrink = new Biscuit.Lib.Client.ServiceClient(h.Endpoint.CreateClient())
                .Call(Biscuit.Lib.Messages.StandardRequests.Shrink, default, 60_000);
            Assert.True(shrink.IsOk, $"Shrink: {shrink}");
            var told = new Biscuit.Lib.Client.ServiceClient(h.Endpoint.CreateClient())
                .Call(Biscuit.Lib.Messages.StandardRequests.Incarnation, new Biscuit.Lib.Telemetry.Incarnation(2, 1, 0, 9, 20, 20), 60_000);
            Assert.True(told.IsOk, $"Incarnation: {told}");
        }
        var figures = c.FsStats();
        FsAssert.Ok(figures);
        var gc = figures.Value!.Gc;
        Assert.NotEmpty(gc.AllocationRequests);
        for (int i = 0; i < gc.AllocationRequests.Length; i++)
        {
            string name = gc.AllocationRequests[i];
            long budget = gc.AllocationBudgets[i], observed = gc.AllocationObservedMax[i];
            output.WriteLine($"{name}: admission budget {budget} B, observed at most {observed} B");
            Assert.True(observed <= budget, $"{name} allocated {observed} B, more than its admission budget of {budget} B");
            // Sync finds its lists already grown, Statfs and MapDataWindow build structs: they may allocate nothing.
            if (name is not ("Stats" or "FsStats" or "Sync" or "Statfs" or "MapDataWindow")) Assert.True(observed > 0, $"{name} was never measured");
        }
    }
}
