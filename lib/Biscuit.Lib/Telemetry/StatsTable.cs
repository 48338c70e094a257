// Formats Stats reports as a plain-text table for the host (`./biscuit stats`) and for posix's
// /proc/biscuit/gc: one column per server, one row per figure (restart history first, then GC and
// requests), then the pause histogram bins that
// are non-zero in some server, then those of the per-request accumulated pause ("request pause
// <1ms"). Durations are rounded for people, except the rows marked "(ns)", which are exact so that
// a program (bench/) can take differences of two readings.
// Pure function of its input; nothing is read from the runtime here.
using System.Globalization;
using System.Text;

namespace Biscuit.Lib.Telemetry;

public static class StatsTable
{
    public static string Format(IReadOnlyList<StatsReport> reports)
    {
        if (reports.Count == 0) return "(no servers answered Stats)\n";
        var rows = new List<(string Name, string[] Cells)>
        {
            ("uptime", Each(reports, r => Duration(r.UptimeMs * 1_000_000))),
            ("incarnation", Each(reports, r => r.History.Number.ToString(CultureInfo.InvariantCulture))),
            ("deaths (injected)", Each(reports, r => $"{r.History.Deaths} ({r.History.InjectedDeaths})")),
            ("last death", Each(reports, r => r.History.LastDeath)),
            ("restart ms last/max", Each(reports, r => r.History.Number == 1 ? "-" : $"{r.History.LastRestartLatencyMs}/{r.History.MaxRestartLatencyMs}")),
            ("gc gen0/gen1/gen2", Each(reports, r => $"{r.Gen0Collections}/{r.Gen1Collections}/{r.Gen2Collections}")),
            ("gc pause total", Each(reports, r => Duration(r.TotalPauseNs))),
            ("gc pause total (ns)", Each(reports, r => r.TotalPauseNs.ToString(CultureInfo.InvariantCulture))),
            ("gc pause max (sampled)", Each(reports, r => Duration(r.MaxPauseNs))),
            ("time in gc", Each(reports, r => (r.TimeInGcFraction * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%")),
            ("gcs sampled/missed", Each(reports, r => $"{r.SampledGcs}/{r.UnsampledGcs}")),
            ("heap now", Each(reports, r => Bytes(r.HeapSizeBytes))),
            ("live after last gc", Each(reports, r => Bytes(r.LiveBytesAfterLastGc))),
            ("heap limit", Each(reports, r => Bytes(r.HeapLimitBytes))),
            ("committed", Each(reports, r => Bytes(r.CommittedBytes))),
            ("allocated total", Each(reports, r => Bytes(r.TotalAllocatedBytes))),
            ("requests", Each(reports, r => r.RequestsReceived.ToString(CultureInfo.InvariantCulture))),
            ("  ok", Each(reports, r => r.RequestsOk.ToString(CultureInfo.InvariantCulture))),
            ("  malformed/unknown", Each(reports, r => $"{r.RequestsMalformed}/{r.RequestsUnknown}")),
            ("  handler failed", Each(reports, r => r.HandlerFailures.ToString(CultureInfo.InvariantCulture))),
            ("admitted/queued/refused", Each(reports, r => $"{r.Admitted}/{r.Queued}/{r.Refused}")),
            ("reserved now", Each(reports, r => Bytes(r.ReservedBytes))),
            ("requests with gc/measured", Each(reports, r => $"{r.RequestsWithGc}/{r.RequestsMeasuredForGc}")),
            ("request pause max", Each(reports, r => Duration(r.RequestPauseMaxNs))),
            ("request pause max (ns)", Each(reports, r => r.RequestPauseMaxNs.ToString(CultureInfo.InvariantCulture))),
            ("request pause sum (ns)", Each(reports, r => r.RequestPauseSumNs.ToString(CultureInfo.InvariantCulture))),
        };
        AddHistogramRows(reports, rows, "pauses", r => r.HistogramCounts);
        AddHistogramRows(reports, rows, "request pause", r => r.RequestPauseHistogramCounts);

        int nameWidth = rows.Max(r => r.Name.Length);
        var widths = new int[reports.Count];
        for (int c = 0; c < reports.Count; c++)
            widths[c] = Math.Max(reports[c].Server.Length, rows.Max(r => r.Cells[c].Length));

        var text = new StringBuilder();
        text.Append("".PadRight(nameWidth));
        for (int c = 0; c < reports.Count; c++) text.Append("  ").Append(reports[c].Server.PadLeft(widths[c]));
        text.Append('\n');
        foreach (var (name, cells) in rows)
        {
            text.Append(name.PadRight(nameWidth));
            for (int c = 0; c < cells.Length; c++) text.Append("  ").Append(cells[c].PadLeft(widths[c]));
            text.Append('\n');
        }
        return text.ToString();
    }

    // One row per bin that some server has counts in, labelled by that bin's upper bound ("pauses
    // <50us", "pauses longer"). Bins are matched by bound, so reports with different bin sets still
    // line up where they agree; a report without this histogram (an older writer) shows "-".
    private static void AddHistogramRows(IReadOnlyList<StatsReport> reports, List<(string, string[])> rows, string prefix,
        Func<StatsReport, long[]> countsOf)
    {
        var bounds = new SortedSet<long>();
        bool anyOpenEnded = false;
        foreach (var r in reports)
        {
            long[] counts = countsOf(r);
            for (int b = 0; b < counts.Length; b++)
            {
                if (counts[b] == 0) continue;
                if (b < r.HistogramUpperBoundsNs.Length) bounds.Add(r.HistogramUpperBoundsNs[b]);
                else anyOpenEnded = true;
            }
        }
        foreach (long bound in bounds)
            rows.Add(($"{prefix} <" + PauseHistogram.FormatNs(bound), Each(reports, r =>
            {
                int b = Array.IndexOf(r.HistogramUpperBoundsNs, bound);
                long[] counts = countsOf(r);
                return b >= 0 && b < counts.Length ? counts[b].ToString(CultureInfo.InvariantCulture) : "-";
            })));
        if (anyOpenEnded)
            rows.Add(($"{prefix} longer", Each(reports, r => countsOf(r) is { Length: > 0 } counts ? counts[^1].ToString(CultureInfo.InvariantCulture) : "-")));
    }

    private static string[] Each(IReadOnlyList<StatsReport> reports, Func<StatsReport, string> cell)
    {
        var cells = new string[reports.Count];
        for (int i = 0; i < cells.Length; i++) cells[i] = cell(reports[i]);
        return cells;
    }

    public static string Bytes(long bytes) =>
        bytes >= 10L << 30 ? $"{bytes >> 30} GiB"
        : bytes >= 10L << 20 ? $"{bytes >> 20} MiB"
        : bytes >= 10L << 10 ? $"{bytes >> 10} KiB"
        : $"{bytes} B";

    public static string Duration(long ns) =>
        ns >= 10_000_000_000 ? $"{ns / 1_000_000_000} s"
        : ns >= 10_000_000 ? $"{ns / 1_000_000} ms"
        : ns >= 10_000 ? $"{ns / 1_000} us"
        : $"{ns} ns";
}
