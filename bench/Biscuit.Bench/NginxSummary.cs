// The figures the nginx report and plots are made of, computed from the raw boots: per guest and
// per (file, connections) the median [min–max] over boots of requests/s and latency p50/p90/p99;
// Biscuit/Linux ratios of those medians; and per Biscuit server what happened during the load
// window (from the first to the last good GC sample of each boot): collections per generation,
// longest pause, pause histogram, GC share of the window, largest heap, admissions queued,
// restarts (a server's uptime going backwards between two samples).
namespace Biscuit.Bench;

public sealed record LoadFigures(int Boots, Summary RequestsPerS, Summary P50Ms, Summary P90Ms, Summary P99Ms, long Errors, long Requests);

public sealed record RatioFigures(double RequestsPerS, double P50Ms, double P90Ms, double P99Ms);

public sealed record ServerLoadGc(string Server, int Boots, long Gen0, long Gen1, long Gen2, long PausesSampled, long PausesMissed, double PauseMaxMs, double PauseTotalMs,
    double GcShareOfWindow, double TimeInGcSinceStart, long HeapMaxBytes, long HeapLimitBytes, long Queued, long Refused, int Restarts,
    Dictionary<string, long> PauseHistogram)
{
    // lib's RequestGcMeter, where posix prints it: the server's requests in the window and those during
    // which a GC ran, and the largest pause accumulated inside one of its requests (since it started).
    public long? RequestsMeasured { get; init; }
    public long? RequestsWithGc { get; init; }
    public double? RequestPauseMaxMs { get; init; }
}

public static class NginxSummary
{
    public static string Key(string file, int connections) => $"{file} c{connections}";

    public static Dictionary<string, object> Of(List<GuestBoot> boots, NginxOptions options)
    {
        var result = new Dictionary<string, object>();
        foreach (string guest in new[] { "linux", "biscuit" })
        {
            var mine = boots.Where(b => b.Guest == guest).ToList();
            var ok = mine.Where(b => b.Error == null).ToList();
            var g = new Dictionary<string, object>
            {
                ["boots"] = mine.Count,
                ["boots_failed"] = mine.Count - ok.Count,
                ["content_check_passed"] = mine.Count(b => b.ContentCheckPassed),
                ["content_check_failed"] = mine.Count(b => b.Error?.StartsWith("content check:", StringComparison.Ordinal) == true),
            };
            var first200 = mine.Where(b => b.QemuSpawnToFirst200S != null).Select(b => b.QemuSpawnToFirst200S!.Value).ToList();
            if (first200.Count > 0) g["qemu_spawn_to_first_200_s"] = Summary.Of(first200);
            var load = new Dictionary<string, LoadFigures>();
            foreach (var f in NginxBenchmark.Files)
                foreach (int c in options.Connections)
                {
                    var runs = ok.SelectMany(b => b.Runs).Where(r => r.File == f && r.Connections == c).Select(r => r.Wrk).ToList();
                    if (runs.Count == 0) continue;
                    load[Key(f, c)] = new LoadFigures(runs.Count, Summary.Of(runs.Select(r => r.RequestsPerSecond).ToList()),
                        Summary.Of(runs.Select(r => r.P50Ms).ToList()), Summary.Of(runs.Select(r => r.P90Ms).ToList()),
                        Summary.Of(runs.Select(r => r.P99Ms).ToList()), runs.Sum(r => r.Errors), runs.Sum(r => r.Requests));
                }
            g["load"] = load;
            if (guest == "biscuit") g["gc_during_load"] = GcDuringLoad(ok);
            result[guest] = g;
        }
        result["ratios_biscuit_over_linux"] = Ratios(
            (Dictionary<string, LoadFigures>)((Dictionary<string, object>)result["biscuit"])["load"],
            (Dictionary<string, LoadFigures>)((Dictionary<string, object>)result["linux"])["load"]);
        return result;
    }

    private static Dictionary<string, RatioFigures> Ratios(Dictionary<string, LoadFigures> biscuit, Dictionary<string, LoadFigures> linux)
    {
        var ratios = new Dictionary<string, RatioFigures>();
        foreach (var (key, b) in biscuit)
            if (linux.TryGetValue(key, out var l) && l.RequestsPerS.Median > 0 && l.P50Ms.Median > 0 && l.P90Ms.Median > 0 && l.P99Ms.Median > 0)
                ratios[key] = new RatioFigures(b.RequestsPerS.Median / l.RequestsPerS.Median, b.P50Ms.Median / l.P50Ms.Median,
                    b.P90Ms.Median / l.P90Ms.Median, b.P99Ms.Median / l.P99Ms.Median);
        return ratios;
    }

