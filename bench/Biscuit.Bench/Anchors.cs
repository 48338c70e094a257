// The published figures users will compare Biscuit with, printed in every report beside ours and
// marked as coming from other systems on other hardware (issue 11, item 5).
namespace Biscuit.Bench;

public static class Anchors
{
    public static void Report(System.Text.StringBuilder w, Dictionary<string, object> results)
    {
        w.AppendLine("## Published anchors (other systems, other hardware — context, not ratios)");
        w.AppendLine();
        w.AppendLine("| figure | published | this run |");
        w.AppendLine("|---|---|---|");
        var nginx = NginxGc(results);
        w.AppendLine($"| NGINX throughput vs Linux | Biscuit (Go): within 10–15% | {NginxRatio(results)} |");
        w.AppendLine($"| GC share of CPU | Biscuit (Go): ~3% | {(nginx is { } g ? $"nginx load: {string.Join(", ", g.Select(s => $"{s.Server} {s.GcShareOfWindow * 100:F2}%"))} (of wall-clock time, per server); " : "")}servers benchmark: {GcShare(results)} |");
        w.AppendLine($"| longest single GC pause | Biscuit (Go): 115 µs | {(nginx is { } p ? $"nginx load: {string.Join(", ", p.Select(s => $"{s.Server} {NginxReport.Pause(s.PauseMaxMs)}"))}" : "servers benchmark: see the server GC line above (per-server Stats)")} |");
        w.AppendLine($"| GC pause accumulated in one request | Biscuit (Go): 582 µs | {RequestPause(results)} |");
        w.AppendLine($"| pipe ping-pong, C vs Go | C ~15% faster (Go/C ≈ 1.15) | {PipeRatio(results)} |");
        w.AppendLine("| IPC call on x86-64 | seL4: ~400–600 cycles (hardware) | see the kernel core table (emulated cycles, not comparable) |");
        w.AppendLine();
    }

    // Biscuit/Linux requests/s of the nginx benchmark, each file and connection count.
    private static string NginxRatio(Dictionary<string, object> results)
    {
        if (!results.TryGetValue("nginx", out var n) || n is not Dictionary<string, object> nginx) return "not run (`./biscuit bench nginx`)";
        var ratios = (Dictionary<string, RatioFigures>)((Dictionary<string, object>)nginx["summary"])["ratios_biscuit_over_linux"];
        if (ratios.Count == 0) return "no ratio: a guest produced no figures (see the nginx section)";
        return "Biscuit/Linux requests/s (QEMU TCG): " + string.Join(", ", ratios.Select(r => $"{r.Key} {r.Value.RequestsPerS:F2}"));
    }

    // The traced requests of the nginx benchmark: the largest sum over servers of the GC pause inside one HTTP request.
    private static string RequestPause(Dictionary<string, object> results)
    {
        if (!results.TryGetValue("nginx", out var n) || n is not Dictionary<string, object> nginx) return "not run (`./biscuit bench nginx`: traced requests)";
        if (!nginx.TryGetValue("traced", out var t) || t is not TracedFigures f) return "no traced request succeeded (see the nginx section)";
        return $"one small.html GET at a time, sum over servers: largest {f.MaxTotalPauseUs:F0} µs, median {f.MedianTotalPauseUs:F0} µs over {f.Requests} requests (QEMU TCG)";
    }

    // The posix benchmark's pipe ping-pong (the same static program on both guests), else a pointer.
    private static string PipeRatio(Dictionary<string, object> results)
    {
        if (results.TryGetValue("posix", out var p) && p is Dictionary<string, object> posix &&
            ((List<PosixOperation>)posix["operations"]).FirstOrDefault(o => o.Operation == "pipe_rtt_1") is { } pipe)
            return pipe.RatioBiscuitOverLinux is { } r ? $"same static program, 1-byte pipe ping-pong, Biscuit/Linux (QEMU TCG): {r:F2}"
                                                      : "posix benchmark: no pipe figure on both guests (see its section)";
        return "Biscuit IPC / Linux pipe: see the side-by-side table; the same pipe program on both: `./biscuit bench posix`";
    }

    private static List<ServerLoadGc>? NginxGc(Dictionary<string, object> results)
    {
        if (!results.TryGetValue("nginx", out var n) || n is not Dictionary<string, object> nginx) return null;
        var gc = (List<ServerLoadGc>)((Dictionary<string, object>)((Dictionary<string, object>)nginx["summary"])["biscuit"])["gc_during_load"];
        return gc.Count > 0 ? gc : null;
    }

    private static string GcShare(Dictionary<string, object> results)
    {
        if (!results.TryGetValue("servers", out var s) || s is not Dictionary<string, object> servers) return "not run";
        string gc = servers.TryGetValue("server_gc_last_run", out var g) ? g?.ToString() ?? "" : "";
        int at = gc.IndexOf("time_in_gc=", StringComparison.Ordinal);
        if (at < 0) return "not reported";
        string value = gc[(at + 11)..].Split(' ')[0];
        return double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out double f) ? $"{f * 100:F2}% (echo server)" : value;
    }
}
