// The fs server's GC during one phase of fsbench on Biscuit, from the two dumps the program made
// around it: /proc/biscuit/gc (lib's StatsTable, read by GcTable) and /proc/biscuit/cpu (the kernel's
// cpu_census, read by lib's CpuCensus). Differences after − before: collections, total pause (exact
// "(ns)" row where posix prints it), and the fs process's CPU cycles; the GC share of fs's CPU time is
// pause / (cycles at the TSC rate). Also fs's heap after the phase, its live heap after its last GC
// and its heap limit: what its block cache (part of that heap) could hold, measured, not assumed.
// Invariants: a window is either complete or carries the reason it is not (a dump missing or
// unreadable, fs restarted inside the phase: its uptime or cycles went backwards); never a guess.
using Biscuit.Lib.Kernel;

namespace Biscuit.Bench;

public sealed record FsServerWindow
{
    public const string GcName = "fs", ProcessName = "fs-server";

    public long? Collections { get; init; }            // gen0 + gen1 + gen2 collections in the phase
    public long? Gen2Collections { get; init; }
    public double? PauseMs { get; init; }              // total GC pause in the phase
    public bool PauseExact { get; init; }              // from the "(ns)" rows (else rounded to whole µs/ms)
    public long? FsCycles { get; init; }               // the fs process's CPU cycles in the phase
    public double? GcShareOfFsCpu { get; init; }       // PauseMs / fs CPU time
    public long? HeapAfterBytes { get; init; }         // fs heap now, after the phase
    public long? LiveAfterGcBytes { get; init; }       // fs live heap after its last GC, after the phase
    public long? HeapLimitBytes { get; init; }
    public string? Error { get; init; }                // why some figure is missing

    // The window of `phase` from the dumps in `output`, at `ghz` TSC cycles per ns.
    public static FsServerWindow Of(FsOutput output, string phase, double ghz)
    {
        string? gcBefore = output.DumpOf("gc", phase, "before"), gcAfter = output.DumpOf("gc", phase, "after");
        string? cpuBefore = output.DumpOf("cpu", phase, "before"), cpuAfter = output.DumpOf("cpu", phase, "after");
        if (gcBefore == null || gcAfter == null) return new FsServerWindow { Error = $"no /proc/biscuit/gc dump {(gcBefore == null ? "before" : "after")} {phase}" };
        ServerGcFigures before, after;
        try
        {
            before = FsColumn(gcBefore);
            after = FsColumn(gcAfter);
        }
        catch (FormatException e)
        {
            return new FsServerWindow { Error = $"/proc/biscuit/gc around {phase}: {e.Message}" };
        }
        if (after.UptimeS < before.UptimeS)
            return new FsServerWindow { Error = $"fs restarted during {phase} (uptime {before.UptimeS:F0} s → {after.UptimeS:F0} s)" };
        bool exact = before.PauseTotalNs != null && after.PauseTotalNs != null;
        double pauseMs = after.PauseTotalMs - before.PauseTotalMs;
        long? cycles = Cycles(cpuBefore, cpuAfter, out string? cpuError);
        double? share = cycles is > 0 && ghz > 0 ? pauseMs * 1e6 / (cycles.Value / ghz) : null;
        return new FsServerWindow
        {
            Collections = after.Gen0 + after.Gen1 + after.Gen2 - (before.Gen0 + before.Gen1 + before.Gen2),
            Gen2Collections = after.Gen2 - before.Gen2,
            PauseMs = pauseMs,
            PauseExact = exact,
            FsCycles = cycles,
            GcShareOfFsCpu = share,
            HeapAfterBytes = after.HeapBytes,
            LiveAfterGcBytes = after.LiveAfterGcBytes,
            HeapLimitBytes = after.HeapLimitBytes,
            Error = cpuError,
        };
    }

    private static ServerGcFigures FsColumn(string table)
    {
        var (servers, missing) = GcTable.Parse(table);
        return servers.FirstOrDefault(s => s.Server == GcName)
            ?? throw new FormatException($"the GC table has no '{GcName}' column{(missing.Count > 0 ? $" (no figures from {string.Join("; ", missing)})" : "")}");
    }

    // The fs process's cycles between two census tables (the same process id in both), else null and why.
    private static long? Cycles(string? before, string? after, out string? error)
    {
        error = null;
        if (before == null || after == null) { error = "no /proc/biscuit/cpu dump around the phase"; return null; }
        var was = CpuCensus.Parse(before).Where(e => e.Name == ProcessName).ToList();
        var now = CpuCensus.Parse(after).Where(e => e.Name == ProcessName).ToList();
        if (was.Count != 1 || now.Count != 1) { error = $"/proc/biscuit/cpu lists {was.Count} and {now.Count} {ProcessName} processes, not one"; return null; }
        if (was[0].Id != now[0].Id || now[0].RunCycles < was[0].RunCycles) { error = $"{ProcessName} was replaced during the phase"; return null; }
        return (long)(now[0].RunCycles - was[0].RunCycles);
    }
}