    // Per server, summed (counts) or maximal (pauses, heap) over boots, each boot's window being
    // its first to its last good sample.
    public static List<ServerLoadGc> GcDuringLoad(List<GuestBoot> boots)
    {
        var perServer = new Dictionary<string, List<ServerLoadGc>>();
        foreach (var boot in boots)
        {
            var good = boot.GcSamples.Where(s => s.Error == null && s.Servers.Count > 0).ToList();
            if (good.Count < 2) continue;
            var (first, last) = (good[0], good[^1]);
            double window = last.AtS - first.AtS;
            foreach (var end in last.Servers)
            {
                var start = first.Servers.FirstOrDefault(s => s.Server == end.Server);
                if (start == null) continue;
                var series = good.Select(s => s.Servers.FirstOrDefault(x => x.Server == end.Server)).Where(x => x != null).Select(x => x!).ToList();
                int restarts = series.Zip(series.Skip(1)).Count(p => p.Second.UptimeS < p.First.UptimeS);
                var histogram = new Dictionary<string, long>();
                foreach (var (bin, n) in end.PauseHistogram)
                {
                    long d = n - start.PauseHistogram.GetValueOrDefault(bin);
                    if (d > 0) histogram[bin] = d;
                }
                double pauseTotal = Math.Max(0, end.PauseTotalMs - start.PauseTotalMs);
                var figures = new ServerLoadGc(end.Server, 1, end.Gen0 - start.Gen0, end.Gen1 - start.Gen1, end.Gen2 - start.Gen2,
                    end.PausesSampled - start.PausesSampled, end.PausesMissed - start.PausesMissed,
                    series.Max(s => s.PauseMaxMs), pauseTotal, window > 0 ? pauseTotal / 1000 / window : 0, end.TimeInGcFraction,
                    series.Max(s => s.HeapBytes), end.HeapLimitBytes, end.Queued - start.Queued, end.Refused - start.Refused, restarts, histogram)
                {
                    RequestsMeasured = end.RequestsMeasured - start.RequestsMeasured,
                    RequestsWithGc = end.RequestsWithGc - start.RequestsWithGc,
                    RequestPauseMaxMs = series.Max(s => s.RequestPauseMaxNs) / 1e6,
                };
                if (!perServer.TryGetValue(end.Server, out var list)) perServer[end.Server] = list = new();
                list.Add(figures);
            }
        }
        return perServer.Select(p => p.Value.Aggregate((a, b) => a with
        {
            Boots = a.Boots + b.Boots, Gen0 = a.Gen0 + b.Gen0, Gen1 = a.Gen1 + b.Gen1, Gen2 = a.Gen2 + b.Gen2,
            PausesSampled = a.PausesSampled + b.PausesSampled, PausesMissed = a.PausesMissed + b.PausesMissed,
            PauseMaxMs = Math.Max(a.PauseMaxMs, b.PauseMaxMs), PauseTotalMs = a.PauseTotalMs + b.PauseTotalMs,
            GcShareOfWindow = Math.Max(a.GcShareOfWindow, b.GcShareOfWindow), TimeInGcSinceStart = Math.Max(a.TimeInGcSinceStart, b.TimeInGcSinceStart),
            HeapMaxBytes = Math.Max(a.HeapMaxBytes, b.HeapMaxBytes), Queued = a.Queued + b.Queued, Refused = a.Refused + b.Refused,
            Restarts = a.Restarts + b.Restarts,
            PauseHistogram = a.PauseHistogram.Concat(b.PauseHistogram).GroupBy(kv => kv.Key).ToDictionary(k => k.Key, k => k.Sum(kv => kv.Value)),
            RequestsMeasured = a.RequestsMeasured + b.RequestsMeasured, RequestsWithGc = a.RequestsWithGc + b.RequestsWithGc,
            RequestPauseMaxMs = a.RequestPauseMaxMs is null ? b.RequestPauseMaxMs : b.RequestPauseMaxMs is null ? a.RequestPauseMaxMs : Math.Max(a.RequestPauseMaxMs.Value, b.RequestPauseMaxMs.Value),
        })).ToList();
    }
}
