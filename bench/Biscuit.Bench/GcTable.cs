// Reads the text of Biscuit's /proc/biscuit/gc (lib's StatsTable.Format, served by posix) back into
// figures: one column per server, one row per figure, then one row per non-empty pause-histogram bin
// ("pauses <50us", "pauses longer"). Columns are found by where the header's server names end
// (StatsTable right-aligns every cell under its name), so cells with spaces ("12 MiB") stay whole.
// The table shows sizes and durations rounded for people (whole KiB/MiB, us/ms); counts and the
// time-in-GC percentage (two decimals) are exact, and so are the rows marked "(ns)" and the
// per-request GC rows, which a posix older than them does not print (those figures are then null).
// A table this parser does not understand is a FormatException naming the line, never a wrong figure.
using System.Globalization;
using System.Text.RegularExpressions;

namespace Biscuit.Bench;

public sealed record ServerGcFigures
{
    public required string Server { get; init; }
    public double UptimeS { get; init; }
    public long Gen0 { get; init; }
    public long Gen1 { get; init; }
    public long Gen2 { get; init; }
    public long PausesSampled { get; init; }              // GCs whose pause the server measured (the histogram's)
    public long PausesMissed { get; init; }               // GCs it could not time
    public double PauseTotalMs { get; init; }
    public double PauseMaxMs { get; init; }
    public double TimeInGcFraction { get; init; }
    public long HeapBytes { get; init; }
    public long LiveAfterGcBytes { get; init; }
    public long HeapLimitBytes { get; init; }
    public long AllocatedBytes { get; init; }
    public long Requests { get; init; }
    public long Admitted { get; init; }
    public long Queued { get; init; }
    public long Refused { get; init; }
    // bin label as the table prints it ("<50us", "longer") -> pauses in that bin
    public Dictionary<string, long> PauseHistogram { get; init; } = new();

    // Exact figures (lib's RequestGcMeter and the "(ns)" rows); null when the table has no such row.
    public long? PauseTotalNs { get; init; }              // every GC pause since the server started
    public long? RequestsMeasured { get; init; }          // requests served, each measured
    public long? RequestsWithGc { get; init; }            // of them, those during which some GC ran
    public long? RequestPauseMaxNs { get; init; }         // the largest pause accumulated inside one request
    public long? RequestPauseSumNs { get; init; }
    // bin label ("<1ms", "longer") -> requests whose accumulated pause fell in that bin
    public Dictionary<string, long> RequestPauseHistogram { get; init; } = new();
}

public static class GcTable
{
    private static readonly Regex Missing = new(@"^no figures from (.*)$");

