// The figures of the traced requests (TracedRequests): per request window, each figure less the
// median of the same figure over the no-request windows of the same boot (the readings' own cost,
// measured by reading twice with nothing between); then, pooled over boots, the median and the
// largest of those per-request figures: cycles, system calls and IPC calls per process (processes
// of one name summed: nginx's master and worker), and GC pause per server. Processes are listed by
// name, busiest first (by median cycles), the idle loop last. The largest total GC pause
// accumulated inside one HTTP request is, over the request windows, the largest sum over servers
// of their pause less the no-request median of that sum.
namespace Biscuit.Bench;

public sealed record TracedProcess(string Name, string Kind, Summary Cycles, Summary SystemCalls, Summary IpcCalls, double ReadingsCycles);

public sealed record TracedServerGc(string Server, Summary PauseUs, int RequestsWithGcInServer, int WindowsWithGc, double ReadingsPauseMaxUs);

public sealed record TracedFigures(int Requests, int ReadingWindows, int FailedWindows, Summary RequestMs, Summary WindowCycles,
    List<TracedProcess> Processes, List<TracedServerGc> Servers, double MaxTotalPauseUs, double MedianTotalPauseUs,
    double ReadingsMaxTotalPauseUs, List<string> Errors)
{
    /// <summary>Per request window (pooled over boots, in order): cycles per process name, readings' cost subtracted.</summary>
    public List<Dictionary<string, double>> CyclesPerRequest { get; init; } = new();

    // Where the wall-clock time of a window went (raw windows, nothing subtracted): the idle loop's
    // share of all cycles, in request windows and in readings-alone ones, and the guest TSC's rate
    // (all cycles of a window over its duration on the host's clock).
    public Summary? IdleShareWithRequest { get; init; }
    public Summary? IdleShareReadingsAlone { get; init; }
    public Summary? TscGhz { get; init; }
}

