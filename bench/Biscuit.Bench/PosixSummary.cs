// The "posix" benchmark's figures over boots: for every operation and guest, the median over boots of
// the in-guest median (and p99) with min and max over boots, the Biscuit/Linux ratio of those
// medians in guest TSC cycles, and the distinct reasons a guest gave no figure. Cycles, not ns: both
// guests read the same emulated TSC, but each converts to ns with its own clock, and Biscuit's
// CLOCK_MONOTONIC under TCG gave TSC rates from 2.27 to 3.65 GHz across boots where Linux's gave 2.299. Boots without a figure for an operation
// do not count towards its summary; an operation no boot of a guest measured has no summary there,
// only its reasons.
namespace Biscuit.Bench;

public sealed record PosixGuestFigures(int Boots, Summary MedianCycles, Summary P99Cycles, Summary MedianNs, Summary P99Ns);

public sealed record PosixOperation(
    string Operation,
    long Bytes,                                // bytes one operation moves (file reads/writes), else 0
    PosixGuestFigures? Biscuit,
    PosixGuestFigures? Linux,
    double? RatioBiscuitOverLinux,             // of the medians of median_cycles; null unless both measured it
    Summary? RatioPerRound,                    // spread of the ratios of each round's two boots (same minutes)
    List<string> BiscuitFailures,
    List<string> LinuxFailures)
{
    // MiB/s of one guest for an operation that moves bytes, from its median cycles at `ghz` cycles/ns.
    public static double? MibPerS(long bytes, PosixGuestFigures? f, double ghz) =>
        bytes > 0 && f is { MedianCycles.Median: > 0 } ? bytes / (f.MedianCycles.Median / ghz / 1e9) / (1024 * 1024) : null;
}

public static class PosixSummary
{
    // The reason given for an operation of a boot that failed before the program started (the
    // boot's own error is reported once, with the boot).
    public const string BootFailed = "the boot failed before the program started";

    public static List<PosixOperation> Of(IReadOnlyList<PosixBoot> boots)
    {
        var result = new List<PosixOperation>();
        foreach (string op in PosixOutput.Operations)
        {
            var b = Guest(boots, "biscuit", op);
            var l = Guest(boots, "linux", op);
            long bytes = boots.SelectMany(x => x.Figures.TryGetValue(op, out var f) ? [f.Bytes] : Array.Empty<long>()).DefaultIfEmpty(0).Max();
            double? ratio = b != null && l != null && l.MedianCycles.Median > 0 ? b.MedianCycles.Median / l.MedianCycles.Median : null;
            result.Add(new PosixOperation(op, bytes, b, l, ratio, RoundRatios(boots, op), Reasons(boots, "biscuit", op), Reasons(boots, "linux", op)));
        }
        return result;
    }

    // The TSC rate (cycles per ns) the report converts cycles to time with, the same for both guests:
    // the median of the Linux guest's calibrations, else of Biscuit's, else null (no boot calibrated).
    public static double? TimeBaseGhz(IReadOnlyList<PosixBoot> boots)
    {
        foreach (string guest in new[] { "linux", "biscuit" })
        {
            var rates = boots.Where(b => b.Guest == guest && b.TscGhz is > 0).Select(b => b.TscGhz!.Value).ToList();
            if (rates.Count > 0) return Summary.Of(rates).Median;
        }
        return null;
    }

    private static PosixGuestFigures? Guest(IReadOnlyList<PosixBoot> boots, string guest, string op)
    {
        var figures = boots.Where(x => x.Guest == guest && x.Figures.ContainsKey(op)).Select(x => x.Figures[op]).ToList();
        if (figures.Count == 0) return null;
        return new PosixGuestFigures(figures.Count,
            Summary.Of(figures.Select(f => f.MedianCycles).ToList()),
            Summary.Of(figures.Select(f => f.P99Cycles).ToList()),
            Summary.Of(figures.Select(f => f.MedianNs).ToList()),
            Summary.Of(figures.Select(f => f.P99Ns).ToList()));
    }

    // Biscuit/Linux of `op` within each round in which both boots measured it (cycles), summarised.
    private static Summary? RoundRatios(IReadOnlyList<PosixBoot> boots, string op)
    {
        var ratios = boots.GroupBy(x => x.Round).Select(round =>
        {
            var b = round.FirstOrDefault(x => x.Guest == "biscuit" && x.Figures.ContainsKey(op));
            var l = round.FirstOrDefault(x => x.Guest == "linux" && x.Figures.ContainsKey(op));
            return b != null && l != null && l.Figures[op].MedianCycles > 0 ? b.Figures[op].MedianCycles / l.Figures[op].MedianCycles : (double?)null;
        }).OfType<double>().ToList();
        return ratios.Count > 0 ? Summary.Of(ratios) : null;
    }

    // Why boots of `guest` lack `op`: each distinct reason once; a boot that failed as a whole gives
    // the first line of its error.
    private static List<string> Reasons(IReadOnlyList<PosixBoot> boots, string guest, string op) =>
        boots.Where(x => x.Guest == guest && !x.Figures.ContainsKey(op))
             .Select(x => x.Failures.TryGetValue(op, out var why) ? why : BootFailed)
             .Distinct().ToList();
}
