// The one-screen summary `./biscuit bench` prints when it ends (issue 11 item 1): the headline figure
// of each benchmark that ran, Biscuit beside Linux as a ratio where both were measured, read back
// from the results.json just written (so it says exactly what the file says). The full report with
// spreads, tables and plots is report.md; this is what fits in a terminal.
// Rules: one line per figure, at most ~30 lines; a benchmark whose shape this does not know prints
// its Biscuit/Linux ratios if it has them (any object named "ratios_biscuit_over_linux") and
// otherwise one line saying it ran; a missing figure prints "-", never throws.
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Biscuit.Bench;

public static class TerminalSummary
{
    public static string Format(JsonElement results)
    {
        var w = new StringBuilder();
        string minutes = results.TryGetProperty("elapsed_minutes", out var m) && m.ValueKind == JsonValueKind.Number
            ? $"{m.GetDouble().ToString("F1", CultureInfo.InvariantCulture)} min" : "time not recorded";
        w.AppendLine($"== bench summary ({Text(results, "commit")}, {minutes}; ratios are Biscuit / Linux guest, same machine, same minutes) ==");
        foreach (var bench in results.EnumerateObject())
        {
            if (bench.Name is "commit" or "date_utc" or "host" or "elapsed_minutes" || bench.Value.ValueKind != JsonValueKind.Object) continue;
            var b = bench.Value;
            switch (bench.Name)
            {
                case "boot":
                    w.AppendLine($"boot      QEMU spawn -> biscuit: ready {N(Num(b, "qemu_spawn_to_ready_s", "median"), "F2")} s (median of {N(Num(b, "qemu_spawn_to_ready_s", "count"), "F0")})");
                    break;
                case "ipc":
                    w.AppendLine($"ipc       call round trip {N(Num(b, "ipc_call_0", "median_ns", "median"), "F0")} ns, context switch {N(Num(b, "yield_switch", "median_ns", "median"), "F0")} ns, " +
                                 $"page fault {N(Num(b, "page_fault", "median_ns", "median"), "F0")} ns (median, TCG)");
                    if (b.TryGetProperty("page_fault_phases", out var pf))
                        w.AppendLine($"          page fault cycles: zero {N(Num(pf, "zero", "median"), "F0")}, entry/exit outside the kernel {N(Num(pf, "outside", "median"), "F0")}, " +
                                     $"map {N(Num(pf, "map", "median"), "F0")}, frame {N(Num(pf, "frame", "median"), "F0")} of {N(Num(pf, "touch", "median"), "F0")}");
                    if (b.TryGetProperty("page_fault_pager", out var pp))
                        w.AppendLine($"          application first touch, cycles: mm as pager {N(Num(pp, "mm", "touch", "median"), "F0")} (IPC to mm {N(Num(pp, "mm", "to_mm", "median"), "F0")}, " +
                                     $"mm's decision {N(Num(pp, "mm", "decision", "median"), "F0")}, resume {N(Num(pp, "mm", "resume", "median"), "F0")}), kernel as pager {N(Num(pp, "kernel", "touch", "median"), "F0")}");
                    break;
                case "nginx":
                    foreach (var r in Children(b, "summary", "ratios_biscuit_over_linux"))
                        w.AppendLine($"nginx     {r.Name,-16} requests/s ratio {N(Num(r.Value, "requests_per_s"), "F2")}, p50 latency ratio {N(Num(r.Value, "p50_ms"), "F2")}");
                    w.AppendLine($"nginx     first 200 after QEMU spawn: Biscuit {N(Num(b, "summary", "biscuit", "qemu_spawn_to_first_200_s", "median"), "F1")} s, " +
                                 $"Linux {N(Num(b, "summary", "linux", "qemu_spawn_to_first_200_s", "median"), "F1")} s");
                    break;
                case "posix":
                    if (b.TryGetProperty("operations", out var ops) && ops.ValueKind == JsonValueKind.Array)
                    {
                        var parts = ops.EnumerateArray().Select(o => $"{Text(o, "operation")} {RatioText(o, "ratio_biscuit_over_linux")}").ToList();
                        for (int i = 0; i < parts.Count; i += 4)
                            w.AppendLine($"{(i == 0 ? "posix" : ""),-10}{string.Join(", ", parts.Skip(i).Take(4))}");
                    }
                    break;
                case "fs":
                    if (b.TryGetProperty("phases", out var phases) && phases.ValueKind == JsonValueKind.Array)
                        w.AppendLine($"fs        {N(Num(b, "file_mib"), "F0")} MiB file: " + string.Join(", ", phases.EnumerateArray()
                            .Select(p => $"{Text(p, "phase")} {RatioText(p, "ratio_biscuit_over_linux")}")));
                    break;
                case "faults":
                    foreach (var s in Children(b, "servers"))
                        w.AppendLine($"faults    {s.Name,-6} {N(Num(s.Value, "faults_injected"), "F0")} injected, {N(Num(s.Value, "restarts"), "F0")} restarts " +
                                     $"(median {Text(s.Value, "recovery_ms_median")} ms); wrk: {N(Num(s.Value, "requests_served"), "F0")} served, " +
                                     $"{N(Num(s.Value, "requests_failed"), "F0")} errors; {N(Num(s.Value, "kernel_crashes"), "F0")} kernel crashes");
                    break;
                default:
                    var ratios = FindRatios(b).ToList();
                    if (ratios.Count == 0) w.AppendLine($"{bench.Name,-9} ran (see report.md)");
                    foreach (var (name, value) in ratios.Take(8))
                        w.AppendLine($"{bench.Name,-9} {name} ratio {N(value, "F2")}");
                    break;
            }
        }
        return w.ToString();
    }

    // Every number under an object named "ratios_biscuit_over_linux", as "key" or "key field".
    private static IEnumerable<(string, double)> FindRatios(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) yield break;
        foreach (var p in e.EnumerateObject())
        {
            if (p.Name == "ratios_biscuit_over_linux" && p.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var r in p.Value.EnumerateObject())
                {
                    if (r.Value.ValueKind == JsonValueKind.Number) yield return (r.Name, r.Value.GetDouble());
                    else if (r.Value.ValueKind == JsonValueKind.Object)
                        foreach (var f in r.Value.EnumerateObject().Where(f => f.Value.ValueKind == JsonValueKind.Number))
                            yield return ($"{r.Name} {f.Name}", f.Value.GetDouble());
                }
                yield break;
            }
            foreach (var inner in FindRatios(p.Value)) yield return inner;
        }
    }

    private static IEnumerable<JsonProperty> Children(JsonElement e, params string[] path) =>
        At(e, path) is { ValueKind: JsonValueKind.Object } o ? o.EnumerateObject() : [];

    private static JsonElement? At(JsonElement e, string[] path)
    {
        foreach (var p in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(p, out e)) return null;
        }
        return e;
    }

    private static string N(double v, string format) => double.IsNaN(v) ? "-" : v.ToString(format, CultureInfo.InvariantCulture);

    private static double Num(JsonElement e, params string[] path) =>
        At(e, path) is { ValueKind: JsonValueKind.Number } n ? n.GetDouble() : double.NaN;

    private static string Text(JsonElement e, params string[] path) =>
        At(e, path) is { } v ? v.ValueKind == JsonValueKind.String ? v.GetString()! : v.ToString() : "-";

    private static string RatioText(JsonElement e, string name) =>
        At(e, [name]) is { ValueKind: JsonValueKind.Number } n ? n.GetDouble().ToString("F2", CultureInfo.InvariantCulture) + "x" : "-";
}
