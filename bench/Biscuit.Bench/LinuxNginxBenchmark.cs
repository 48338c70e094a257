// Benchmark "nginx-linux": Debian's nginx in the Linux guest (bench/linux), booted with the QEMU
// flags and e1000e NIC of `./biscuit run`, loaded from the host through QEMU's user-network port
// forward on 127.0.0.1. Per boot: QEMU spawn -> first HTTP 200 (and the guest's boot markers),
// sha256 of both docroot files as served, then wrk (keep-alive, 8 connections, 1 thread) on
// small.html (4 KiB) and big.bin (1 MiB): requests/s and latency p50/p99. Figures are medians over
// boots with min and max. This is the baseline Biscuit's nginx will be compared with once Biscuit
// serves HTTP. BISCUIT_BENCH_LOAD_SECONDS overrides the measured load time per file (default 10 s).
using System.Security.Cryptography;

namespace Biscuit.Bench;

public static class LinuxNginxBenchmark
{
    public const string Memory = "512M";                 // as `./biscuit run`
    public const int Connections = 8, Threads = 1, WarmupSeconds = 2;
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(180);
    private static readonly string[] Files = ["small.html", "big.bin"];
    private static readonly (string Key, string Marker)[] BootMarkers =
    [
        ("qemu_spawn_to_init_s", "linux-init: start"),
        ("qemu_spawn_to_nginx_start_s", "linux-init: nginx start"),
        ("qemu_spawn_to_carrier_up_s", "linux-init: carrier up"),
    ];

    public static Dictionary<string, object> Run(string root, int repetitions, Action<string> progress)
    {
        var guest = LinuxGuest.Build(root);
        int loadSeconds = LoadSeconds();
        string script = Path.Combine(root, "bench", "linux", "wrk-report.lua");
        var boot = new List<double>();
        var markers = BootMarkers.ToDictionary(m => m.Key, _ => new List<double>());
        var load = Files.ToDictionary(f => f, _ => new List<WrkResult>());
        string loadBefore = LinuxHostLoad.Now();
        for (int i = 0; i < repetitions; i++)
        {
            int port = HttpTools.FreeLoopbackPort();
            string site = $"http://127.0.0.1:{port}";
            progress($"boot {i + 1}/{repetitions} (127.0.0.1:{port})");
            using var qemu = GuestQemu.Start(guest.QemuArguments(Memory, LinuxGuest.BaseAppend, port));
            boot.Add(HttpTools.WaitForFirst200(qemu, $"{site}/small.html", "linux-init: nginx start", BootTimeout));
            foreach (var (key, marker) in BootMarkers)
                if (qemu.SeenAt(marker) is double t) markers[key].Add(t);
            foreach (var f in Files)
            {
                string got = Convert.ToHexStringLower(SHA256.HashData(HttpTools.Fetch($"{site}/{f}")));
                if (got != guest.FileSha256[f])
                    throw new InvalidOperationException($"content check: {f} served by the Linux guest has sha256 {got}, expected {guest.FileSha256[f]}");
            }
            foreach (var f in Files)
            {
                progress($"boot {i + 1}/{repetitions}: wrk {f} ({WarmupSeconds} s warm-up + {loadSeconds} s)");
                HttpTools.Wrk($"{site}/{f}", WarmupSeconds, Connections, Threads, script);
                var r = HttpTools.Wrk($"{site}/{f}", loadSeconds, Connections, Threads, script);
                if (qemu.HasExited) throw new InvalidOperationException($"the Linux guest died during the load on {f}\n{qemu.Tail()}");
                load[f].Add(r);
            }
        }
        var result = new Dictionary<string, object>
        {
            ["repetitions"] = repetitions,
            ["memory"] = Memory,
            ["kernel"] = guest.KernelVersion,
            ["nic"] = "e1000e",
            ["load"] = $"wrk -t{Threads} -c{Connections} -d{loadSeconds}s (keep-alive, after {WarmupSeconds} s unrecorded warm-up)",
            ["content_check"] = "sha256 of both files matched on every boot",
            ["qemu_spawn_to_first_200_s"] = Summary.Of(boot),
            ["host_loadavg_before"] = loadBefore,
            ["host_loadavg_after"] = LinuxHostLoad.Now(),
        };
        foreach (var (key, times) in markers)
            if (times.Count > 0) result[key] = Summary.Of(times);
        foreach (var (f, runs) in load)
            result[f] = new Dictionary<string, object>
            {
                ["requests_per_s"] = Summary.Of(runs.Select(r => r.RequestsPerSecond).ToList()),
                ["latency_p50_ms"] = Summary.Of(runs.Select(r => r.P50Ms).ToList()),
                ["latency_p99_ms"] = Summary.Of(runs.Select(r => r.P99Ms).ToList()),
                ["errors"] = runs.Sum(r => r.Errors),
            };
        return result;
    }

    private static int LoadSeconds()
    {
        string? s = Environment.GetEnvironmentVariable("BISCUIT_BENCH_LOAD_SECONDS");
        if (s == null) return 10;
        if (int.TryParse(s, out int v) && v > 0) return v;
        throw new ArgumentException($"BISCUIT_BENCH_LOAD_SECONDS must be a positive number of seconds, not '{s}'");
    }
}
