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
        w.AppendLine($"| NGINX throughput vs Linux | Biscuit (Go): within 10–15% | not measured: nginx does not run on Biscuit yet |");
        w.AppendLine($"| GC share of CPU | Biscuit (Go): ~3% | servers benchmark: {GcShare(results)} |");
        w.AppendLine("| longest single GC pause | Biscuit (Go): 115 µs | servers benchmark: see the server GC line above (per-server Stats) |");
        w.AppendLine("| GC pause accumulated in one request | Biscuit (Go): 582 µs | not measured yet |");
        w.AppendLine("| pipe ping-pong, C vs Go | C ~15% faster | Biscuit IPC / Linux pipe: see the side-by-side table |");
        w.AppendLine("| IPC call on x86-64 | seL4: ~400–600 cycles (hardware) | see the kernel core table (emulated cycles, not comparable) |");
        w.AppendLine();
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
