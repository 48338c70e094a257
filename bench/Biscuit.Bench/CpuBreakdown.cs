// Where one request's time goes on Biscuit (issue 11 item 4): /proc/biscuit/cpu (the kernel's
// cpu_census through posix and nginx) read just before and just after a measured wrk run; each
// process's cycles, system calls and IPC calls over the run, divided by the requests wrk counted,
// are one average request's cost in that process (its user time and the kernel's work for it).
// Limits, said in the report: an average, not one traced request; the once-a-second GC sampling
// and the two readings themselves are in the window; cycles are the guest's TSC under TCG.
using Biscuit.Lib.Kernel;

namespace Biscuit.Bench;

public sealed record ProcessPerRequest(string Name, string Kind, double Cycles, double SystemCalls, double IpcCalls, double SharePercent);

public static class CpuBreakdown
{
    public const string Path = "/proc/biscuit/cpu";

    /// <summary>The table now, or null if it could not be read (the breakdown is then left out).</summary>
    public static string? Read(string site)
    {
        try { return System.Text.Encoding.UTF8.GetString(HttpTools.Fetch(site + Path)); }
        catch (Exception) { return null; }
    }

    /// <summary>Per-request averages of the differences, busiest first; null without both readings or requests.</summary>
    public static List<ProcessPerRequest>? PerRequest(string? before, string? after, long requests)
    {
        if (before == null || after == null || requests <= 0) return null;
        var was = CpuCensus.Parse(before).ToDictionary(e => (e.Id, e.Name));
        var deltas = new List<(CpuCensusEntry Now, ulong Cycles, ulong Calls, ulong Ipc)>();
        foreach (var now in CpuCensus.Parse(after))
        {
            was.TryGetValue((now.Id, now.Name), out var then);   // a process born in the window starts from 0
            if (now.RunCycles < then.RunCycles) continue;
            deltas.Add((now, now.RunCycles - then.RunCycles, now.SystemCalls - then.SystemCalls, now.IpcCalls - then.IpcCalls));
        }
        double total = deltas.Sum(d => (double)d.Cycles);
        if (total <= 0) return null;
        return deltas.Where(d => d.Cycles > 0)
            .OrderByDescending(d => d.Cycles)
            .Select(d => new ProcessPerRequest(d.Now.Name, d.Now.Id == 0 ? "idle" : d.Now.IsApplication ? "application" : (d.Now.Flags & 2) != 0 ? "init" : "server",
                (double)d.Cycles / requests, (double)d.Calls / requests, (double)d.Ipc / requests, 100.0 * d.Cycles / total))
            .ToList();
    }
}
