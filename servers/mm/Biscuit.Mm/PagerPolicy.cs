// mm's decision for each application page fault it serves as the pager (the `pager` option; the
// kernel's fault path is the default, DESIGN.md §6), and what it counts:
//   - over quota (resident + 1 > quota): Kill — the application is killed with SIGKILL, as the
//     kernel does without a pager (Linux's memory-cgroup OOM kill);
//   - no frame above the servers' reserve (free <= reserve): Segv — the fault's SIGSEGV, as the
//     kernel gives without a pager; the monitor's OOM policy (OomPolicy) acts long before, at the
//     low-water mark, by killing the largest application;
//   - otherwise Zero: the kernel takes, zeroes and maps a frame (and checks the quota again: it
//     never trusts the pager).
// Counts per process the faults mm served and the ones it answered with a signal; a process that
// ends is forgotten (Forget, from the monitor's census) so the table holds only live processes.
// Thread-safety: the pager thread decides and records, the server thread reads Figures, the
// monitor thread forgets; all under `gate`.
namespace Biscuit.Mm;

public enum PagerAnswer { Zero, Kill, Segv }

/// <summary>One process mm paged: faults it served, faults it answered with a signal, and the faults
/// the kernel served for it (its census page faults less mm's: the kernel's own copies into lazy
/// pages, copy-on-write, faults during a fallback; filled in by MmService from the last census).</summary>
public sealed record PagerProcessFigures(long Id, long FaultsServed, long Signalled, long FaultsByKernel = 0);

/// <summary>The pager's figures in MmStats: whether mm is the pager, faults it served, kills and
/// SIGSEGVs it answered, supplies the kernel refused, messages it could not decode, and the
/// processes it served most (at most MaxProcesses).</summary>
public sealed record PagerFigures(bool Registered, long FaultsServed, long Kills, long Segvs, long SupplyErrors, long Malformed,
    PagerProcessFigures[] Processes)
{
    public const int MaxProcesses = 16;
    public static readonly PagerFigures Off = new(false, 0, 0, 0, 0, 0, []);
}

public sealed class PagerPolicy
{
    private readonly object gate = new();
    private readonly Dictionary<long, (long Served, long Signalled)> byProcess = new();   // guarded by gate
    private long served, kills, segvs, supplyErrors, malformed;                            // guarded by gate
    private bool registered;                                                               // guarded by gate

    public static PagerAnswer Decide(in PagerFault f)
    {
        if (f.QuotaPages > 0 && f.ResidentPages + 1 > f.QuotaPages) return PagerAnswer.Kill;
        if (f.FreeFrames <= f.ReserveFrames) return PagerAnswer.Segv;
        return PagerAnswer.Zero;
    }

    /// <summary>The line mm logs for an answer other than Zero (null for Zero).</summary>
    public static string? Explain(in PagerFault f, PagerAnswer a) => a switch
    {
        PagerAnswer.Kill => $"mm: pager: process {f.ProcessId} is over its quota of {f.QuotaPages} pages ({f.ResidentPages} resident) at 0x{f.Address:x}: killed (SIGKILL)",
        PagerAnswer.Segv => $"mm: pager: no frame above the servers' reserve for process {f.ProcessId} at 0x{f.Address:x} ({f.FreeFrames} free, reserve {f.ReserveFrames}): SIGSEGV",
        _ => null,
    };

    public void Registered(bool on) { lock (gate) registered = on; }

    /// <summary>Records the outcome of one answer: `kernelResult` is memory_page_supply's result.</summary>
    public void Record(long processId, PagerAnswer answer, long kernelResult)
    {
        lock (gate)
        {
            if (kernelResult < 0) { supplyErrors++; return; }
            byProcess.TryGetValue(processId, out var c);
            if (answer == PagerAnswer.Zero) { served++; c.Served++; }
            else { if (answer == PagerAnswer.Kill) kills++; else segvs++; c.Signalled++; }
            byProcess[processId] = c;
        }
    }

    public void RecordMalformed() { lock (gate) malformed++; }

    /// <summary>Drops the processes not in `live` (the monitor's census); returns what each had.</summary>
    public IReadOnlyList<PagerProcessFigures> Forget(IEnumerable<long> live)
    {
        var alive = live.ToHashSet();
        lock (gate)
        {
            var gone = byProcess.Where(kv => !alive.Contains(kv.Key))
                .Select(kv => new PagerProcessFigures(kv.Key, kv.Value.Served, kv.Value.Signalled)).OrderBy(p => p.Id).ToList();
            foreach (var p in gone) byProcess.Remove(p.Id);
            return gone;
        }
    }

    public PagerFigures Figures()
    {
        lock (gate)
            return new PagerFigures(registered, served, kills, segvs, supplyErrors, malformed,
                byProcess.Select(kv => new PagerProcessFigures(kv.Key, kv.Value.Served, kv.Value.Signalled))
                    .OrderByDescending(p => p.FaultsServed).ThenBy(p => p.Id).Take(PagerFigures.MaxProcesses).ToArray());
    }
}
