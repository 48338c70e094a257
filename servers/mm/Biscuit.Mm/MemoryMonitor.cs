// mm's watch over memory: each Tick reads the kernel's figures and asks the policy. Below the mark it
// first asks the servers to shrink (ServerShrinker: drop caches, collect), reads the figures again,
// and kills the policy's victim only if memory is still below the mark — Biscuit's out-of-memory
// order, shrink then kill (issue 8 item 5). Every step is one log line with the numbers:
//   mm: low on memory: F frames free, below L of T: asking N servers to shrink
//   mm: shrink: fs dropped B cache bytes; heap H1 -> H2 bytes, committed C1 -> C2 bytes   (one per server)
//   mm: after shrinking, F frames free (+D): still below L | above L, no kill
//   mm: out of memory: F frames free, below L of T: killed process N (name), the largest application, R pages resident
// Shrink rounds are at most one every `shrinkGapTicks` ticks: within that gap a low tick goes straight
// to the policy (the servers were just asked; asking again so soon would only cost their GCs).
// A low-memory episode with no application to kill is logged once, when it starts, not every tick.
// Threading: Tick runs on the monitor thread only (the shrink round, which waits for servers, runs
// outside the lock, and `lastRoundTick` is the monitor thread's own); Snapshot runs on request
// threads: one lock (`gate`) guards every other field below.
namespace Biscuit.Mm;

/// <summary>What shrinking has given back so far (MmStats).</summary>
public sealed record ShrinkFigures(long Rounds, long RoundsThatSufficed, long FramesRegained, long CacheBytesDropped,
    long HeapBytesShrunk, long CommittedBytesReturned, long Unanswered)
{
    public static readonly ShrinkFigures Zero = new(0, 0, 0, 0, 0, 0, 0);
}

public sealed record MonitorSnapshot(SystemMemory System, IReadOnlyList<ProcessMemory> Processes,
    long LowWaterFrames, long Ticks, long LowMemoryEpisodes, long Kills, long KillsRefused, string LastEvent, ShrinkFigures Shrink);

public sealed class MemoryMonitor(IMemoryKernel kernel, OomPolicy policy, Action<string> log,
    ServerShrinker? shrinker = null, long shrinkGapTicks = 1)
{
    private readonly ServerShrinker shrinker = shrinker ?? ServerShrinker.None;
    private readonly long shrinkGapTicks = shrinkGapTicks >= 1 ? shrinkGapTicks
        : throw new ArgumentOutOfRangeException(nameof(shrinkGapTicks), "the gap between shrink rounds is at least one tick");
    private long lastRoundTick = long.MinValue / 2;                   // the monitor thread's own
    private readonly object gate = new();
    private SystemMemory system = new(0, 0, 0, 0, 0, 0, 0);          // guarded by gate
    private IReadOnlyList<ProcessMemory> processes = [];              // guarded by gate
    private long ticks, lowMemoryEpisodes, kills, killsRefused;       // guarded by gate
    private bool inLowMemory;                                         // guarded by gate
    private string lastEvent = "";                                    // guarded by gate
    private ShrinkFigures shrink = ShrinkFigures.Zero;                // guarded by gate

    /// <summary>One look at memory; returns the victim killed, if any.</summary>
    public ProcessMemory? Tick()
    {
        var now = kernel.System();
        var census = kernel.Census();
        var decision = policy.Decide(now, census);
        bool seenLow = decision.LowOnMemory;     // before any shrinking: what makes an episode
        long tick;
        lock (gate) tick = ++ticks;
        if (seenLow && shrinker.Targets.Count > 0 && tick - lastRoundTick >= shrinkGapTicks)
        {
            lastRoundTick = tick;
            (now, census, decision) = ShrinkRound(now);
        }
        ProcessMemory? killed = null;
        string? line = null;
        lock (gate)
        {
            system = now;
            processes = census;
            bool episodeStarts = seenLow && !inLowMemory;
            if (episodeStarts) lowMemoryEpisodes++;
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
            else if (decision.LowOnMemory && episodeStarts)
                line = $"mm: out of memory: {now.FreeFrames} frames free, below {policy.LowWaterFrames} of {now.TotalFrames}: no application to kill";
            inLowMemory = seenLow;
            if (line != null) lastEvent = line;
        }
        if (line != null) log(line);
        return killed;
    }

    /// <summary>Asks every server to shrink, then looks again: the figures the kill decision uses.</summary>
    private (SystemMemory, IReadOnlyList<ProcessMemory>, OomDecision) ShrinkRound(SystemMemory before)
    {
        log($"mm: low on memory: {before.FreeFrames} frames free, below {policy.LowWaterFrames} of {before.TotalFrames}: " +
            $"asking {shrinker.Targets.Count} server{(shrinker.Targets.Count == 1 ? "" : "s")} to shrink");
        var answers = shrinker.AskAll();
        foreach (var a in answers) log(a.LogLine());
        var after = kernel.System();
        var census = kernel.Census();
        var decision = policy.Decide(after, census);
        long regained = after.FreeFrames - before.FreeFrames;
        string outcome = decision.LowOnMemory ? $"still below {policy.LowWaterFrames}" : $"above {policy.LowWaterFrames}, no kill";
        string line = $"mm: after shrinking, {after.FreeFrames} frames free ({regained:+0;-0;+0}): {outcome}";
        log(line);
        lock (gate)
        {
            shrink = new ShrinkFigures(shrink.Rounds + 1, shrink.RoundsThatSufficed + (decision.LowOnMemory ? 0 : 1),
                shrink.FramesRegained + Math.Max(0, regained),
                shrink.CacheBytesDropped + answers.Sum(a => a.Report?.CacheBytesDropped ?? 0),
                shrink.HeapBytesShrunk + answers.Sum(a => a.Report?.HeapShrankBytes ?? 0),
                shrink.CommittedBytesReturned + answers.Sum(a => a.Report?.CommittedShrankBytes ?? 0),
                shrink.Unanswered + answers.Count(a => a.Report is null));
            lastEvent = line;
        }
        return (after, census, decision);
    }

    public MonitorSnapshot Snapshot()
    {
        lock (gate)
            return new MonitorSnapshot(system, processes, policy.LowWaterFrames, ticks, lowMemoryEpisodes, kills, killsRefused, lastEvent, shrink);
    }
}
