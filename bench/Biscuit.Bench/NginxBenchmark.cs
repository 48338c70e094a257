// Benchmark "nginx": Debian's nginx on Biscuit beside the same nginx on the Linux guest, booted
// alternately in one invocation (Linux, Biscuit, Linux, Biscuit, ...; `--repeat N` rounds) on the
// same emulated machine: Biscuit's QEMU command line comes from ./biscuit's qemu_args and the Linux
// guest's is that same line with only -kernel/-initrd/-append changed and the root disk left out
// (same memory, NIC, port forward). Per boot: QEMU spawn -> first HTTP 200; the sha256 of
// small.html and big.bin as served, against the build's www.sha256, before any load; then wrk from
// the host on each file with 1 and with 10 keep-alive connections (after an unrecorded warm-up).
// A boot that never answers HTTP is recorded and tried once more (AttemptsPerBoot).
// While Biscuit is loaded, GcSampler reads every server's GC figures once a second; after the load,
// TracedRequests sends single requests between readings of every process's and server's counters
// (where one request's cycles and GC pauses go). A boot that
// fails is recorded with its error and the run goes on; figures are medians over the boots that
// worked, with min and max.
using System.Diagnostics;
using System.Security.Cryptography;

namespace Biscuit.Bench;

public sealed record LoadRun(string File, int Connections, double StartS, double EndS, WrkResult Wrk)
{
    /// <summary>Biscuit only: each process's share of one request (CpuBreakdown), or null.</summary>
    public List<ProcessPerRequest>? CpuPerRequest { get; init; }
}

public sealed record GuestBoot(string Guest, int Round, int Port)
{
    [System.Text.Json.Serialization.JsonPropertyName("qemu_spawn_to_first_200_s")]   // as the summaries spell it
    public double? QemuSpawnToFirst200S { get; set; }
    public double? QemuSpawnToNginxStartS { get; set; }
    public Dictionary<string, string> ServedSha256 { get; } = new();
    public bool ContentCheckPassed { get; set; }
    public List<LoadRun> Runs { get; } = new();
    public List<GcSample> GcSamples { get; } = new();     // Biscuit only
    public List<TracedWindow> Traced { get; } = new();    // Biscuit only: TracedRequests' windows
    public string? Error { get; set; }
}

public sealed record NginxOptions(int Repetitions, int WarmupSeconds, int LoadSeconds, int[] Connections, int TracedRequests)
{
    public static NginxOptions Full(int repetitions) => new(repetitions, 2, LoadSecondsOr(10), [1, 10], 20);
    // 4 s, not less: wrk-report.lua prints a second only when the next one starts and the parser drops
    // the first (partial) one, so a 2 s run often has no whole second to plot (CI saw an empty plot).
    public static NginxOptions Quick(int repetitions) => new(repetitions, 1, LoadSecondsOr(4), [10], 5);

    private static int LoadSecondsOr(int fallback)
    {
        string? s = Environment.GetEnvironmentVariable("BISCUIT_BENCH_LOAD_SECONDS");
        if (s == null) return fallback;
        if (int.TryParse(s, out int v) && v > 0) return v;
        throw new ArgumentException($"BISCUIT_BENCH_LOAD_SECONDS must be a positive number of seconds, not '{s}'");
    }
}

public static class NginxBenchmark
{
    public const string Memory = "1G";                    // `./biscuit run`'s default
    public const string Nic = "e1000e";
    public const int WrkThreads = 1;
    public static readonly string[] Files = ["small.html", "big.bin"];
    // QEMU spawn -> first 200: the Linux guest took 27-60 s on a loaded host, Biscuit 4-25 s when it answers.
    private static readonly TimeSpan LinuxBootTimeout = TimeSpan.FromMinutes(4), BiscuitBootTimeout = TimeSpan.FromMinutes(2);
    public const int AttemptsPerBoot = 2;   // a boot that never answers is tried once more; both attempts are kept and counted

