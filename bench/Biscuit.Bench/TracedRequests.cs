// One HTTP request at a time on Biscuit, traced (issue 11 item 4): after the wrk runs (and once the
// GC sampler has stopped, so nothing else loads the guest), single GETs of one file, each between
// two readings of every process's counters (/proc/biscuit/cpu: the kernel's cpu_census) and every
// server's Stats (/proc/biscuit/gc: posix's own, then fs's and net's over IPC).
//
// A reading goes through nginx and posix itself, so its cost lands in the window it closes and the
// one it opens. The readings form a chain R0, R1, GET, R2, R3, GET, R4, ...: windows alternate
// between "no request" (R(2k) -> R(2k+1): only the readings' own cost) and "one request"
// (R(2k+1) -> R(2k+2): the readings' cost and the request). TracedSummary subtracts the median of
// the no-request windows from each request window. Every fetch goes over one keep-alive connection
// (HttpClient's pool), like wrk's requests, so a window holds no TCP handshake unless nginx closed
// the connection (keepalive_requests); a window in which that happened is as it is, the medians
// absorb it.
// Invariant: windows are recorded in the order they were measured, a failed one with its error
// and no figures; a server restart inside a window (its uptime went backwards) is such an error.
using System.Diagnostics;
using Biscuit.Lib.Kernel;

namespace Biscuit.Bench;

/// <summary>One process's counters over a window (its user time and the kernel's work for it).</summary>
public sealed record ProcessWindow(ulong Id, string Name, string Kind, long Cycles, long SystemCalls, long IpcCalls);

/// <summary>One server's GC over a window: collections, pause (exact ns), and its requests during which a GC ran.</summary>
public sealed record ServerWindow(string Server, long Gcs, long PauseNs, long RequestsWithGc);

public sealed record TracedWindow(int Index, bool WithRequest, double WallMs, double RequestMs, List<ProcessWindow> Processes,
    List<ServerWindow> Servers, string? Error);

public static class TracedRequests
{
    public const string File = "small.html";
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(10);
    private const int MaxConsecutiveFailures = 3;

    private sealed record Reading(List<CpuCensusEntry> Cpu, List<ServerGcFigures> Gc, double AtMs);

    /// <summary>`count` request windows and as many no-request windows, alternating (no-request first).</summary>
    public static List<TracedWindow> Run(string site, int count, Action<string> say)
    {
        var windows = new List<TracedWindow>();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
            { Timeout = FetchTimeout };
        var clock = Stopwatch.StartNew();
        Reading? previous = null;
        int failures = 0;
        for (int index = 0; index < 2 * count && failures < MaxConsecutiveFailures; index++)
        {
            bool withRequest = index % 2 == 1;
            say($"traced request {index / 2 + 1}/{count}{(withRequest ? "" : " (readings alone)")}");
            try
            {
                previous ??= Read(http, site, clock);
                double requestMs = 0;
                if (withRequest)
                {
                    var started = clock.Elapsed;
                    byte[] body = http.GetByteArrayAsync($"{site}/{File}").GetAwaiter().GetResult();
                    requestMs = (clock.Elapsed - started).TotalMilliseconds;
                    if (body.Length == 0) throw new FormatException($"{File} came back empty");
                }
                var next = Read(http, site, clock);
                windows.Add(Window(index / 2, withRequest, previous, next, requestMs));
                previous = next;
                failures = 0;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or FormatException)
            {
                windows.Add(new TracedWindow(index / 2, withRequest, 0, 0, new(), new(), $"{e.GetType().Name}: {e.Message}"));
                previous = null;   // the chain starts again with a fresh reading
                failures++;
            }
        }
        return windows;
    }

    private static Reading Read(HttpClient http, string site, Stopwatch clock)
    {
        string cpu = http.GetStringAsync(site + CpuBreakdown.Path).GetAwaiter().GetResult();
        string gc = http.GetStringAsync(site + GcSampler.Path).GetAwaiter().GetResult();
        var census = CpuCensus.Parse(cpu);
        if (census.Count == 0) throw new FormatException($"{CpuBreakdown.Path} holds no process line");
        var (servers, _) = GcTable.Parse(gc);
        if (servers.Count == 0) throw new FormatException($"{GcSampler.Path} holds no server");
        return new Reading(census, servers, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>The differences between two readings (the figures of one window).</summary>
    private static TracedWindow Window(int index, bool withRequest, Reading before, Reading after, double requestMs)
    {
        var was = before.Cpu.ToDictionary(e => (e.Id, e.Name));
        var processes = new List<ProcessWindow>();
        foreach (var now in after.Cpu)
        {
            was.TryGetValue((now.Id, now.Name), out var then);   // a process born in the window starts from 0
            if (now.RunCycles < then.RunCycles) continue;
            string kind = now.Id == 0 ? "idle" : now.IsApplication ? "application" : (now.Flags & 2) != 0 ? "init" : "server";
            processes.Add(new ProcessWindow(now.Id, now.Name, kind, (long)(now.RunCycles - then.RunCycles),
                (long)(now.SystemCalls - then.SystemCalls), (long)(now.IpcCalls - then.IpcCalls)));
        }
        var servers = new List<ServerWindow>();
        foreach (var end in after.Gc)
        {
            var start = before.Gc.FirstOrDefault(s => s.Server == end.Server);
            if (start == null) continue;
            if (end.UptimeS < start.UptimeS)
                return new TracedWindow(index, withRequest, 0, requestMs, new(), new(), $"{end.Server} restarted inside the window");
            if (end.PauseTotalNs is not long pauseEnd || start.PauseTotalNs is not long pauseStart)
                return new TracedWindow(index, withRequest, 0, requestMs, new(), new(),
                    $"{GcSampler.Path} has no exact pause row (\"gc pause total (ns)\"): posix predates it");
            servers.Add(new ServerWindow(end.Server, end.Gen0 - start.Gen0, pauseEnd - pauseStart,
                (end.RequestsWithGc ?? 0) - (start.RequestsWithGc ?? 0)));
        }
        return new TracedWindow(index, withRequest, after.AtMs - before.AtMs, requestMs, processes, servers, null);
    }
}
