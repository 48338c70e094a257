// The "fs" benchmark's figures over boots: for every phase and guest, the rate (MiB/s for the large
// file, reads/s for random reads, files/s for the small-file phases) of each boot from its TSC
// cycles at one time base for both guests (the Linux guest's calibration: Biscuit's CLOCK_MONOTONIC
// under TCG is not a reliable ruler, as bench/README.md's posix section says), the median [min–max]
// over boots, the Biscuit/Linux ratio of the medians (below 1: Biscuit slower) and the spread of the
// per-round ratios; and for Biscuit the fs server's GC in each phase (median over boots of its share
// of fs's CPU time and of the phase's time, collections, pause) with fs's heap against the file size.
// Boots without a figure for a phase do not count towards it; their reasons are kept.
namespace Biscuit.Bench;

public sealed record FsGuestFigures(int Boots, Summary Rate, Summary? MedianLatencyNs);

public sealed record FsServerGc(
    int Boots,                      // Biscuit boots with a complete window for the phase
    Summary? GcShareOfFsCpu,        // pause / fs CPU time
    Summary? GcShareOfPhase,        // pause / the phase's wall-clock time
    Summary? PauseMs,
    Summary? Collections,
    long MaxHeapAfterBytes,         // the largest fs heap seen after the phase
    long HeapLimitBytes,
    List<string> Errors);

public sealed record FsPhase(
    string Phase,
    string Unit,                    // "MiB/s", "reads/s", "files/s"
    FsGuestFigures? Biscuit,
    FsGuestFigures? Linux,
    double? RatioBiscuitOverLinux,  // of the median rates; null unless both measured it
    Summary? RatioPerRound,
    FsServerGc? FsGc,
    List<string> BiscuitFailures,
    List<string> LinuxFailures,
    List<string> BiscuitCache,      // distinct cache lines of the read phases ("dropped", "kept: ...")
    List<string> LinuxCache);

public static class FsSummary
{
    public const string BootFailed = "the boot failed before the program started";

    public static string UnitOf(string phase) => phase switch
    {
        "seq_write" or "seq_read" => "MiB/s",
        "rand_read" => "reads/s",
        _ => "files/s",
    };

    // A figure's rate in its unit at `ghz` TSC cycles per ns.
    public static double Rate(string phase, FsFigure f, double ghz)
    {
        double seconds = f.Cycles / ghz / 1e9;
        return UnitOf(phase) == "MiB/s" ? f.Bytes / seconds / (1024 * 1024) : f.Ops / seconds;
    }

    public static List<FsPhase> Of(IReadOnlyList<FsBoot> boots, double? timeBase)
    {
        double ghz = timeBase ?? 1.0;
        var result = new List<FsPhase>();
        foreach (string phase in FsOutput.Phases)
        {
            var b = Guest(boots, "biscuit", phase, ghz);
            var l = Guest(boots, "linux", phase, ghz);
            double? ratio = b != null && l != null && l.Rate.Median > 0 ? b.Rate.Median / l.Rate.Median : null;
            result.Add(new FsPhase(phase, UnitOf(phase), b, l, ratio, RoundRatios(boots, phase, ghz), Gc(boots, phase, ghz),
                Reasons(boots, "biscuit", phase), Reasons(boots, "linux", phase),
                CacheLines(boots, "biscuit", phase), CacheLines(boots, "linux", phase)));
        }
        return result;
    }

    // The TSC rate both guests' cycles are converted with: the median of the Linux guest's
    // calibrations, else of Biscuit's, else null.
    public static double? TimeBaseGhz(IReadOnlyList<FsBoot> boots)
    {
        foreach (string guest in new[] { "linux", "biscuit" })
        {
            var rates = boots.Where(b => b.Guest == guest && b.TscGhz is > 0).Select(b => b.TscGhz!.Value).ToList();
            if (rates.Count > 0) return Summary.Of(rates).Median;
        }
        return null;
    }

    private static FsGuestFigures? Guest(IReadOnlyList<FsBoot> boots, string guest, string phase, double ghz)
    {
        var figures = boots.Where(x => x.Guest == guest && x.Figures.ContainsKey(phase)).Select(x => x.Figures[phase]).ToList();
        if (figures.Count == 0) return null;
        var latencies = figures.Where(f => f.MedianCycles != null).Select(f => f.MedianCycles!.Value / ghz).ToList();
        return new FsGuestFigures(figures.Count, Summary.Of(figures.Select(f => Rate(phase, f, ghz)).ToList()),
                                  latencies.Count > 0 ? Summary.Of(latencies) : null);
    }

    private static Summary? RoundRatios(IReadOnlyList<FsBoot> boots, string phase, double ghz)
    {
        var ratios = boots.GroupBy(x => x.Round).Select(round =>
        {
            var b = round.FirstOrDefault(x => x.Guest == "biscuit" && x.Figures.ContainsKey(phase));
            var l = round.FirstOrDefault(x => x.Guest == "linux" && x.Figures.ContainsKey(phase));
            return b != null && l != null ? Rate(phase, b.Figures[phase], ghz) / Rate(phase, l.Figures[phase], ghz) : (double?)null;
        }).OfType<double>().ToList();
        return ratios.Count > 0 ? Summary.Of(ratios) : null;
    }

    // The fs server's GC in `phase` over the Biscuit boots that measured the phase and have a window.
    private static FsServerGc? Gc(IReadOnlyList<FsBoot> boots, string phase, double ghz)
    {
        var windows = boots.Where(x => x.Guest == "biscuit" && x.Figures.ContainsKey(phase) && x.FsServer.ContainsKey(phase))
                           .Select(x => (Figure: x.Figures[phase], Window: x.FsServer[phase])).ToList();
        var errors = windows.Select(w => w.Window.Error).OfType<string>().Distinct().ToList();
        var complete = windows.Where(w => w.Window.PauseMs != null).ToList();
        if (complete.Count == 0) return errors.Count > 0 ? new FsServerGc(0, null, null, null, null, 0, 0, errors) : null;
        var cpuShares = complete.Where(w => w.Window.GcShareOfFsCpu != null).Select(w => w.Window.GcShareOfFsCpu!.Value).ToList();
        return new FsServerGc(complete.Count,
            cpuShares.Count > 0 ? Summary.Of(cpuShares) : null,
            Summary.Of(complete.Select(w => w.Window.PauseMs!.Value * 1e6 / (w.Figure.Cycles / ghz)).ToList()),
            Summary.Of(complete.Select(w => w.Window.PauseMs!.Value).ToList()),
            Summary.Of(complete.Select(w => (double)w.Window.Collections!.Value).ToList()),
            complete.Max(w => w.Window.HeapAfterBytes ?? 0),
            complete.Max(w => w.Window.HeapLimitBytes ?? 0),
            errors);
    }

    private static List<string> Reasons(IReadOnlyList<FsBoot> boots, string guest, string phase) =>
        boots.Where(x => x.Guest == guest && !x.Figures.ContainsKey(phase))
             .Select(x => x.Failures.TryGetValue(phase, out var why) ? why : BootFailed)
             .Distinct().ToList();

    private static List<string> CacheLines(IReadOnlyList<FsBoot> boots, string guest, string phase) =>
        boots.Where(x => x.Guest == guest && x.Cache.ContainsKey(phase)).Select(x => x.Cache[phase]).Distinct().ToList();
}
