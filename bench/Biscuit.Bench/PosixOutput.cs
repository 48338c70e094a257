// What one run of bench/linux/posixbench.c printed, read from a guest's serial console (the same
// reader for both guests): the figures of each operation, the operations that failed with the
// reason the program gave (e.g. "execve: errno=ENOSYS (...)"), and whether it reached its end.
// Lines that are not posixbench's own (kernel, servers, Linux's init) are ignored here; the
// benchmark keeps the ones that explain a failure separately (SystemNotes).
using System.Globalization;
using System.Text.RegularExpressions;

namespace Biscuit.Bench;

// One operation's in-guest figures: median and 99th percentile over its iterations, in TSC cycles
// and ns; Bytes is what one operation moves (file reads and writes), else 0.
public sealed record PosixFigure(int Count, double MedianCycles, double P99Cycles, double MedianNs, double P99Ns, long Bytes);

public sealed class PosixOutput
{
    // Every operation posixbench.c measures, in the order it runs them (the report's order).
    public static readonly string[] Operations =
        ["pipe_rtt_1", "pipe_rtt_64", "fork_exit_wait", "fork_exec_wait", "getpid", "getppid", "getuid",
         "file_write_16k", "file_read_16k", "open_close", "stat", "page_fault"];

    private static readonly Regex Figure = new(
        @"^posixbench (\w+) n=(\d+) median_cycles=(\d+) p99_cycles=(\d+) median_ns=(\d+) p99_ns=(\d+)(?: bytes=(\d+))?$");
    private static readonly Regex Failure = new(@"^posixbench (\w+) failed: (.+)$");
    private static readonly Regex Tsc = new(@"^posixbench tsc_ghz=([0-9.]+)$");

    public Dictionary<string, PosixFigure> Figures { get; } = new();
    public Dictionary<string, string> Failures { get; } = new();   // operation -> the program's reason
    public double? TscGhz { get; private set; }
    public bool Started { get; private set; }
    public bool Done { get; private set; }

    public static PosixOutput Parse(IEnumerable<string> serialLines)
    {
        var o = new PosixOutput();
        foreach (string raw in serialLines)
        {
            string line = raw.TrimEnd('\r');
            if (line.StartsWith("posixbench start ", StringComparison.Ordinal)) { o.Started = true; continue; }
            if (line == "posixbench done") { o.Done = true; continue; }
            var t = Tsc.Match(line);
            if (t.Success) { o.TscGhz = double.Parse(t.Groups[1].Value, CultureInfo.InvariantCulture); continue; }
            var f = Figure.Match(line);
            if (f.Success)
            {
                double D(int g) => double.Parse(f.Groups[g].Value, CultureInfo.InvariantCulture);
                o.Figures[f.Groups[1].Value] = new PosixFigure(int.Parse(f.Groups[2].Value, CultureInfo.InvariantCulture),
                    D(3), D(4), D(5), D(6), f.Groups[7].Success ? long.Parse(f.Groups[7].Value, CultureInfo.InvariantCulture) : 0);
                continue;
            }
            var x = Failure.Match(line);
            if (x.Success && !o.Failures.ContainsKey(x.Groups[1].Value)) o.Failures[x.Groups[1].Value] = x.Groups[2].Value;
        }
        return o;
    }

    // Why `operation` has no figure in this run: the program's own failure line, or that the
    // program never got to it (it ended, or the guest stopped, before).
    public string? Missing(string operation, string ending) =>
        Figures.ContainsKey(operation) ? null
        : Failures.TryGetValue(operation, out var why) ? why
        : $"no result: {ending}";
}
