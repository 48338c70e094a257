// The report's "fs" section: one table of the file-system phases on Biscuit and on the Linux guest
// (median rate over boots [min–max], Biscuit/Linux of the medians, per-round spread), what each
// guest's caches could do to the reads (Linux: page cache dropped or not, as the program said;
// Biscuit: the fs server's heap, which holds its block cache, against the file's size — measured
// after the phase, not assumed), the fs server's GC in each phase, and every reason a phase has no
// figure.
using System.Text;

namespace Biscuit.Bench;

public static class FsReport
{
    private static readonly Dictionary<string, string> What = new()
    {
        ["seq_write"] = "sequential write, 64 KiB write(2)s, then fsync",
        ["seq_read"] = "sequential read, 64 KiB read(2)s",
        ["rand_read"] = "random 4 KiB pread(2)s over the file",
        ["create"] = "create: open(O_CREAT|O_EXCL) + 64-byte write + close",
        ["stat"] = "stat(2) of each small file",
        ["unlink"] = "unlink(2) of each small file",
    };

    public static void Markdown(StringBuilder w, Dictionary<string, object> fs)
    {
        var phases = (List<FsPhase>)fs["phases"];
        var boots = (List<FsBoot>)fs["boots"];
        long fileBytes = (long)(int)fs["file_mib"] << 20;
        w.AppendLine($"## File system: the same static program on Biscuit and on Linux (`fs`: QEMU TCG, -m {fs["memory"]}, Linux {fs["kernel"]}, " +
                     $"{fs["repetitions"]} rounds, boots interleaved{((bool)fs["quick"] ? ", --quick: a smoke run, not a measurement" : "")})");
        w.AppendLine();
        w.AppendLine($"`{fs["program"]}`, sha256 `{((string)fs["program_sha256"])[..16]}…`, byte-identical in both guests: a {fs["file_mib"]} MiB file, " +
                     $"{fs["random_reads"]} random reads, {fs["small_files"]} small files in one directory. Disk: {fs["disk"]}. " +
                     "Rates are the median over boots [min–max] from guest TSC cycles at " +
                     (fs["time_base_ghz"] is double rate ? $"{rate:F3} GHz (the Linux guest's calibration, for both guests)" : "1 cycle per ns (no boot calibrated its TSC)") +
                     $"; the ratio is Biscuit/Linux of the median rates (below 1: Biscuit slower) [min–max of the ratios within each round]. Boots: Biscuit " +
                     $"{boots.Count(b => b.Guest == "biscuit")} ({boots.Count(b => b.Guest == "biscuit" && b.Completed)} ran to the end), Linux " +
                     $"{boots.Count(b => b.Guest == "linux")} ({boots.Count(b => b.Guest == "linux" && b.Completed)}). Host load average before / after: " +
                     $"{fs["host_loadavg_before"]} / {fs["host_loadavg_after"]}.");
        w.AppendLine();
        w.AppendLine("| phase | Biscuit | Linux | Biscuit / Linux | fs GC share of fs CPU (Biscuit) |");
        w.AppendLine("|---|---|---|---|---|");
        foreach (var p in phases)
        {
            string ratio = p.RatioBiscuitOverLinux is { } r
                ? $"**{Number(r)}**" + (p.RatioPerRound is { Count: > 1 } rr ? $" [{Number(rr.Min)}–{Number(rr.Max)}]" : "") : "—";
            string gc = p.FsGc?.GcShareOfFsCpu is { } share ? $"{share.Median * 100:F2}%" : p.FsGc is { Errors.Count: > 0 } g ? $"— ({Short(g.Errors[0])})" : "—";
            w.AppendLine($"| {What.GetValueOrDefault(p.Phase, p.Phase)} (`{p.Phase}`) | {Cell(p, p.Biscuit, p.BiscuitFailures)} | " +
                         $"{Cell(p, p.Linux, p.LinuxFailures)} | {ratio} | {gc} |");
        }
        w.AppendLine();
        Caches(w, phases, fileBytes);
        GcTable(w, phases);
        Failures(w, phases, boots);
        w.AppendLine("What the figures are: both guests on the same emulated CPU (QEMU TCG, -smp 1) on a shared 2-core host, the same");
        w.AppendLine("virtio-blk device and disk image (QEMU's default cache mode: the host's page cache sits below both guests alike), so");
        w.AppendLine("read the ratios, not the absolute rates. On Biscuit every call crosses kernel → posix → fs (file data in IPC messages");
        w.AppendLine("of at most 3,968 bytes) and fs reaches the disk through the blk server. The write figure includes the fsync; the");
        w.AppendLine("small-file phases are not synced on either guest (Linux keeps them in its page cache; Biscuit's fs in its block cache");
        w.AppendLine("and journal). The GC share is the fs server's total GC pause in the phase over its CPU cycles in the phase");
        w.AppendLine("(`/proc/biscuit/gc` and `/proc/biscuit/cpu` read by the program just before and after the phase, outside its timing).");
        w.AppendLine();
    }

