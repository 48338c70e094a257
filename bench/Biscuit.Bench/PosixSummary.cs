// The "posix" benchmark's figures over boots: for every operation and guest, the median over boots of
// the in-guest median (and p99) with min and max over boots, the Biscuit/Linux ratio of those
// medians, and the distinct reasons a guest gave no figure. Boots without a figure for an operation
// do not count towards its summary; an operation no boot of a guest measured has no summary there,
// only its reasons.
namespace Biscuit.Bench;

public sealed record PosixGuestFigures(int Boots, Summary MedianNs, Summary P99Ns, Summary MedianCycles);

public sealed record PosixOperation(
    string Operation,
    long Bytes,                                // bytes one operation moves (file reads/writes), else 0
    PosixGuestFigures? Biscuit,
    PosixGuestFigures? Linux,
    double? RatioBiscuitOverLinux,             // of the medians of median_ns; null unless both measured it
    List<string> BiscuitFailures,
    List<string> LinuxFailures)
{
    // MiB/s of one guest for an operation that moves bytes (from its median time).
    public static double? MibPerS(long bytes, PosixGuestFigures? f) =>
        bytes > 0 && f is { MedianNs.Median: > 0 } ? bytes / (f.MedianNs.Median / 1e9) / (1024 * 1024) : null;
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
            double? ratio = b != null && l != null && l.MedianNs.Median > 0 ? b.MedianNs.Median / l.MedianNs.Median : null;
            result.Add(new PosixOperation(op, bytes, b, l, ratio, Reasons(boots, "biscuit", op), Reasons(boots, "linux", op)));
        }
        return result;
    }

    private static PosixGuestFigures? Guest(IReadOnlyList<PosixBoot> boots, string guest, string op)
    {
        var figures = boots.Where(x => x.Guest == guest && x.Figures.ContainsKey(op)).Select(x => x.Figures[op]).ToList();
        if (figures.Count == 0) return null;
        return new PosixGuestFigures(figures.Count,
            Summary.Of(figures.Select(f => f.MedianNs).ToList()),
            Summary.Of(figures.Select(f => f.P99Ns).ToList()),
            Summary.Of(figures.Select(f => f.MedianCycles).ToList()));
    }

    // Why boots of `guest` lack `op`: each distinct reason once; a boot that failed as a whole gives
    // the first line of its error.
    private static List<string> Reasons(IReadOnlyList<PosixBoot> boots, string guest, string op) =>
        boots.Where(x => x.Guest == guest && !x.Figures.ContainsKey(op))
             .Select(x => x.Failures.TryGetValue(op, out var why) ? why : BootFailed)
             .Distinct().ToList();
}
