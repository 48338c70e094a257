// The report's nginx section: Biscuit beside Linux (time to first 200, requests/s and latency
// percentiles with Biscuit/Linux ratios), every Biscuit server's GC during the load, the plots, and
// plainly what the numbers are (emulated, on a small shared host) and what is not measured.
using System.Text;

namespace Biscuit.Bench;

public static class NginxReport
{
    /// <summary>Where one request's time goes on Biscuit: the last good Biscuit boot's runs (CpuBreakdown).</summary>
    private static void Breakdown(StringBuilder w, List<GuestBoot> boots)
    {
        var boot = boots.LastOrDefault(b => b.Guest == "biscuit" && b.Error == null && b.Runs.Any(r => r.CpuPerRequest != null));
        if (boot == null) return;
        w.AppendLine("### Where one request's time goes on Biscuit");
        w.AppendLine();
        w.AppendLine($"`{CpuBreakdown.Path}` (the kernel's per-process cycle, system-call and IPC-call counters) read before and after each " +
                     "measured run, divided by the requests wrk counted: an average request under load (one traced request at a time follows); the GC sampling " +
                     "(one request a second) and the two readings are inside the window. Cycles are the guest's TSC under TCG.");
        w.AppendLine();
        foreach (var run in boot.Runs.Where(r => r.CpuPerRequest != null))
        {
            w.AppendLine($"{run.File}, {run.Connections} connection(s), {run.Wrk.Requests} requests (round {boot.Round}):");
            w.AppendLine();
            w.AppendLine("| process | kind | cycles / request | share of all cycles | system calls / request | IPC calls / request |");
            w.AppendLine("|---|---|---|---|---|---|");
            foreach (var p in run.CpuPerRequest!)
                w.AppendLine($"| {p.Name} | {p.Kind} | {p.Cycles:F0} | {p.SharePercent:F1}% | {p.SystemCalls:F1} | {p.IpcCalls:F1} |");
            w.AppendLine();
        }
    }

    public static void Markdown(StringBuilder w, Dictionary<string, object> nginx)
    {
        var summary = (Dictionary<string, object>)nginx["summary"];
        var linux = (Dictionary<string, object>)summary["linux"];
        var biscuit = (Dictionary<string, object>)summary["biscuit"];
        w.AppendLine($"## nginx on Biscuit beside nginx on Linux (QEMU TCG, -m {nginx["memory"]}, {nginx["nic"]}, {Rounds((int)nginx["repetitions"])}, boots interleaved Linux, Biscuit, …)");
        w.AppendLine();
        w.AppendLine($"What these numbers are: both guests run under QEMU's TCG (software emulation, no KVM, one emulated CPU) on a host " +
                     $"with {nginx["host_cores"]} cores shared with other work (load average before / after: {nginx["host_loadavg_before"]} / " +
                     $"{nginx["host_loadavg_after"]}); wrk runs on the same host. Absolute figures are slow and noisy; the ratios, measured " +
                     "in the same minutes, are what to read. Linux is Debian's kernel " + nginx["kernel"] + " with the same Debian nginx; " +
                     "Biscuit's QEMU command line is `./biscuit run`'s and the Linux guest's differs only in -kernel/-initrd/-append and has no root disk.");
        w.AppendLine();
        w.AppendLine($"Load: {nginx["load"]}. Content check (sha256 of both files as served, before any load): " +
                     $"Linux {Passed(linux)}, Biscuit {Passed(biscuit)}.");
        w.AppendLine();
        foreach (var (name, g) in new[] { ("Linux", linux), ("Biscuit", biscuit) })
            if ((int)g["boots_failed"] > 0)
                w.AppendLine($"**{name}: {g["boots_failed"]} of {g["boots"]} boots failed** (a boot that never answered is tried once more; " +
                             "the errors are in results.json, `boots[].error`); figures below are over the others.");
        w.AppendLine();
        w.AppendLine("| measure | Linux | Biscuit | Biscuit / Linux |");
        w.AppendLine("|---|---|---|---|");
        if (linux.TryGetValue("qemu_spawn_to_first_200_s", out var lf) && biscuit.TryGetValue("qemu_spawn_to_first_200_s", out var bf))
            w.AppendLine($"| QEMU spawn → first HTTP 200 (s) | {Spread((Summary)lf, "F1")} | {Spread((Summary)bf, "F1")} | {((Summary)bf).Median / ((Summary)lf).Median:F2} |");
        var ll = (Dictionary<string, LoadFigures>)linux["load"];
        var bl = (Dictionary<string, LoadFigures>)biscuit["load"];
        var ratios = (Dictionary<string, RatioFigures>)summary["ratios_biscuit_over_linux"];
        foreach (var key in ll.Keys.Union(bl.Keys))
        {
            ll.TryGetValue(key, out var l);
            bl.TryGetValue(key, out var b);
            ratios.TryGetValue(key, out var r);
            w.AppendLine($"| {key} requests/s | {Cell(l?.RequestsPerS, "F1")} | {Cell(b?.RequestsPerS, "F1")} | {(r == null ? "–" : $"**{r.RequestsPerS:F2}**")} |");
            w.AppendLine($"| {key} latency p50 (ms) | {Cell(l?.P50Ms, "F1")} | {Cell(b?.P50Ms, "F1")} | {(r == null ? "–" : $"{r.P50Ms:F2}")} |");
            w.AppendLine($"| {key} latency p90 (ms) | {Cell(l?.P90Ms, "F1")} | {Cell(b?.P90Ms, "F1")} | {(r == null ? "–" : $"{r.P90Ms:F2}")} |");
            w.AppendLine($"| {key} latency p99 (ms) | {Cell(l?.P99Ms, "F1")} | {Cell(b?.P99Ms, "F1")} | {(r == null ? "–" : $"{r.P99Ms:F2}")} |");
            w.AppendLine($"| {key} requests / errors (all boots) | {l?.Requests ?? 0} / {l?.Errors ?? 0} | {b?.Requests ?? 0} / {b?.Errors ?? 0} | |");
        }
        w.AppendLine();
        w.AppendLine("Median [min–max] over boots. A requests/s ratio below 1 means Biscuit serves fewer requests; a latency ratio above 1 means Biscuit is slower.");
        w.AppendLine();
        Gc(w, (List<ServerLoadGc>)biscuit["gc_during_load"], nginx);
        Breakdown(w, (List<GuestBoot>)nginx["boots"]);
        TracedReport.Markdown(w, nginx);
        if (nginx.TryGetValue("plots", out var p) && p is List<Dictionary<string, string>> plots && plots.Count > 0)
        {
            w.AppendLine("### Plots");
            w.AppendLine();
            foreach (var plot in plots) w.AppendLine($"![{plot["title"]}]({plot["file"]})");
            w.AppendLine();
        }
    }