    private static void Caches(StringBuilder w, List<FsPhase> phases, long fileBytes)
    {
        w.AppendLine("Caches under the reads:");
        w.AppendLine();
        foreach (var p in phases.Where(p => p.Phase is "seq_read" or "rand_read"))
        {
            string linux = p.LinuxCache.Count == 0 ? "the program said nothing (the phase did not run)"
                : string.Join("; ", p.LinuxCache.Select(c => c == "dropped" ? "page cache dropped (`echo 3 > /proc/sys/vm/drop_caches`) just before" : c));
            string biscuit = p.BiscuitCache.Count == 0 ? "the program said nothing (the phase did not run)" : string.Join("; ", p.BiscuitCache);
            w.Append($"* `{p.Phase}`: Linux: {linux}. Biscuit: {biscuit}; ");
            if (p.FsGc is { Boots: > 0 } gc)
            {
                bool fits = gc.MaxHeapAfterBytes >= fileBytes;
                w.AppendLine($"the fs server's whole heap after the phase was at most {Mib(gc.MaxHeapAfterBytes)} (limit {Mib(gc.HeapLimitBytes)}) " +
                             (fits ? $"— not smaller than the {Mib(fileBytes)} file, so its block cache (part of that heap) **could hold the file**: the read may have come partly from fs's cache."
                                   : $"— smaller than the {Mib(fileBytes)} file, so its block cache (part of that heap) **cannot hold the file**: it holds at most " +
                                     $"{100.0 * gc.MaxHeapAfterBytes / fileBytes:F0}% of it, and " +
                                     (p.Phase == "seq_read" ? $"at least {Mib(fileBytes - gc.MaxHeapAfterBytes)} of the read came from the disk (through blk)."
                                                            : "a random block is in it with at most that chance (the rest come from the disk, through blk).")));
            }
            else w.AppendLine("no measurement of the fs server's heap in this phase.");
        }
        w.AppendLine();
    }

    private static void GcTable(StringBuilder w, List<FsPhase> phases)
    {
        if (!phases.Any(p => p.FsGc is { Boots: > 0 })) { w.AppendLine("No fs GC figures were read (no Biscuit boot dumped /proc/biscuit around a phase)."); w.AppendLine(); return; }
        w.AppendLine("The fs server's GC in each phase (Biscuit; median over boots [min–max]):");
        w.AppendLine();
        w.AppendLine("| phase | collections | total pause | share of fs CPU | share of the phase's time | fs heap after (max) / limit |");
        w.AppendLine("|---|---|---|---|---|---|");
        foreach (var p in phases)
        {
            if (p.FsGc is not { Boots: > 0 } g) { w.AppendLine($"| `{p.Phase}` | — | — | — | — | — |"); continue; }
            w.AppendLine($"| `{p.Phase}` | {g.Collections!.Median:F0} [{g.Collections.Min:F0}–{g.Collections.Max:F0}] | " +
                         $"{g.PauseMs!.Median:F1} ms [{g.PauseMs.Min:F1}–{g.PauseMs.Max:F1}] | " +
                         $"{(g.GcShareOfFsCpu is { } s ? $"{s.Median * 100:F2}% [{s.Min * 100:F2}–{s.Max * 100:F2}]" : "—")} | " +
                         $"{g.GcShareOfPhase!.Median * 100:F2}% | {Mib(g.MaxHeapAfterBytes)} / {Mib(g.HeapLimitBytes)} |");
        }
        w.AppendLine();
    }

