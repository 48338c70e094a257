// A short run of `./biscuit bench` (issue 11, "Done when"): the benchmark program runs end to end on
// Biscuit and writes a well-formed report. It checks the shape of the results, never the figures
// (timings belong to benchmarks, not tests). The benchmarks beside the Linux guest are left out
// here; BenchNginxTests runs `nginx --quick`, which boots the Linux guest and Biscuit once each.
using System.Text.Json;

namespace Biscuit.Boot.Tests;

[Collection("bench program")]
public class BenchSmokeTests
{
    [Fact]
    public void A_short_bench_run_writes_a_JSON_result_and_a_Markdown_report()
    {
        _ = Repository.KernelImage;   // everything built
        string results = Path.Combine(Repository.Root, "bench", "results");
        var before = Directory.Exists(results) ? Directory.GetDirectories(results).ToHashSet() : new HashSet<string>();
        var (code, output) = Repository.Run(Path.Combine(Repository.Root, "bench", "run"), "boot ipc servers --repeat 1", TimeSpan.FromMinutes(10));
        Assert.True(code == 0, output);

        var created = Directory.GetDirectories(results).Where(d => !before.Contains(d)).ToArray();
        Assert.Single(created);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(created[0], "results.json")));
        var root = json.RootElement;
        Assert.True(root.TryGetProperty("commit", out _));
        Assert.True(root.GetProperty("boot").GetProperty("qemu_spawn_to_ready_s").GetProperty("median").GetDouble() > 0);
        Assert.True(root.GetProperty("ipc").GetProperty("ipc_call_0").GetProperty("median_cycles").GetProperty("median").GetDouble() > 0);
        Assert.True(root.GetProperty("servers").GetProperty("servers_call").GetProperty("median_us").GetProperty("median").GetDouble() > 0);

        string report = File.ReadAllText(Path.Combine(created[0], "report.md"));
        Assert.StartsWith("# Biscuit benchmarks", report);
        Assert.Contains("## Boot", report);
        Assert.Contains("## Kernel core", report);
        Assert.Contains("## Requests between two .NET servers", report);
        Assert.Contains("## Published anchors", report);
        Assert.Contains("bench: results in bench/results/", output);
    }
}