public static class TracedSummary
{
    /// <summary>The figures over every boot's traced windows, or null if no boot has a good request window and a good no-request one.</summary>
    public static TracedFigures? Of(IEnumerable<IReadOnlyList<TracedWindow>> boots)
    {
        var cycles = new Dictionary<string, List<double>>();
        var calls = new Dictionary<string, List<double>>();
        var ipc = new Dictionary<string, List<double>>();
        var kinds = new Dictionary<string, string>();
        var readingsCycles = new Dictionary<string, List<double>>();
        var pauses = new Dictionary<string, List<double>>();
        var requestsWithGc = new Dictionary<string, int>();
        var windowsWithGc = new Dictionary<string, int>();
        var readingsPauseMax = new Dictionary<string, double>();
        var totals = new List<double>();
        var readingsTotals = new List<double>();
        var requestMs = new List<double>();
        var windowCycles = new List<double>();
        var perRequest = new List<Dictionary<string, double>>();
        var idleWith = new List<double>();
        var idleAlone = new List<double>();
        var ghz = new List<double>();
        int readingWindows = 0, failed = 0;
        var errors = new List<string>();
        foreach (var windows in boots)
        {
            failed += windows.Count(w => w.Error != null);
            errors.AddRange(windows.Where(w => w.Error != null).Select(w => w.Error!));
            var quiet = windows.Where(w => w.Error == null && !w.WithRequest).ToList();
            var loaded = windows.Where(w => w.Error == null && w.WithRequest).ToList();
            if (quiet.Count == 0 || loaded.Count == 0) continue;
            readingWindows += quiet.Count;
            foreach (var w in quiet.Concat(loaded))
            {
                double all = w.Processes.Sum(p => (double)p.Cycles);
                if (all <= 0) continue;
                (w.WithRequest ? idleWith : idleAlone).Add(w.Processes.Where(p => p.Kind == "idle").Sum(p => (double)p.Cycles) / all);
                if (w.WallMs > 0) ghz.Add(all / w.WallMs / 1e6);
            }

            // The readings' own cost in this boot: medians over its no-request windows.
            var baseCycles = Medians(quiet, w => ByName(w, p => p.Cycles));
            var baseCalls = Medians(quiet, w => ByName(w, p => p.SystemCalls));
            var baseIpc = Medians(quiet, w => ByName(w, p => p.IpcCalls));
            var basePause = Medians(quiet, w => w.Servers.ToDictionary(s => s.Server, s => (double)s.PauseNs));
            double baseTotal = Median(quiet.Select(w => w.Servers.Sum(s => (double)s.PauseNs)).ToList());
            foreach (var (name, value) in baseCycles) Add(readingsCycles, name, value);
            foreach (var w in quiet)
            {
                readingsTotals.Add(w.Servers.Sum(s => s.PauseNs) / 1000.0);
                foreach (var s in w.Servers)
                    readingsPauseMax[s.Server] = Math.Max(readingsPauseMax.GetValueOrDefault(s.Server), s.PauseNs / 1000.0);
            }

            foreach (var w in loaded)
            {
                foreach (var p in w.Processes) kinds.TryAdd(p.Name, p.Kind);
                var c = Subtract(ByName(w, p => p.Cycles), baseCycles);
                foreach (var (name, v) in c) Add(cycles, name, v);
                foreach (var (name, v) in Subtract(ByName(w, p => p.SystemCalls), baseCalls)) Add(calls, name, v);
                foreach (var (name, v) in Subtract(ByName(w, p => p.IpcCalls), baseIpc)) Add(ipc, name, v);
                perRequest.Add(c);
                foreach (var s in w.Servers)
                {
                    Add(pauses, s.Server, (s.PauseNs - basePause.GetValueOrDefault(s.Server)) / 1000.0);
                    requestsWithGc[s.Server] = requestsWithGc.GetValueOrDefault(s.Server) + (int)Math.Max(0, s.RequestsWithGc);
                    if (s.Gcs > 0) windowsWithGc[s.Server] = windowsWithGc.GetValueOrDefault(s.Server) + 1;
                }
                totals.Add((w.Servers.Sum(s => (double)s.PauseNs) - baseTotal) / 1000.0);
                requestMs.Add(w.RequestMs);
                windowCycles.Add(c.Values.Sum());
            }
        }
        if (totals.Count == 0) return null;

        var processes = cycles.Keys
            .Select(name => new TracedProcess(name, kinds.GetValueOrDefault(name, "server"), Summary.Of(cycles[name]),
                Summary.Of(calls.GetValueOrDefault(name) ?? [0]), Summary.Of(ipc.GetValueOrDefault(name) ?? [0]),
                readingsCycles.TryGetValue(name, out var r) ? Median(r) : 0))
            .OrderBy(p => p.Kind == "idle" ? 1 : 0).ThenByDescending(p => p.Cycles.Median).ToList();
        var servers = pauses.Keys
            .Select(server => new TracedServerGc(server, Summary.Of(pauses[server]), requestsWithGc.GetValueOrDefault(server),
                windowsWithGc.GetValueOrDefault(server), readingsPauseMax.GetValueOrDefault(server)))
            .OrderBy(s => s.Server).ToList();
        return new TracedFigures(totals.Count, readingWindows, failed, Summary.Of(requestMs), Summary.Of(windowCycles), processes, servers,
            totals.Max(), Median(totals), readingsTotals.DefaultIfEmpty(0).Max(), errors.Distinct().ToList())
        {
            CyclesPerRequest = perRequest,
            IdleShareWithRequest = idleWith.Count > 0 ? Summary.Of(idleWith) : null,
            IdleShareReadingsAlone = idleAlone.Count > 0 ? Summary.Of(idleAlone) : null,
            TscGhz = ghz.Count > 0 ? Summary.Of(ghz) : null,
        };
    }

    // A window's figure per process name (processes of one name summed).
    private static Dictionary<string, double> ByName(TracedWindow w, Func<ProcessWindow, long> figure) =>
        w.Processes.GroupBy(p => p.Name).ToDictionary(g => g.Key, g => (double)g.Sum(figure));

    private static Dictionary<string, double> Medians(List<TracedWindow> windows, Func<TracedWindow, Dictionary<string, double>> figures)
    {
        var all = windows.Select(figures).ToList();
        return all.SelectMany(d => d.Keys).Distinct()
            .ToDictionary(k => k, k => Median(all.Select(d => d.GetValueOrDefault(k)).ToList()));
    }

    private static Dictionary<string, double> Subtract(Dictionary<string, double> values, Dictionary<string, double> baseline) =>
        values.ToDictionary(kv => kv.Key, kv => kv.Value - baseline.GetValueOrDefault(kv.Key));

    private static void Add(Dictionary<string, List<double>> into, string key, double value)
    {
        if (!into.TryGetValue(key, out var list)) into[key] = list = new();
        list.Add(value);
    }

    private static double Median(List<double> values) => values.Count == 0 ? 0 : Summary.Of(values).Median;
}