    private static void Failures(StringBuilder w, List<FsPhase> phases, List<FsBoot> boots)
    {
        var failed = phases.Where(p => p.BiscuitFailures.Count > 0 || p.LinuxFailures.Count > 0).ToList();
        var notes = boots.Where(b => b.Guest == "biscuit").SelectMany(b => b.SystemNotes).Distinct().ToList();
        var errors = boots.Where(b => b.Error != null).ToList();
        var others = boots.SelectMany(b => b.OtherFailures.Select(f => $"* `{f.Key}` on {(b.Guest == "biscuit" ? "Biscuit" : "Linux")} (round {b.Round}): {f.Value}")).ToList();
        var gcErrors = phases.Where(p => p.FsGc is { Errors.Count: > 0 }).SelectMany(p => p.FsGc!.Errors.Select(e => $"* fs GC in `{p.Phase}`: {e}")).ToList();
        if (failed.Count == 0 && notes.Count == 0 && errors.Count == 0 && others.Count == 0 && gcErrors.Count == 0)
        { w.AppendLine("Every phase ran on both guests in every boot."); w.AppendLine(); return; }
        if (failed.Count > 0 || errors.Count > 0 || others.Count > 0 || gcErrors.Count > 0)
        {
            w.AppendLine("What failed, as the program and the system said it:");
            w.AppendLine();
        }
        else w.AppendLine("Every phase ran on both guests in every boot.");
        foreach (var p in failed)
        {
            foreach (var why in p.BiscuitFailures.Where(x => x != FsSummary.BootFailed)) w.AppendLine($"* `{p.Phase}` on Biscuit: {why}");
            foreach (var why in p.LinuxFailures.Where(x => x != FsSummary.BootFailed)) w.AppendLine($"* `{p.Phase}` on Linux: {why}");
        }
        foreach (var o in others.Concat(gcErrors)) w.AppendLine(o);
        foreach (var b in errors)
        {
            var lines = b.Error!.Split('\n');
            w.AppendLine($"* {b.Guest} round {b.Round}: {lines[0]}" + (lines.Length > 1 ? $" — `{string.Join(" ⏎ ", lines.Skip(1).Where(l => l.Trim().Length > 0).TakeLast(3).Select(l => l.Trim()))}`" : ""));
        }
        if (notes.Count > 0)
        {
            w.AppendLine();
            w.AppendLine("Biscuit's serial console (kernel and servers) from the program's start, lines that speak of a failure:");
            w.AppendLine();
            w.AppendLine("```");
            foreach (var n in notes) w.AppendLine(n);
            w.AppendLine("```");
        }
        w.AppendLine();
    }

    private static string Cell(FsPhase p, FsGuestFigures? f, List<string> failures)
    {
        if (f == null) return failures.Count > 0 ? $"fails: {Short(failures[0])}" : "—";
        string s = $"{Number(f.Rate.Median)} {p.Unit} [{Number(f.Rate.Min)}–{Number(f.Rate.Max)}]";
        if (f.MedianLatencyNs is { } lat) s += $", median read {PosixReport.Time(lat.Median)}";
        if (failures.Count > 0) s += $" (and {failures.Count} failing boot{(failures.Count > 1 ? "s" : "")})";
        return s;
    }

    private static string Number(double v) => v >= 100 ? $"{v:F0}" : v >= 10 ? $"{v:F1}" : v >= 0.1 ? $"{v:F2}" : $"{v:F3}";
    private static string Mib(long bytes) => $"{bytes / (1024.0 * 1024):F0} MiB";
    private static string Short(string s) => s.Length <= 90 ? s : s[..87] + "...";
}
