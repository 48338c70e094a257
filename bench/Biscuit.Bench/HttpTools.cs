// The host-side HTTP tools of the nginx benchmarks, each a Debian program run as a child process:
// curl (probe for the first 200, fetch a file for its sha256) and wrk (keep-alive load). Every child
// has a time limit and is killed when it overruns; a tool that is missing is reported by package.
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Biscuit.Bench;

// One wrk run: totals, latency percentiles, and the responses counted in each whole wall-clock
// second of the run (PerSecond[i] = responses in second i after the run's first second; the first
// and last seconds, which are partial, are left out, so a 10 s run gives about 8 figures).
public sealed record WrkResult(long Requests, double Seconds, double RequestsPerSecond, double P50Ms, double P90Ms, double P99Ms, double MaxMs,
    long Errors, IReadOnlyList<long> PerSecond);

public static class HttpTools
{
    // A free TCP port on 127.0.0.1 for QEMU's hostfwd (never 8080, which `./biscuit run` uses).
    public static int FreeLoopbackPort()
    {
        while (true)
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            if (port != 8080) return port;
        }
    }

    // Starts a curl probe every 100 ms (each with its own 3 s limit: QEMU's user network accepts a
    // connection before the guest can answer it) until one gets 200; returns the QEMU-clock time at
    // which that probe finished. Until a serial line contains `readyMarker` (the guest says its
    // server is starting) probes go out every 500 ms only, to spare the shared host's CPU during
    // the boot. Throws with the serial log's tail if QEMU exits or time runs out.
    public static double WaitForFirst200(GuestQemu qemu, string url, string readyMarker, TimeSpan timeout, string guest = "the Linux guest",
        Func<string, bool>? quietLines = null)
    {
        var probes = new List<(Process Curl, Task<(string Status, double At)> Outcome)>();
        try
        {
            while (true)
            {
                var ok = probes.Where(p => p.Outcome.IsCompletedSuccessfully && p.Outcome.Result.Status == "200").ToList();
                if (ok.Count > 0) return ok.Min(p => p.Outcome.Result.At);
                if (qemu.HasExited)
                    throw new InvalidOperationException($"{guest} exited (QEMU status {qemu.ExitCode}) before nginx answered\n{qemu.Tail(30, quietLines)}");
                if (qemu.Seconds > timeout.TotalSeconds)
                    throw new InvalidOperationException($"no HTTP 200 from {url} within {timeout.TotalSeconds:F0} s of QEMU's start\n{qemu.Tail(30, quietLines)}");
                var curl = Start("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "3", url);
                // curl's output ends when it exits: that moment, on QEMU's clock, is when the answer came
                probes.Add((curl, curl.StandardOutput.ReadToEndAsync().ContinueWith(t => (t.Result, qemu.Seconds))));
                Thread.Sleep(qemu.SeenAt(readyMarker) == null ? 500 : 100);
            }
        }
        finally
        {
            foreach (var (curl, _) in probes) { Stop(curl); curl.Dispose(); }
        }
    }

    // The body of `url` (curl, 60 s limit); throws if the status is not 200.
    public static byte[] Fetch(string url)
    {
        using var p = Start("curl", "-s", "-f", "--max-time", "60", url);
        using var body = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(body);
        if (!p.WaitForExit(65_000)) { Stop(p); throw new InvalidOperationException($"curl {url}: no answer within 60 s"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"curl {url} failed (curl exit {p.ExitCode}: 22 = HTTP error, 28 = timeout)");
        return body.ToArray();
    }

    // wrk with keep-alive connections; `reportScript` is bench/linux/wrk-report.lua, whose lines
    // carry the figures. A run with no `wrk-report` line throws with wrk's output.
    public static WrkResult Wrk(string url, int seconds, int connections, int threads, string reportScript)
    {
        using var p = Start("wrk", $"-t{threads}", $"-c{connections}", $"-d{seconds}s", "--timeout", "30s", "-s", reportScript, url);
        var output = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit((seconds + 60) * 1000)) { Stop(p); throw new InvalidOperationException($"wrk {url} did not finish within {seconds + 60} s"); }
        p.WaitForExit();
        try
        {
            return ParseWrk(output.Result);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"wrk {url} gave no result (exit {p.ExitCode}): {e.Message}\n{output.Result}{p.StandardError.ReadToEnd()}");
        }
    }

    private static readonly Regex ReportLine = new(@"wrk-report requests=(\d+) seconds=([0-9.]+) bytes=\d+ rps=([0-9.]+) p50_ms=([0-9.]+) p90_ms=([0-9.]+) p99_ms=([0-9.]+) max_ms=([0-9.]+) errors=(\d+)");
    private static readonly Regex SecondLine = new(@"^wrk-second t=(\d+) responses=(\d+)$", RegexOptions.Multiline);

    // The figures of wrk-report.lua's output; FormatException if there is no report line.
    public static WrkResult ParseWrk(string output)
    {
        var m = ReportLine.Match(output);
        if (!m.Success) throw new FormatException("no 'wrk-report' line");
        double D(int g) => double.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
        // Sum per second over wrk's threads; fill seconds with no line with 0; drop the first second.
        var bySecond = new SortedDictionary<long, long>();
        foreach (Match s in SecondLine.Matches(output))
        {
            long t = long.Parse(s.Groups[1].Value), n = long.Parse(s.Groups[2].Value);
            bySecond[t] = bySecond.GetValueOrDefault(t) + n;
        }
        var perSecond = new List<long>();
        if (bySecond.Count > 1)
            for (long t = bySecond.Keys.First() + 1; t <= bySecond.Keys.Last(); t++) perSecond.Add(bySecond.GetValueOrDefault(t));
        return new WrkResult(long.Parse(m.Groups[1].Value), D(2), D(3), D(4), D(5), D(6), D(7), long.Parse(m.Groups[8].Value), perSecond);
    }

    private static Process Start(string program, params string[] arguments)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        try
        {
            return Process.Start(psi)!;
        }
        catch (Win32Exception)
        {
            throw new InvalidOperationException($"'{program}' is not installed (Debian package: {program}); apt-get install {program}");
        }
    }

    private static void Stop(Process p)
    {
        try { if (!p.HasExited) { p.Kill(); p.WaitForExit(2000); } }
        catch (InvalidOperationException) { }
    }
}
