// The out-of-memory policy of issue 8 (Biscuit's OOM arbiter, made a server's decision): when the
// free frames fall below a low-water mark, kill the application with the largest resident set —
// never a server, never init. Asking the servers to shrink first is the monitor's step before it
// consults the policy a second time (MemoryMonitor.cs, ServerShrinker.cs).
// Ties on the resident set go to the newest process (the highest id): the one whose loss costs the
// least work done. Pure logic: the same inputs always give the same decision.
namespace Biscuit.Mm;

/// <summary>What the policy decided: nothing (memory is fine, or nothing may be killed) or a victim.</summary>
public sealed record OomDecision(bool LowOnMemory, ProcessMemory? Victim)
{
    public static readonly OomDecision Fine = new(false, null);
}

public sealed class OomPolicy
{
    /// <summary>Below this many free frames memory is low (default: 1/64 of the machine, at least 256).</summary>
    public long LowWaterFrames { get; }

    public OomPolicy(long lowWaterFrames)
    {
        if (lowWaterFrames <= 0) throw new ArgumentOutOfRangeException(nameof(lowWaterFrames), "the low-water mark must be positive");
        LowWaterFrames = lowWaterFrames;
    }

    public static long DefaultLowWater(long totalFrames) => Math.Max(256, totalFrames / 64);

    public OomDecision Decide(SystemMemory system, IReadOnlyList<ProcessMemory> processes)
    {
        if (system.FreeFrames >= LowWaterFrames) return OomDecision.Fine;
        ProcessMemory? victim = null;
        foreach (var p in processes)
        {
            if (!p.IsApplication || p.IsInit) continue;
            if (victim == null || p.ResidentPages > victim.ResidentPages
                || (p.ResidentPages == victim.ResidentPages && p.Id > victim.Id)) victim = p;
        }
        return new OomDecision(true, victim);
    }
}
