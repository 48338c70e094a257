// The report's section on the traced requests (TracedRequests, TracedSummary): where one HTTP
// request's cycles, system calls and IPC calls go, process by process, and the GC pause accumulated
// in each server during it; with the method and what the figures are not.
using System.Text;

namespace Biscuit.Bench;

public static class TracedReport
{
    public static void Markdown(StringBuilder w, Dictionary<string, object> nginx)
    {
        w.AppendLine("### One request at a time on Biscuit: where its cycles and GC pauses go");
        w.AppendLine();
        if (!nginx.TryGetValue("traced", out var t) || t is not TracedFigures f)
        {
            w.AppendLine("No traced request: no Biscuit boot got a good request window and a good readings-alone window " +
                         "(see `boots[].traced[].error` in results.json).");
            w.AppendLine();
            return;
        }
        w.AppendLine($"Method: {nginx["traced_method"]}. Readings alone: {f.ReadingWindows} windows; requests: {f.Requests}" +
                     (f.FailedWindows > 0 ? $"; **{f.FailedWindows} windows failed** ({string.Join("; ", f.Errors.Take(3))})" : "") + ".");
        w.AppendLine($"One GET, as the host saw it: {f.RequestMs.Median:F1} ms median [{f.RequestMs.Min:F1}–{f.RequestMs.Max:F1}]; " +
                     $"all cycles of a request window less the readings': {f.WindowCycles.Median:F0} median [{f.WindowCycles.Min:F0}–{f.WindowCycles.Max:F0}].");
        if (f.IdleShareWithRequest is { } idle && f.IdleShareReadingsAlone is { } alone && f.TscGhz is { } ghz)
            w.AppendLine($"Idle with nothing else running: the kernel's idle loop had {idle.Median * 100:F0}% [{idle.Min * 100:F0}–{idle.Max * 100:F0}] " +
                         $"of all cycles of a request window and {alone.Median * 100:F0}% [{alone.Min * 100:F0}–{alone.Max * 100:F0}] of a readings-alone " +
                         $"window (the guest TSC ran at {ghz.Median:F2} GHz of the host's clock over the windows): a lone request, one at a time, " +
                         "leaves the guest with nothing to run for that share of its time, waiting for an interrupt (the NIC's or the timer's).");
        w.AppendLine();
        w.AppendLine("| process | kind | cycles: median | cycles: max | system calls: median | IPC calls: median | a reading pair alone: cycles (subtracted) |");
        w.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var p in f.Processes)
            w.AppendLine($"| {p.Name} | {p.Kind} | {p.Cycles.Median:F0} | {p.Cycles.Max:F0} | {p.SystemCalls.Median:F1} | {p.IpcCalls.Median:F1} | {p.ReadingsCycles:F0} |");
        w.AppendLine();
        w.AppendLine("| server | GC pause in one request: median | max | request windows in which it collected | its requests that saw a GC (all windows) | largest pause in a readings-alone window |");
        w.AppendLine("|---|---|---|---|---|---|");
        foreach (var s in f.Servers)
            w.AppendLine($"| {s.Server} | {Us(s.PauseUs.Median)} | {Us(s.PauseUs.Max)} | {s.WindowsWithGc} of {f.Requests} | {s.RequestsWithGcInServer} | {Us(s.ReadingsPauseMaxUs)} |");
        w.AppendLine();
        w.AppendLine($"Total GC pause accumulated inside one HTTP request (sum over servers): median {Us(f.MedianTotalPauseUs)}, " +
                     $"**largest {Us(f.MaxTotalPauseUs)}** over {f.Requests} requests; the readings alone accumulated at most {Us(f.ReadingsMaxTotalPauseUs)} in one window.");
        w.AppendLine();
        w.AppendLine("What these figures are: a process's cycles are the guest's TSC under TCG between its returns to user mode — its own code " +
                     "and the kernel's work for it (the kernel's census does not split the two, so the kernel has no row of its own); \"idle\" is " +
                     "the kernel's idle loop, the time no process had anything to run. A server's pause is its runtime's exact total pause " +
                     "(GC.GetTotalPauseDuration, µs resolution) over the window, so a GC that a reading caused is in the window it fell in; " +
                     "subtracting the readings-alone median removes the readings' usual cost, not a rare GC of theirs (the last column shows how " +
                     "large those were). Figures below zero are requests that cost less than the median reading pair.");
        w.AppendLine();
    }

    private static string Us(double us) => us >= 1000 || us <= -1000 ? $"{us / 1000:0.###} ms" : $"{us:F0} µs";
}
