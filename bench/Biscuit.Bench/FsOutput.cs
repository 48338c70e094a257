// What one run of bench/linux/fsbench.c printed, read from a guest's serial console (the same reader
// for both guests): each phase's figure (operations, bytes, TSC cycles), the phases that failed with
// the program's reason, whether each read phase found the page cache dropped, and the raw text of
// every /proc/biscuit/gc and /proc/biscuit/cpu dump the program made around a phase (Biscuit only;
// FsServerWindow reads them with GcTable and CpuCensus, the parsers the other benchmarks use).
// Lines that are not fsbench's own are ignored; a figure line that does not parse is ignored too
// (the phase then has no figure and says so), never read as a wrong figure.
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Biscuit.Bench;

// One phase's figure as the guest measured it: Ops operations moving Bytes bytes in Cycles TSC
// cycles (rand_read: the sum of its pread times, with their median and p99; seq_write: with fsync).
public sealed record FsFigure(long Ops, long Bytes, long Cycles, long? FsyncCycles, long? MedianCycles, long? P99Cycles);

public sealed class FsOutput
{
    // Every phase fsbench.c measures, in the order it runs them (the report's order).
    public static readonly string[] Phases = ["seq_write", "seq_read", "rand_read", "create", "stat", "unlink"];

    private static readonly Regex Figure = new(
        @"^fsbench (\w+) ops=(\d+) bytes=(\d+) cycles=(\d+) ns=\d+(?: fsync_cycles=(\d+))?(?: median_cycles=(\d+) p99_cycles=(\d+))?$");
    private static readonly Regex Failure = new(@"^fsbench (\w+) failed: (.+)$");
    private static readonly Regex Tsc = new(@"^fsbench tsc_ghz=([0-9.]+)$");
    private static readonly Regex Start = new(@"^fsbench start dir=(\S+) size_mib=(\d+) files=(\d+) rand_ops=(\d+)$");
    private static readonly Regex CacheLine = new(@"^fsbench cache (\w+) (dropped|kept: .+)$");
    private static readonly Regex Dump = new(@"^fsbench (gc|cpu) (\w+) (before|after)\|(.*)$");

    public Dictionary<string, FsFigure> Figures { get; } = new();
    public Dictionary<string, string> Failures { get; } = new();   // phase (or a clean-up step) -> the program's reason
    public Dictionary<string, string> Cache { get; } = new();      // read phase -> "dropped" or "kept: why"
    public double? TscGhz { get; private set; }
    public bool Started { get; private set; }
    public bool Done { get; private set; }
    public long? FileBytes { get; private set; }                   // the large file's size (size_mib), from the start line
    public int? SmallFiles { get; private set; }
    private readonly Dictionary<(string Kind, string Phase, string When), StringBuilder> dumps = new();

    public static FsOutput Parse(IEnumerable<string> serialLines)
    {
        var o = new FsOutput();
        foreach (string raw in serialLines)
        {
            string line = raw.TrimEnd('\r');
            if (!line.StartsWith("fsbench ", StringComparison.Ordinal)) continue;
            var d = Dump.Match(line);
            if (d.Success)
            {
                var key = (d.Groups[1].Value, d.Groups[2].Value, d.Groups[3].Value);
                if (!o.dumps.TryGetValue(key, out var text)) o.dumps[key] = text = new StringBuilder();
                text.Append(d.Groups[4].Value).Append('\n');
                continue;
            }
            var s = Start.Match(line);
            if (s.Success)
            {
                o.Started = true;
                o.FileBytes = long.Parse(s.Groups[2].Value, CultureInfo.InvariantCulture) << 20;
                o.SmallFiles = int.Parse(s.Groups[3].Value, CultureInfo.InvariantCulture);
                continue;
            }
            if (line == "fsbench done") { o.Done = true; continue; }
            var t = Tsc.Match(line);
            if (t.Success) { o.TscGhz = double.Parse(t.Groups[1].Value, CultureInfo.InvariantCulture); continue; }
            var c = CacheLine.Match(line);
            if (c.Success) { o.Cache[c.Groups[1].Value] = c.Groups[2].Value; continue; }
            var f = Figure.Match(line);
            if (f.Success)
            {
                long? Optional(int g) => f.Groups[g].Success ? long.Parse(f.Groups[g].Value, CultureInfo.InvariantCulture) : null;
                o.Figures[f.Groups[1].Value] = new FsFigure(Optional(2)!.Value, Optional(3)!.Value, Optional(4)!.Value,
                                                            Optional(5), Optional(6), Optional(7));
                continue;
            }
            var x = Failure.Match(line);
            if (x.Success && !o.Failures.ContainsKey(x.Groups[1].Value)) o.Failures[x.Groups[1].Value] = x.Groups[2].Value;
        }
        return o;
    }

    // The text of one dump ("gc" or "cpu", a phase, "before" or "after"), or null if the program made none.
    public string? DumpOf(string kind, string phase, string when) =>
        dumps.TryGetValue((kind, phase, when), out var text) ? text.ToString() : null;

    // Why `phase` has no figure in this run: the program's own failure line, or that it never got there.
    public string? Missing(string phase, string ending) =>
        Figures.ContainsKey(phase) ? null
        : Failures.TryGetValue(phase, out var why) ? why
        : $"no result: {ending}";
}