    public static Dictionary<string, object> Run(string root, NginxOptions options, Action<string> progress)
    {
        var linux = LinuxGuest.Build(root);
        var biscuit = BiscuitGuest.Prepare(root);
        foreach (var f in Files)
            if (!linux.FileSha256.TryGetValue(f, out var l) || !biscuit.FileSha256.TryGetValue(f, out var b) || l != b)
                throw new InvalidOperationException($"{f}: the Linux guest and Biscuit's root disk do not hold the same bytes (build/linux/www.sha256, build/www.sha256)");
        string script = Path.Combine(root, "bench", "linux", "wrk-report.lua");
        string loadBefore = LinuxHostLoad.Now();
        var boots = new List<GuestBoot>();
        List<string>? biscuitArgs = null, linuxArgs = null;
        for (int round = 1; round <= options.Repetitions; round++)
        {
            foreach (string guest in new[] { "linux", "biscuit" })
                for (int attempt = 1; attempt <= AttemptsPerBoot; attempt++)
                {
                    int port = HttpTools.FreeLoopbackPort();
                    var args = biscuit.QemuArguments(Memory, port);
                    if (guest == "linux") args = linux.QemuArgumentsLike(args, LinuxGuest.BaseAppend);
                    if (guest == "linux") linuxArgs ??= args; else biscuitArgs ??= args;
                    var boot = new GuestBoot(guest, round, port);
                    boots.Add(boot);
                    void Say(string s) => progress($"round {round}/{options.Repetitions}, {guest}: {s}");
                    try
                    {
                        Measure(boot, args, guest == "linux" ? linux.FileSha256 : biscuit.FileSha256, options, script, Say);
                    }
                    catch (InvalidOperationException e)
                    {
                        boot.Error = e.Message;
                        Console.Error.WriteLine($"\nbench: nginx: {guest} round {round} failed: {e.Message.Split('\n')[0]}");
                    }
                    finally
                    {
                        File.Delete(biscuit.RootDiskCopy(port));   // made by qemu_args for this port (the Linux guest ignores it); build/rootfs.ext3 stays
                    }
                    // Only a boot that never answered is tried again: a wrong byte or a death under load is a result.
                    if (boot.QemuSpawnToFirst200S != null) break;
                }
        }
        var result = new Dictionary<string, object>
        {
            ["repetitions"] = options.Repetitions,
            ["memory"] = Memory,
            ["nic"] = Nic,
            ["kernel"] = linux.KernelVersion,
            ["load"] = $"wrk -t{WrkThreads} -c{{{string.Join(",", options.Connections)}}} -d{options.LoadSeconds}s --timeout 30s, keep-alive, " +
                       $"after {options.WarmupSeconds} s unrecorded warm-up, on {string.Join(" and ", Files)}",
            ["load_seconds"] = options.LoadSeconds,
            ["connections"] = options.Connections,
            ["gc_sampling"] = $"GET {GcSampler.Path} through the guest's nginx once a second during Biscuit's load (one extra request/s, plus posix's Stats calls to fs and net)",
            ["host_cores"] = Environment.ProcessorCount,
            ["host_loadavg_before"] = loadBefore,
            ["host_loadavg_after"] = LinuxHostLoad.Now(),
            ["qemu_biscuit"] = biscuitArgs ?? new List<string>(),
            ["qemu_linux"] = linuxArgs ?? new List<string>(),
            ["boots"] = boots,
            ["summary"] = NginxSummary.Of(boots, options),
            ["traced_requests_per_boot"] = options.TracedRequests,
            ["traced_method"] = $"after the load, {options.TracedRequests} single GETs of {TracedRequests.File} per Biscuit boot over one keep-alive " +
                                $"connection, each between two readings of {CpuBreakdown.Path} and {GcSampler.Path}, alternating with as many " +
                                "windows holding the readings alone; each figure less the median of the readings-alone windows of its boot",
        };
        var traced = TracedSummary.Of(boots.Where(b => b.Guest == "biscuit" && b.Error == null).Select(b => (IReadOnlyList<TracedWindow>)b.Traced));
        if (traced != null) result["traced"] = traced;
        return result;
    }

