// The report's "posix" section: one table of the same static program's operations on Biscuit and on
// the Linux guest (median over boots [min–max], the Biscuit/Linux ratio), the published pipe
// ping-pong anchor beside our pipe ratio, every reason an operation has no figure (the program's
// errno line and Biscuit's serial lines about it), and what the figures are.
using System.Text;

namespace Biscuit.Bench;

public static class PosixReport
{
    private static readonly Dictionary<string, string> What = new()
    {
        ["pipe_rtt_1"] = "pipe ping-pong between two processes, 1 byte",
        ["pipe_rtt_64"] = "pipe ping-pong between two processes, 64 bytes",
        ["fork_exit_wait"] = "fork + _exit + waitpid",
        ["fork_exec_wait"] = "fork + execve + exit + waitpid",
        ["getpid"] = "getpid (Biscuit: answered by the kernel)",
        ["getppid"] = "getppid (Biscuit: kernel → posix → kernel)",
        ["getuid"] = "getuid (Biscuit: kernel → posix → kernel)",
        ["file_write_16k"] = "write(2) of 16 KiB to a 1 MiB file",
        ["file_read_16k"] = "read(2) of 16 KiB from that file",
        ["open_close"] = "open + close of an existing file",
        ["stat"] = "stat of an existing file",
        ["page_fault"] = "first write to a fresh anonymous page",
    };

    public static void Markdown(StringBuilder w, Dictionary<string, object> posix)
    {
        var ops = (List<PosixOperation>)posix["operations"];
        double ghz = posix["time_base_ghz"] is double g ? g : 1.0;   // with no calibration, "ns" are cycles
        var boots = (List<PosixBoot>)posix["boots"];
        int biscuitBoots = boots.Count(b => b.Guest == "biscuit"), linuxBoots = boots.Count(b => b.Guest == "linux");
        w.AppendLine($"## The same static program on Biscuit and on Linux (`posix`: QEMU TCG, -m {posix["memory"]}, Linux {posix["kernel"]}, " +
                     $"{posix["repetitions"]} rounds, boots interleaved{((bool)posix["quick"] ? ", --quick: a smoke run, not a measurement" : "")})");
        w.AppendLine();
        w.AppendLine($"`{posix["program"]}`, sha256 `{((string)posix["program_sha256"])[..16]}…`, byte-identical in both guests. " +
                     "Median over boots of the in-guest median, [min–max over boots], in guest TSC cycles shown as time at " +
                     (posix["time_base_ghz"] is double rate ? $"{rate:F3} GHz (the Linux guest's calibration, for both guests; Biscuit's own clock under TCG is not a reliable ruler)"
                                                            : "1 cycle per ns (no boot calibrated its TSC)") +
                     $"; the ratio is of those medians' cycles, [min–max of the ratios within each round] (TSC rates the guests measured against their own clocks: Biscuit {Rates(boots, "biscuit")}, " +
                     $"Linux {Rates(boots, "linux")}). Boots: Biscuit {biscuitBoots} " +
                     $"({boots.Count(b => b.Guest == "biscuit" && b.Completed)} ran to the end), Linux {linuxBoots} " +
                     $"({boots.Count(b => b.Guest == "linux" && b.Completed)}). Host load average before / after: " +
                     $"{posix["host_loadavg_before"]} / {posix["host_loadavg_after"]}.");
        w.AppendLine();
        w.AppendLine("| operation | Biscuit | Linux | Biscuit / Linux |");
        w.AppendLine("|---|---|---|---|");
        foreach (var op in ops)
        {
            string ratio = op.RatioBiscuitOverLinux is { } r
                ? $"**{r:F2}**" + (op.RatioPerRound is { Count: > 1 } rr ? $" [{rr.Min:F2}–{rr.Max:F2}]" : "") : "—";
            w.AppendLine($"| {What.GetValueOrDefault(op.Operation, op.Operation)} (`{op.Operation}`) | {Cell(op, op.Biscuit, op.BiscuitFailures, ghz)} | " +
                         $"{Cell(op, op.Linux, op.LinuxFailures, ghz)} | {ratio} |");
        }
        w.AppendLine();
        var pipe = ops.FirstOrDefault(o => o.Operation == "pipe_rtt_1");
        w.AppendLine("Published anchor (Biscuit in Go, OSDI 2018, other hardware): pipe ping-pong, C ~15% faster than Go " +
                     "(Go/C ≈ 1.15 — the cost of a high-level language in a monolithic kernel). This run, the same pipe " +
                     $"ping-pong, Biscuit/Linux: {(pipe?.RatioBiscuitOverLinux is { } p ? $"**{p:F2}**" : "no ratio (see below)")} " +
                     "(a microkernel whose pipes live in a .NET server, under TCG).");
        w.AppendLine();
        Failures(w, ops, boots);
        var fs = (Dictionary<string, string>)posix["file_system"];
        w.AppendLine("What the figures are: both guests run on the same emulated CPU (QEMU TCG, -smp 1) on a shared 2-core host, so read");
        w.AppendLine("the ratios, not the absolute times. A ratio above 1 means Biscuit is slower. On Biscuit every call but getpid, the");
        w.AppendLine("clocks and anonymous memory crosses kernel → posix (a .NET server) → kernel, and file calls go on to fs; fork copies");
        w.AppendLine("the address space eagerly (no copy-on-write yet), and posix prints one serial line per process end. Page faults on");
        w.AppendLine("Biscuit are the kernel's on-demand paging (no `mm` server yet). Files: Biscuit " +
                     $"{fs["biscuit"]}; Linux {fs["linux"]}. Neither calls fsync: Linux's writes stay in its page cache.");
        w.AppendLine();
    }

