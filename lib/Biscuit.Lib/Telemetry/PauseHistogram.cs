// A histogram of GC pause durations with fixed bins (upper bounds 10 us, 20 us, 50 us ... 100 ms,
// then one open-ended bin), so that figures from different servers and runs line up.
// Not thread-safe: GcTelemetry guards it with its lock. BinOf is the binning rule, shared with
// RequestGcMeter (which counts per-request accumulated pauses in the same bins, with Interlocked).
namespace Biscuit.Lib.Telemetry;

public sealed class PauseHistogram
{
    /// <summary>Bin upper bounds in nanoseconds (exclusive); one more bin holds everything longer.</summary>
    public static readonly long[] UpperBoundsNs =
    [
        10_000, 20_000, 50_000, 100_000, 200_000, 500_000,
        1_000_000, 2_000_000, 5_000_000, 10_000_000, 20_000_000, 50_000_000, 100_000_000,
    ];

    private readonly long[] counts = new long[UpperBoundsNs.Length + 1];

    public void Add(TimeSpan pause) => counts[BinOf(pause.Ticks * 100)]++;

    /// <summary>The bin of a duration in nanoseconds: the first whose upper bound exceeds it, else the open-ended one.</summary>
    public static int BinOf(long ns)
    {
        int bin = 0;
        while (bin < UpperBoundsNs.Length && ns >= UpperBoundsNs[bin]) bin++;
        return bin;
    }

    public long[] SnapshotCounts() => (long[])counts.Clone();

    /// <summary>A bin's label for tables: "<10us", "<1ms", ">=100ms".</summary>
    public static string BinLabel(int bin) =>
        bin < UpperBoundsNs.Length ? "<" + FormatNs(UpperBoundsNs[bin]) : ">=" + FormatNs(UpperBoundsNs[^1]);

    public static string FormatNs(long ns) =>
        ns >= 1_000_000 && ns % 1_000_000 == 0 ? $"{ns / 1_000_000}ms"
        : ns >= 1_000 && ns % 1_000 == 0 ? $"{ns / 1_000}us"
        : $"{ns}ns";
}
