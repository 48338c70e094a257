// Benchmark "servers": one request between two .NET servers on Biscuit and its parts — the whole
// typed call, the raw kernel IPC round trip, the MessagePack envelope encode/decode — plus the
// server's GC pauses (servers/echo/Biscuit.Echo.Server/EchoBench.cs runs in the guest; the boot
// manifest is bench/manifests/servers). Medians over boots of the in-guest medians.
using System.Globalization;
using System.Text.RegularExpressions;

namespace Biscuit.Bench;

public static class ServersBenchmark
{
    private static readonly Regex Line = new(@"^bench (servers_\w+) n=(\d+) median_us=([\d.]+) p99_us=([\d.]+)");
    private static readonly Regex Gc = new(@"^bench servers_gc (.*)$");

    public static Dictionary<string, object> Run(string root, string build, int repetitions, Action<string> progress)
    {
        var perName = new Dictionary<string, List<(double Median, double P99)>>();
        string gc = "";
        for (int i = 0; i < repetitions; i++)
        {
            progress($"boot {i + 1}/{repetitions}");
            string manifest = Path.Combine(root, "bench", "manifests", "servers", "manifest");
            var (code, lines) = Qemu.BootSystem(build, "512M", manifest, TimeSpan.FromMinutes(5), "echo-server");
            if (code != 1 || !lines.Any(l => l.Text == "bench done"))
                throw new InvalidOperationException($"servers boot {i + 1} failed (QEMU exit {code}):\n" + string.Join("\n", lines.Select(l => l.Text)));
            foreach (var l in lines)
            {
                var m = Line.Match(l.Text);
                if (m.Success)
                {
                    if (!perName.TryGetValue(m.Groups[1].Value, out var list)) perName[m.Groups[1].Value] = list = new();
                    list.Add((double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture)));
                }
                var g = Gc.Match(l.Text);
                if (g.Success) gc = g.Groups[1].Value;
            }
        }
        var result = new Dictionary<string, object> { ["repetitions"] = repetitions, ["server_gc_last_run"] = gc };
        foreach (var (name, runs) in perName)
            result[name] = new Dictionary<string, object>
            {
                ["median_us"] = Summary.Of(runs.Select(r => r.Median).ToList()),
                ["p99_us"] = Summary.Of(runs.Select(r => r.P99).ToList()),
            };
        return result;
    }

    public static void Report(System.Text.StringBuilder w, Dictionary<string, object> s)
    {
        w.AppendLine($"## Requests between two .NET servers (QEMU TCG, {s["repetitions"]} boots; median over boots)");
        w.AppendLine();
        w.AppendLine("| part | median µs | p99 µs | per second |");
        w.AppendLine("|---|---|---|---|");
        foreach (var (label, key) in new[] { ("typed call (whole round trip)", "servers_call"), ("raw kernel IPC round trip", "servers_ipc"),
                                             ("MessagePack envelope encode + decode", "servers_codec") })
        {
            if (!s.TryGetValue(key, out var v) || v is not Dictionary<string, object> f) continue;
            double median = ((Summary)f["median_us"]).Median;
            w.AppendLine($"| {label} | {median:F1} | {((Summary)f["p99_us"]).Median:F1} | {1e6 / median:F0} |");
        }
        w.AppendLine();
        w.AppendLine("Dispatch and the rest = call − IPC − codec. The IPC figure includes the server loop answering an");
        w.AppendLine("empty (unknown) request. Server GC during the run: " + s["server_gc_last_run"]);
        w.AppendLine();
    }
}
