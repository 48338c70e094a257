// The human-readable report (Markdown) of one bench run.
namespace Biscuit.Bench;

public static class Report
{
    public static string Markdown(Dictionary<string, object> results)
    {
        var w = new System.Text.StringBuilder();
        w.AppendLine($"# Biscuit benchmarks — commit {results["commit"]}, {results["date_utc"]}");
        w.AppendLine();
        if (results.TryGetValue("boot", out var b) && b is Dictionary<string, object> boot)
        {
            var ready = (Summary)boot["qemu_spawn_to_ready_s"];
            var banner = (Summary)boot["qemu_spawn_to_banner_s"];
            w.AppendLine($"## Boot (QEMU TCG, -m {boot["memory"]}, {boot["repetitions"]} boots)");
            w.AppendLine();
            w.AppendLine("| measure | median | min | max |");
            w.AppendLine("|---|---|---|---|");
            w.AppendLine($"| QEMU spawn → kernel banner | {banner.Median:F3} s | {banner.Min:F3} s | {banner.Max:F3} s |");
            w.AppendLine($"| QEMU spawn → `biscuit: ready` | {ready.Median:F3} s | {ready.Min:F3} s | {ready.Max:F3} s |");
            w.AppendLine();
            w.AppendLine($"Kernel image: kernel.bin {boot["kernel_bin_bytes"]} bytes (loaded by Multiboot), kernel.elf {boot["kernel_elf_bytes"]} bytes (with symbols).");
            w.AppendLine();
        }
        if (results.TryGetValue("ipc", out var i) && i is Dictionary<string, object> ipc)
        {
            w.AppendLine($"## Kernel core (QEMU TCG, guest ipcbench, {ipc["repetitions"]} boots; median over boots of the in-guest median / p99)");
            w.AppendLine();
            w.AppendLine("| operation | median cycles | p99 cycles | median ns | p99 ns |");
            w.AppendLine("|---|---|---|---|---|");
            foreach (var (name, value) in ipc)
            {
                if (value is not Dictionary<string, object> f || !f.ContainsKey("median_cycles")) continue;
                w.AppendLine($"| {name} | {((Summary)f["median_cycles"]).Median:F0} | {((Summary)f["p99_cycles"]).Median:F0} | " +
                             $"{((Summary)f["median_ns"]).Median:F0} | {((Summary)f["p99_ns"]).Median:F0} |");
            }
            w.AppendLine();
            w.AppendLine("Cycles are the guest's TSC under TCG emulation: they measure emulated work, not what the same code");
            w.AppendLine("costs on hardware (seL4's ~400–600 cycles per call are hardware figures). Compare ratios to the");
            w.AppendLine("Linux guest measured in the same run, not absolute values.");
            w.AppendLine();
            if (ipc.TryGetValue("page_fault_phases", out var pf) && pf is Dictionary<string, Summary> phases)
            {
                double touch = phases["touch"].Median;
                w.AppendLine("### Where a demand-zero page fault's cycles go (median over faults, then over boots)");
                w.AppendLine();
                w.AppendLine("| phase | cycles | share of the touch |");
                w.AppendLine("|---|---|---|");
                foreach (var (name, what) in new[] {
                    ("outside", "exception entry and iretq (hardware) and the assembly stub: each store's time less the kernel's phases"),
                    ("entry", "kernel: dispatcher to the fault handler"), ("lookup", "kernel: page state and permission checks"),
                    ("frame", "kernel: a frame from the pool, charged to the process"), ("zero", "kernel: zeroing the 4 KiB frame"),
                    ("map", "kernel: page-table entry and INVLPG"), ("exit", "kernel: back to the scheduler's resume") })
                    w.AppendLine($"| {what} | {phases[name].Median:F0} | {(touch > 0 ? phases[name].Median / touch * 100 : 0):F0}% |");
                w.AppendLine($"| **the store that faulted, as the program timed it** | {touch:F0} | 100% |");
                w.AppendLine();
                w.AppendLine("Medians of parts do not add up to the median of the whole exactly; each row is its own median.");
                w.AppendLine();
                w.AppendLine("The fault is served by the kernel's own pager (DESIGN.md §6: mm sets quotas and policy, it is not on this path),");
                w.AppendLine("so no IPC appears here. The same fault from a Linux program, beside Linux's, is in the `posix` section (anonymous page faults).");
                w.AppendLine();
            }
            if (ipc.TryGetValue("page_fault_pager", out var pp) && pp is Dictionary<string, object> pager)
                PagerFaultBenchmark.Markdown(w, pager);
        }
        w.Append(LinuxReport.Markdown(results));
        if (results.TryGetValue("servers", out var sv) && sv is Dictionary<string, object> servers)
            ServersBenchmark.Report(w, servers);
        if (results.TryGetValue("nginx", out var ng) && ng is Dictionary<string, object> nginx)
            NginxReport.Markdown(w, nginx);
        if (results.TryGetValue("posix", out var px) && px is Dictionary<string, object> posix)
            PosixReport.Markdown(w, posix);
        if (results.TryGetValue("fs", out var fsResults) && fsResults is Dictionary<string, object> fs) FsReport.Markdown(w, fs);
        if (results.TryGetValue("net", out var nt) && nt is Dictionary<string, object> net) NetReport.Markdown(w, net);
        Anchors.Report(w, results);
        w.AppendLine("Not measured yet on Biscuit: the kernel's own share of a request apart from the processes it works for");
        w.AppendLine("(cpu_census charges both to the process), and mm's GC under load (mm starts after posix, which builds /proc/biscuit/gc,");
        w.AppendLine("so posix holds no endpoint of it; `./biscuit stats` shows it).");
        return w.ToString();
    }
}
