// ./biscuit bench faults — the fault-injection campaign of issue 9: for each server of boot/manifest
// in turn, Biscuit boots as `./biscuit run --inject SERVER:fault:EVERY` boots it (the script's own
// inject_manifest and qemu_args, sourced, so the two cannot drift apart), nginx is loaded by wrk
// from the host, and init injects a fault (process_inject: a null dereference at the server's next
// return from a system call) every EVERY ms, N times. Reported per server, from init's console lines
// and wrk's totals: faults injected, deaths, restarts, recovery time (death to new instance: median,
// max), whether init left it down, requests served and failed (wrk's errors: connect, read, write,
// status, timeout) and per injection, and kernel crashes (a CPU exception or halt line; must be 0).
// wrk counts no error for a keep-alive connection that simply stops getting answers, so the outage
// is measured from wrk's responses per second: the mean before the first injection, the seconds
// after it with no response at all, and whether nginx still answers in the run's last 3 seconds
// (seconds are matched to injections by the host's clock: ±1 s).
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Biscuit.Bench;

public static class FaultsBenchmark
{
    public static readonly string[] Servers = { "mm", "posix", "net", "fs", "blk", "nic" };
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(5);

    public static Dictionary<string, object> Run(string root, int injections, int everyMs, Action<string> say)
    {
        var guest = BiscuitGuest.Prepare(root);
        string script = Path.Combine(root, "bench", "linux", "wrk-report.lua");
        var perServer = new Dictionary<string, object>();
        var lines = new List<string>();
        foreach (string server in Servers)
        {
            int port = HttpTools.FreeLoopbackPort();
            say($"{server}: booting with a fault every {everyMs} ms (127.0.0.1:{port})");
            var args = QemuArguments(root, port, $"{server}:fault:{everyMs}");
            using var qemu = GuestQemu.Start(args);
            HttpTools.WaitForFirst200(qemu, $"http://127.0.0.1:{port}/small.html", BiscuitGuest.NginxStartMarker, BootTimeout, "Biscuit",
                l => l.Contains("is not implemented (ENOSYS)") || l.StartsWith("net: frames in ", StringComparison.Ordinal));
            // The first injection comes EVERY ms after the server started: load until N have been made, plus one period.
            int seconds = (int)Math.Ceiling(injections * everyMs / 1000.0) + everyMs / 1000 + 5;
            say($"{server}: wrk for {seconds} s");
            double spawnUnix = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 - qemu.Seconds;
            long wrkStartUnix = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var wrk = HttpTools.Wrk($"http://127.0.0.1:{port}/small.html", seconds, 8, 2, script);
            int loaded = seconds;
            // The schedule is init's, in guest time from the server's start (under TCG on a loaded host the
            // guest's clock runs slow), and a restart moves it: when fewer than N injections fell inside the
            // load, keep loading, a period and a margin at a time, at most two more (the whole campaign must
            // stay inside `./biscuit bench`'s 30 minutes); the table says how many were made.
            for (int more = 0; more < Math.Min(injections, 2) && Injected(qemu, server) < injections; more++)
            {
                say($"{server}: {Injected(qemu, server)} of {injections} injections so far; wrk for {everyMs / 1000 + 5} s more");
                wrk = Continued(wrk, HttpTools.Wrk($"http://127.0.0.1:{port}/small.html", everyMs / 1000 + 5, 8, 2, script));
                loaded += everyMs / 1000 + 5;
            }
            var serial = qemu.Lines.Select(l => l.Text).ToList();
            var figures = Figures(server, serial, wrk);
            var first = qemu.Lines.FirstOrDefault(l => l.Text == $"init: injected fault into {server}");
            if (first != null)
                foreach (var (k, v) in Outage(wrk.PerSecond, (int)(Math.Floor(spawnUnix + first.Seconds) - (wrkStartUnix + 1)), loaded - 2))
                    figures[k] = v;
            perServer[server] = figures;
            lines.Add($"| {server} | {figures["faults_injected"]} | {figures["deaths"]} | {figures["restarts"]} | " +
                      $"{Ms(figures["recovery_ms_median"])} / {Ms(figures["recovery_ms_max"])} | {figures["left_down"]} | " +
                      $"{wrk.Errors} of {wrk.Requests + wrk.Errors} | {figures["requests_served_per_injection"]} | " +
                      $"{figures.GetValueOrDefault("responses_per_second_before", "-")} | {figures.GetValueOrDefault("seconds_without_response_after", "-")} | " +
                      $"{figures.GetValueOrDefault("answers_at_end", "-")} | {figures["kernel_crashes"]} |");
        }
        Console.Error.WriteLine();
        Console.Error.WriteLine("| server | faults injected | deaths | restarts | recovery ms (median / max) | left down | wrk errors of sent | served per injection | responses/s before | seconds with none after | answers at end | kernel crashes |");
        Console.Error.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var l in lines) Console.Error.WriteLine(l);
        return new Dictionary<string, object>
        {
            ["injections_per_server"] = injections,
            ["every_ms"] = everyMs,
            ["load"] = "wrk -t2 -c8 --timeout 30s on /small.html, keep-alive, while init injects faults",
            ["servers"] = perServer,
        };
    }

    // From wrk's responses per second (index i = the run's second i + 1) and the index of the second
    // of the first injection: the mean rate before it, the seconds from it to the run's end with no
    // response (seconds wrk never printed count as none), whether any of the last 3 had responses.
    public static Dictionary<string, object> Outage(IReadOnlyList<long> perSecond, int injectedAt, int lastIndex)
    {
        long At(int i) => i >= 0 && i < perSecond.Count ? perSecond[i] : 0;
        int before = Math.Clamp(injectedAt, 0, lastIndex + 1);
        double rate = before > 0 ? Enumerable.Range(0, before).Average(i => (double)At(i)) : 0;
        int silent = Enumerable.Range(before, Math.Max(0, lastIndex - before + 1)).Count(i => At(i) == 0);
        bool atEnd = Enumerable.Range(Math.Max(0, lastIndex - 2), Math.Min(3, lastIndex + 1)).Any(i => At(i) > 0);
        return new Dictionary<string, object>
        {
            ["responses_per_second_before"] = Math.Round(rate, 1),
            ["seconds_without_response_after"] = silent,
            ["answers_at_end"] = atEnd,
        };
    }

    private static int Injected(GuestQemu qemu, string server) =>
        qemu.Lines.Count(l => l.Text == $"init: injected fault into {server}");

    // One load made of two wrk runs back to back: totals added, seconds in order. The latency
    // percentiles are the first run's (the campaign reports none of them).
    public static WrkResult Continued(WrkResult first, WrkResult then) =>
        first with
        {
            Requests = first.Requests + then.Requests,
            Errors = first.Errors + then.Errors,
            Seconds = first.Seconds + then.Seconds,
            RequestsPerSecond = (first.Requests + then.Requests) / Math.Max(1e-9, first.Seconds + then.Seconds),
            PerSecond = first.PerSecond.Concat(then.PerSecond).ToList(),
        };

    private static string Ms(object value) => value is double d ? d.ToString("F0", CultureInfo.InvariantCulture) : "-";

    // What init's console lines and wrk's totals say about one server's campaign.
    public static Dictionary<string, object> Figures(string server, IReadOnlyList<string> serial, WrkResult wrk)
    {
        int injected = serial.Count(l => l == $"init: injected fault into {server}");
        int deaths = serial.Count(l => l.StartsWith($"init: {server} killed by signal ", StringComparison.Ordinal)
                                    || l.StartsWith($"init: {server} exited with status ", StringComparison.Ordinal));
        var recovery = serial.Select(l => Regex.Match(l, $@"^init: {Regex.Escape(server)} restarted (\d+) ms after it died$"))
            .Where(m => m.Success).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).OrderBy(x => x).ToList();
        int crashes = serial.Count(l => l.StartsWith("biscuit: CPU exception", StringComparison.Ordinal) || l.StartsWith("biscuit: halted", StringComparison.Ordinal));
        return new Dictionary<string, object>
        {
            ["faults_injected"] = injected,
            ["deaths"] = deaths,
            ["restarts"] = recovery.Count,
            ["recovery_ms_median"] = recovery.Count > 0 ? recovery[recovery.Count / 2] : "none",
            ["recovery_ms_max"] = recovery.Count > 0 ? recovery[^1] : "none",
            ["left_down"] = serial.Any(l => l.StartsWith($"init: {server} ", StringComparison.Ordinal) && l.EndsWith("left down", StringComparison.Ordinal)),
            ["requests_served"] = wrk.Requests,
            ["requests_failed"] = wrk.Errors,
            ["requests_served_per_injection"] = injected > 0 ? wrk.Requests / injected : wrk.Requests,
            ["requests_failed_per_injection"] = injected > 0 ? wrk.Errors / injected : wrk.Errors,
            ["kernel_crashes"] = crashes,
            ["init_lines"] = serial.Where(l => l.StartsWith($"init: injected fault into {server}", StringComparison.Ordinal)
                                            || l.StartsWith($"init: {server} ", StringComparison.Ordinal)
                                            || l.StartsWith($"init: history {server}:", StringComparison.Ordinal)).ToList(),
        };
    }

    // `./biscuit run --inject SPEC`'s QEMU arguments for `port`: the script's inject_manifest on
    // boot/manifest's build copy, then attach_root_disk (a fresh disk copy) and qemu_args.
    private static List<string> QemuArguments(string root, int port, string spec)
    {
        string biscuit = Path.Combine(root, "biscuit");
        string program =
            "set -euo pipefail; " +
            $"source <(sed '/^main \"\\$@\"$/d' {Quote(biscuit)}); " +
            $"ROOT={Quote(root)}; BUILD={Quote(Path.Combine(root, "build"))}; PORT={port}; " +
            $"manifest=$(inject_manifest \"$BUILD/modules/manifest\" {Quote(spec)}); " +
            "attach_root_disk; qemu_args 1G stdio \"$manifest\"; printf '%s\\n' \"${QEMU_ARGS[@]}\"";
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(program);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"./biscuit's inject_manifest/qemu_args failed (exit {p.ExitCode}):\n{output}{stderr.Result}");
        var args = output.Split('\n').Where(l => l.Length > 0).ToList();
        if (!args.Contains("-kernel")) throw new InvalidOperationException($"./biscuit's qemu_args gave no -kernel:\n{output}");
        return args;
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";
}
