// mm's watch over memory: each Tick reads the kernel's figures, asks the policy, and kills the
// victim it names, logging one line with the numbers ("mm: out of memory: ..."). It also keeps the
// last figures for MmStats, and counts the out-of-memory events (low memory seen, victims killed).
// A low-memory episode with no application to kill is logged once, when it starts, not every tick.
// Threading: Tick runs on the monitor thread, Snapshot on request threads: one lock (`gate`)
// guards every field below.
namespace Biscuit.Mm;

public sealed record MonitorSnapshot(SystemMemory System, IReadOnlyList<ProcessMemory> Processes,
    long LowWaterFrames, long Ticks, long LowMemoryEpisodes, long Kills, long KillsRefused, string LastEvent);

public sealed class MemoryMonitor(IMemoryKernel kernel, OomPolicy policy, Action<string> log)
{
    private readonly object gate = new();
    private SystemMemory system = new(0, 0, 0, 0, 0, 0, 0);          // guarded by gate
    private IReadOnlyList<ProcessMemory> processes = [];              // guarded by gate
    private long ticks, lowMemoryEpisodes, kills, killsRefused;       // guarded by gate
    private bool inLowMemory;                                         // guarded by gate
    private string lastEvent = "";                                    // guarded by gate

    /// <summary>One look at memory; returns the victim killed, if any.</summary>
    public ProcessMemory? Tick()
    {
        var now = kernel.System();
        var census = kernel.Census();
        var decision = policy.Decide(now, census);
        ProcessMemory? killed = null;
        string? line = null;
        lock (gate)
        {
            ticks++;
            system = now;
            processes = census;
            if (decision.LowOnMemory && !inLowMemory) lowMemoryEpisodes++;
            if (decision.Victim is { } v)
            {
                long r = kernel.OomKill(v.Id);
                if (r == 0)
                {
                    kills++;
                    killed = v;
                    line = $"mm: out of memory: {now.FreeFrames} frames free, below {policy.LowWaterFrames} of {now.TotalFrames}: " +
                           $"killed process {v.Id} ({v.Name}), the largest application, {v.ResidentPages} pages resident";
                }
                else
                {
                    killsRefused++;
                    line = $"mm: out of memory: the kernel refused to kill process {v.Id} ({v.Name}): error {-r}";
                }
            }
            else if (decision.LowOnMemory && !inLowMemory)
                line = $"mm: out of memory: {now.FreeFrames} frames free, below {policy.LowWaterFrames} of {now.TotalFrames}: no application to kill";
            inLowMemory = decision.LowOnMemory;
            if (line != null) lastEvent = line;
        }
        if (line != null) log(line);
        return killed;
    }

    public MonitorSnapshot Snapshot()
    {
        lock (gate)
            return new MonitorSnapshot(system, processes, policy.LowWaterFrames, ticks, lowMemoryEpisodes, kills, killsRefused, lastEvent);
    }
}
