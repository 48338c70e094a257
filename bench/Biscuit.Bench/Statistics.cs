// Medians and spread over repeated measurements. Benchmarks report the median with min and max:
// these machines are noisy, so a single figure or a mean alone would mislead.
namespace Biscuit.Bench;

public sealed record Summary(int Count, double Median, double Min, double Max, double P90)
{
    public static Summary Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no measurements");
        var sorted = values.OrderBy(v => v).ToArray();
        return new Summary(sorted.Length, Percentile(sorted, 0.5), sorted[0], sorted[^1], Percentile(sorted, 0.9));
    }

    // Linear interpolation between closest ranks.
    public static double Percentile(double[] sorted, double p)
    {
        double rank = p * (sorted.Length - 1);
        int lo = (int)Math.Floor(rank), hi = (int)Math.Ceiling(rank);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }
}