    // The figures of every server in `text`, and the servers posix could not ask ("no figures from ...").
    public static (List<ServerGcFigures> Servers, List<string> Missing) Parse(string text)
    {
        var lines = text.Replace("\r", "").Split('\n').Where(l => l.Trim().Length > 0).ToList();
        var missing = lines.Select(l => Missing.Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        lines = lines.Where(l => !Missing.IsMatch(l)).ToList();
        if (lines.Count == 0) throw new FormatException("the GC table is empty");
        if (lines[0].Trim() == "(no servers answered Stats)") return (new(), missing);

        var header = Regex.Matches(lines[0], @"\S+").ToList();
        if (header.Count == 0 || !char.IsWhiteSpace(lines[0][0]))
            throw new FormatException($"the GC table's first line is not a header of server names: '{lines[0]}'");
        var names = header.Select(m => m.Value).ToArray();
        var ends = header.Select(m => m.Index + m.Length).ToArray();

        var cells = new Dictionary<string, string[]>();   // row label -> one cell per server
        foreach (string line in lines.Skip(1))
        {
            if (line.Length < ends[^1])
                throw new FormatException($"GC table line shorter than its header: '{line}'");
            string first = line[..ends[0]];
            int split = first.LastIndexOf("  ", StringComparison.Ordinal);
            if (split < 0) throw new FormatException($"GC table line without a label: '{line}'");
            var row = new string[names.Length];
            row[0] = first[(split + 2)..].Trim();
            for (int c = 1; c < names.Length; c++) row[c] = line[ends[c - 1]..ends[c]].Trim();
            cells[first[..split].Trim()] = row;
        }

        var servers = new List<ServerGcFigures>();
        for (int c = 0; c < names.Length; c++)
        {
            string Cell(string label) => cells.TryGetValue(label, out var row) ? row[c]
                : throw new FormatException($"the GC table has no row '{label}'");
            var gens = Cell("gc gen0/gen1/gen2").Split('/');
            var admission = Cell("admitted/queued/refused").Split('/');
            var sampled = Cell("gcs sampled/missed").Split('/');
            if (sampled.Length != 2) throw new FormatException($"GC table: '{Cell("gcs sampled/missed")}' is not two counts");
            if (gens.Length != 3 || admission.Length != 3)
                throw new FormatException($"GC table: '{Cell("gc gen0/gen1/gen2")}' or '{Cell("admitted/queued/refused")}' is not three counts");
            string? Optional(string label) => cells.TryGetValue(label, out var row) ? row[c] : null;
            long? OptionalCount(string label) => Optional(label) is { } cell ? Count(cell) : null;
            var histogram = new Dictionary<string, long>();
            var requestHistogram = new Dictionary<string, long>();
            foreach (var (label, row) in cells)
            {
                if (row[c] == "-") continue;
                if (label.StartsWith("pauses ", StringComparison.Ordinal)) histogram[label["pauses ".Length..]] = Count(row[c]);
                else if (label.StartsWith("request pause <", StringComparison.Ordinal) || label == "request pause longer")
                    requestHistogram[label["request pause ".Length..]] = Count(row[c]);
            }
            long? measured = null, withGc = null;
            if (Optional("requests with gc/measured") is { } requestCounts)
            {
                var parts = requestCounts.Split('/');
                if (parts.Length != 2) throw new FormatException($"GC table: '{requestCounts}' is not two counts");
                (withGc, measured) = (Count(parts[0]), Count(parts[1]));
            }
            servers.Add(new ServerGcFigures
            {
                Server = names[c],
                UptimeS = Nanoseconds(Cell("uptime")) / 1e9,
                Gen0 = Count(gens[0]), Gen1 = Count(gens[1]), Gen2 = Count(gens[2]),
                PausesSampled = Count(sampled[0]), PausesMissed = Count(sampled[1]),
                PauseTotalMs = (OptionalCount("gc pause total (ns)") ?? Nanoseconds(Cell("gc pause total"))) / 1e6,   // exact where posix prints it
                PauseMaxMs = Nanoseconds(Cell("gc pause max (sampled)")) / 1e6,
                TimeInGcFraction = Percent(Cell("time in gc")) / 100,
                HeapBytes = Bytes(Cell("heap now")),
                LiveAfterGcBytes = Bytes(Cell("live after last gc")),
                HeapLimitBytes = Bytes(Cell("heap limit")),
                AllocatedBytes = Bytes(Cell("allocated total")),
                Requests = Count(Cell("requests")),
                Admitted = Count(admission[0]), Queued = Count(admission[1]), Refused = Count(admission[2]),
                PauseHistogram = histogram,
                PauseTotalNs = OptionalCount("gc pause total (ns)"),
                RequestsMeasured = measured,
                RequestsWithGc = withGc,
                RequestPauseMaxNs = OptionalCount("request pause max (ns)"),
                RequestPauseSumNs = OptionalCount("request pause sum (ns)"),
                RequestPauseHistogram = requestHistogram,
            });
        }
        return (servers, missing);
    }

    // The upper bound, in ns, of a histogram label such as "<50us"; null for "longer" (open-ended).
    public static long? BinUpperBoundNs(string label) =>
        label.StartsWith('<') ? (long)Nanoseconds(Regex.Replace(label[1..], @"^(\d+)(ns|us|ms|s)$", "$1 $2")) : null;

    private static long Count(string cell) =>
        long.TryParse(cell, NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v
        : throw new FormatException($"GC table: '{cell}' is not a count");

    private static double Percent(string cell) =>
        cell.EndsWith('%') && double.TryParse(cell[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
        : throw new FormatException($"GC table: '{cell}' is not a percentage");

    // StatsTable.Duration: "N ns", "N us", "N ms", "N s".
    private static double Nanoseconds(string cell)
    {
        var m = Regex.Match(cell, @"^(\d+) (ns|us|ms|s)$");
        if (!m.Success) throw new FormatException($"GC table: '{cell}' is not a duration");
        double n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch { "ns" => n, "us" => n * 1e3, "ms" => n * 1e6, _ => n * 1e9 };
    }

    // StatsTable.Bytes: "N B", "N KiB", "N MiB", "N GiB".
    private static long Bytes(string cell)
    {
        var m = Regex.Match(cell, @"^(\d+) (B|KiB|MiB|GiB)$");
        if (!m.Success) throw new FormatException($"GC table: '{cell}' is not a size");
        long n = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch { "B" => n, "KiB" => n << 10, "MiB" => n << 20, _ => n << 30 };
    }
}