    private static void Measure(GuestBoot boot, List<string> args, IReadOnlyDictionary<string, string> sha256, NginxOptions options,
        string script, Action<string> say)
    {
        string site = $"http://127.0.0.1:{boot.Port}";
        string who = boot.Guest == "linux" ? "the Linux guest" : "Biscuit";
        string marker = boot.Guest == "linux" ? "linux-init: nginx start" : BiscuitGuest.NginxStartMarker;
        say($"booting (127.0.0.1:{boot.Port})");
        using var qemu = GuestQemu.Start(args);
        // Biscuit's net server prints its frame counters every few seconds: left out of error reports.
        static bool Counters(string line) => line.StartsWith("net: frames in ", StringComparison.Ordinal) || line.Contains("is not implemented (ENOSYS)");
        var timeout = boot.Guest == "linux" ? LinuxBootTimeout : BiscuitBootTimeout;
        boot.QemuSpawnToFirst200S = HttpTools.WaitForFirst200(qemu, $"{site}/small.html", marker, timeout, who, Counters);
        boot.QemuSpawnToNginxStartS = qemu.SeenAt(marker);
        foreach (var f in Files)
        {
            string got = Convert.ToHexStringLower(SHA256.HashData(HttpTools.Fetch($"{site}/{f}")));
            boot.ServedSha256[f] = got;
            if (got != sha256[f])
                throw new InvalidOperationException($"content check: {f} served by {who} has sha256 {got}, expected {sha256[f]}");
        }
        boot.ContentCheckPassed = true;

        var clock = Stopwatch.StartNew();                    // the time base of the runs and GC samples of this boot
        using var sampler = boot.Guest == "biscuit" ? new GcSampler(site, clock) : null;
        try
        {
            foreach (var f in Files)
                foreach (int c in options.Connections)
                {
                    say($"wrk {f} -c{c} ({options.WarmupSeconds} s warm-up + {options.LoadSeconds} s)");
                    HttpTools.Wrk($"{site}/{f}", options.WarmupSeconds, c, WrkThreads, script);
                    string? cpuBefore = boot.Guest == "biscuit" ? CpuBreakdown.Read(site) : null;
                    double start = clock.Elapsed.TotalSeconds;
                    var r = HttpTools.Wrk($"{site}/{f}", options.LoadSeconds, c, WrkThreads, script);
                    double end = clock.Elapsed.TotalSeconds;
                    string? cpuAfter = boot.Guest == "biscuit" ? CpuBreakdown.Read(site) : null;
                    boot.Runs.Add(new LoadRun(f, c, start, end, r) { CpuPerRequest = CpuBreakdown.PerRequest(cpuBefore, cpuAfter, r.Requests) });
                    if (qemu.HasExited) throw new InvalidOperationException($"{who} died during the load on {f}\n{qemu.Tail(30, Counters)}");
                }
        }
        finally
        {
            if (sampler != null)
            {
                boot.GcSamples.AddRange(sampler.Stop());
                if (!qemu.HasExited) boot.GcSamples.Add(sampler.SampleOnce());   // the figures once the load is over
            }
        }
        if (boot.Guest == "biscuit" && options.TracedRequests > 0)
        {
            Thread.Sleep(TimeSpan.FromSeconds(1));   // wrk's connections close and the sampler's last request ends before the first window
            boot.Traced.AddRange(TracedRequests.Run(site, options.TracedRequests, say));
            if (qemu.HasExited) throw new InvalidOperationException($"{who} died during the traced requests\n{qemu.Tail(30, Counters)}");
        }
    }
}