    private static void Gc(StringBuilder w, List<ServerLoadGc> gc, Dictionary<string, object> nginx)
    {
        w.AppendLine("### Biscuit's servers during the load (GC figures sampled once a second)");
        w.AppendLine();
        if (gc.Count == 0)
        {
            w.AppendLine("No GC samples: no Biscuit boot got two readable samples of /proc/biscuit/gc (see `boots[].gc_samples[].error` in results.json).");
            w.AppendLine();
            return;
        }
        w.AppendLine("| server | GCs gen0/gen1/gen2 | pauses timed / missed | longest pause | pauses total | GC share of load window | time in GC since start | largest heap / limit | admissions queued / refused | restarts | its requests that saw a GC | largest pause inside one of its requests |");
        w.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var s in gc)
            w.AppendLine($"| {s.Server} | {s.Gen0}/{s.Gen1}/{s.Gen2} | {s.PausesSampled} / {s.PausesMissed} | {Pause(s.PauseMaxMs)} | {s.PauseTotalMs:F1} ms | {s.GcShareOfWindow * 100:F2}% | " +
                         $"{s.TimeInGcSinceStart * 100:F2}% | {s.HeapMaxBytes >> 20} / {s.HeapLimitBytes >> 20} MiB | {s.Queued} / {s.Refused} | {s.Restarts} | " +
                         $"{(s.RequestsWithGc is { } g && s.RequestsMeasured is { } m ? $"{g} of {m}" : "–")} | {(s.RequestPauseMaxMs is { } p ? Pause(p) + " (since start)" : "–")} |");
        w.AppendLine();
        w.AppendLine($"Counts are summed over the {gc.Max(s => s.Boots)} Biscuit boot(s) with samples, pauses and heap are the largest seen, GC shares " +
                     "the highest of any boot; the window runs from the first to the last sample of a boot (warm-ups included). The figures come " +
                     $"from {nginx["gc_sampling"]}. /proc/biscuit/gc is a table for people: sizes are rounded to whole KiB/MiB and " +
                     "durations to whole µs/ms/s, so pause totals and heap sizes are approximate; counts and the time-in-GC percentage are exact. " +
                     "A GC counts in \"gen0/gen1/gen2\" once per generation it collected (a gen2 GC also counts as gen1 and gen0, as .NET's " +
                     "CollectionCount does); \"pauses timed\" are the GCs whose pause the server measured, the ones in the histogram and in " +
                     "the longest pause (lib's GcTelemetry). \"Its requests\" are each server's own (posix: every forwarded Linux call; a call that " +
                     "blocks, such as epoll_wait, counts every pause of its wait, so posix's largest figure is an upper bound; lib's RequestGcMeter). " +
                     "The GC pause accumulated inside one HTTP request, across servers, is in the traced-request section below.");
        w.AppendLine();
    }

    public static string Pause(double ms) => ms < 1 ? $"{ms * 1000:F0} µs" : $"{ms:0.###} ms";

    private static string Rounds(int n) => n == 1 ? "1 round" : $"{n} rounds";

    private static string Passed(Dictionary<string, object> guest)
    {
        int boots = (int)guest["boots"], passed = (int)guest["content_check_passed"], failed = (int)guest["content_check_failed"];
        if (boots == 0) return "not run";
        if (passed == boots) return "passed on every boot";
        return $"passed on {passed} of {boots} boots" + (failed > 0 ? $", **FAILED on {failed}**" : "") +
               (boots - passed - failed > 0 ? $", not reached on {boots - passed - failed} (no answer)" : "");
    }

    private static string Cell(Summary? s, string format) => s == null ? "–" : Spread(s, format);

    private static string Spread(Summary s, string format) =>
        s.Count == 1 ? s.Median.ToString(format) : $"{s.Median.ToString(format)} [{s.Min.ToString(format)}–{s.Max.ToString(format)}]";
}