    private static string Cell(PosixOperation op, PosixGuestFigures? f, List<string> failures, double ghz)
    {
        if (f == null) return failures.Count > 0 ? $"fails: {Short(failures[0])}" : "—";
        var c = f.MedianCycles;
        string s = $"{Time(c.Median / ghz)} [{Time(c.Min / ghz)}–{Time(c.Max / ghz)}]";
        if (PosixOperation.MibPerS(op.Bytes, f, ghz) is { } mib) s += $" ({mib:F1} MiB/s)";
        if (failures.Count > 0) s += $" (and {failures.Count} failing boot{(failures.Count > 1 ? "s" : "")})";
        return s;
    }

    private static void Failures(StringBuilder w, List<PosixOperation> ops, List<PosixBoot> boots)
    {
        var failed = ops.Where(o => o.BiscuitFailures.Count > 0 || o.LinuxFailures.Count > 0).ToList();
        var notes = boots.Where(b => b.Guest == "biscuit").SelectMany(b => b.SystemNotes).Distinct().ToList();
        var errors = boots.Where(b => b.Error != null).ToList();
        var others = boots.SelectMany(b => b.OtherFailures.Select(f => $"* `{f.Key}` on {(b.Guest == "biscuit" ? "Biscuit" : "Linux")} (round {b.Round}): {f.Value}")).ToList();
        if (failed.Count == 0 && notes.Count == 0 && errors.Count == 0 && others.Count == 0) { w.AppendLine("Every operation ran on both guests in every boot."); w.AppendLine(); return; }
        w.AppendLine("What failed, as the program and the system said it:");
        w.AppendLine();
        foreach (var o in failed)
        {
            foreach (var why in o.BiscuitFailures.Where(x => x != PosixSummary.BootFailed)) w.AppendLine($"* `{o.Operation}` on Biscuit: {why}");
            foreach (var why in o.LinuxFailures.Where(x => x != PosixSummary.BootFailed)) w.AppendLine($"* `{o.Operation}` on Linux: {why}");
        }
        foreach (var o in others) w.AppendLine(o);
        foreach (var b in errors)
        {
            var lines = b.Error!.Split('\n');
            w.AppendLine($"* {b.Guest} round {b.Round}: {lines[0]}" + (lines.Length > 1 ? $" — `{string.Join(" ⏎ ", lines.Skip(1).Where(l => l.Trim().Length > 0).TakeLast(3).Select(l => l.Trim()))}`" : ""));
        }
        if (notes.Count > 0)
        {
            w.AppendLine();
            w.AppendLine("Biscuit's serial console (kernel and servers) about it:");
            w.AppendLine();
            w.AppendLine("```");
            foreach (var n in notes) w.AppendLine(n);
            w.AppendLine("```");
        }
        w.AppendLine();
    }

    private static string Rates(List<PosixBoot> boots, string guest)
    {
        var rates = boots.Where(b => b.Guest == guest && b.TscGhz != null).Select(b => $"{b.TscGhz:F3}").ToList();
        return rates.Count > 0 ? string.Join(", ", rates) + " GHz" : "none";
    }

    private static string Short(string s) => s.Length <= 90 ? s : s[..87] + "...";

    public static string Time(double ns) =>
        ns < 1_000 ? $"{ns:F0} ns" : ns < 1_000_000 ? $"{ns / 1_000:F1} µs" : $"{ns / 1_000_000:F2} ms";
}
