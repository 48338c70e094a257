// Specification of mm's monitor (servers/mm/Biscuit.Mm/MemoryMonitor.cs): it applies the policy
// through the kernel's kill, logs each event once with the numbers, and keeps the figures MmStats
// reports.
using Biscuit.Mm;
using static Biscuit.Mm.Tests.FakeKernel;

namespace Biscuit.Mm.Tests;

public class MemoryMonitorTests
{
    private readonly FakeKernel kernel = new();
    private readonly List<string> log = [];
    private MemoryMonitor Monitor(long lowWater = 1000) => new(kernel, new OomPolicy(lowWater), log.Add);

    [Fact]
    public void With_enough_memory_a_tick_kills_nothing_and_logs_nothing()
    {
        kernel.Processes = [Init(1), Application(10, "app", 5000)];
        var m = Monitor();
        Assert.Null(m.Tick());
        Assert.Empty(kernel.Killed);
        Assert.Empty(log);
        Assert.Equal(1, m.Snapshot().Ticks);
    }

    [Fact]
    public void Low_memory_kills_the_largest_application_and_logs_it_with_the_numbers()
    {
        kernel.FreeFrames = 500;
        kernel.Processes = [Init(1), Server(2, "fs", 9000), Application(10, "small", 100), Application(11, "hog", 7000)];
        var m = Monitor();
        Assert.Equal(11, m.Tick()!.Id);
        Assert.Equal([11L], kernel.Killed);
        Assert.Equal("mm: out of memory: 500 frames free, below 1000 of 65536: killed process 11 (hog), the largest application, 7000 pages resident",
            Assert.Single(log));
        var s = m.Snapshot();
        Assert.Equal(1, s.Kills);
        Assert.Equal(1, s.LowMemoryEpisodes);
        Assert.Equal(log[0], s.LastEvent);
        // Memory came back (the fake frees the hog's pages): the next tick is quiet.
        Assert.Null(m.Tick());
        Assert.Single(log);
    }

    [Fact]
    public void Low_memory_with_only_servers_is_logged_once_per_episode_and_kills_nothing()
    {
        kernel.FreeFrames = 10;
        kernel.Processes = [Init(1), Server(2, "fs", 60_000)];
        var m = Monitor();
        m.Tick();
        m.Tick();
        Assert.Empty(kernel.Killed);
        Assert.Equal("mm: out of memory: 10 frames free, below 1000 of 65536: no application to kill", Assert.Single(log));
        kernel.FreeFrames = 5000;
        m.Tick();
        kernel.FreeFrames = 10;
        m.Tick();
        Assert.Equal(2, log.Count);
        Assert.Equal(2, m.Snapshot().LowMemoryEpisodes);
    }

    // The kernel has the last word: a kill it refuses (the process is gone, or it was no application)
    // is counted and logged, and mm goes on.
    private sealed class RefusingKernel(FakeKernel inner) : IMemoryKernel
    {
        public SystemMemory System() => inner.System();
        public IReadOnlyList<ProcessMemory> Census() => inner.Census();
        public long OomKill(long processId) => -ESRCH;
    }

    [Fact]
    public void A_kill_the_kernel_refuses_is_counted_and_logged_with_its_error()
    {
        kernel.FreeFrames = 10;
        kernel.Processes = [Application(10, "gone", 3000)];
        var m = new MemoryMonitor(new RefusingKernel(kernel), new OomPolicy(1000), log.Add);
        Assert.Null(m.Tick());
        Assert.Equal(1, m.Snapshot().KillsRefused);
        Assert.Equal("mm: out of memory: the kernel refused to kill process 10 (gone): error 3", Assert.Single(log));
    }
}
