// The anonymous page fault of an application with mm as its pager and with the kernel as its pager
// (issue 8's option; DESIGN.md §6), part of benchmark "ipc": each repetition boots
// tests/manifests/mm-pager (mm started with `pager`, pagerhost running pagerapp), whose pagerhost
// times 1,000 first touches of a 1 GiB mapping with mm as pager and then the same with the kernel
// as pager, and reads the kernel's censuses around them: memory_pager_census for the mm path
// (entry, to mm, mm's decision, check, frame, zero, map, resume) and memory_fault_census for the
// kernel path (entry, lookup, frame, zero, map, exit). Each figure is a mean over the 1,000 faults
// of one boot; the report gives the median over boots.
using System.Globalization;
using System.Text.RegularExpressions;

namespace Biscuit.Bench;

public static class PagerFaultBenchmark
{
    private static readonly Regex MmLine = new(@"^pagerhost: mm as pager: first touch (\d+) cycles .*; per fault: entry (\d+), to mm (\d+), mm's decision (\d+), check (\d+), frame (\d+), zero (\d+), map (\d+), resume (\d+)$");
    private static readonly Regex KernelLine = new(@"^pagerhost: kernel as pager: first touch (\d+) cycles .*; per fault: entry (\d+), lookup (\d+), frame (\d+), zero (\d+), map (\d+), exit (\d+)$");
    public static readonly string[] MmPhases = ["touch", "entry", "to_mm", "decision", "check", "frame", "zero", "map", "resume"];
    public static readonly string[] KernelPhases = ["touch", "entry", "lookup", "frame", "zero", "map", "exit"];

    public static Dictionary<string, object> Run(string build, int repetitions, Action<string> progress)
    {
        string manifest = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(build))!, "tests", "manifests", "mm-pager", "manifest");
        var mm = new List<double[]>();
        var kernel = new List<double[]>();
        for (int i = 0; i < repetitions; i++)
        {
            progress($"pager boot {i + 1}/{repetitions}");
            var (code, lines) = Qemu.BootSystem(build, "256M", manifest, TimeSpan.FromMinutes(5), "mm-server",
                Path.Combine(build, "guest", "pagerhost"), Path.Combine(build, "guest", "pagerapp"));
            double[]? m = null, k = null;
            foreach (var l in lines)
            {
                var a = MmLine.Match(l.Text);
                if (a.Success) m = Figures(a, MmPhases.Length);
                var b = KernelLine.Match(l.Text);
                if (b.Success) k = Figures(b, KernelPhases.Length);
            }
            if (m == null || k == null)
                throw new InvalidOperationException($"the pager boot {i + 1} printed no figures (QEMU exit {code}):\n" + string.Join("\n", lines.Select(l => l.Text)));
            mm.Add(m);
            kernel.Add(k);
        }
        return new Dictionary<string, object>
        {
            ["repetitions"] = repetitions,
            ["mm"] = Enumerable.Range(0, MmPhases.Length).ToDictionary(p => MmPhases[p], p => Summary.Of(mm.Select(b => b[p]).ToList())),
            ["kernel"] = Enumerable.Range(0, KernelPhases.Length).ToDictionary(p => KernelPhases[p], p => Summary.Of(kernel.Select(b => b[p]).ToList())),
        };
    }

    private static double[] Figures(Match m, int count) =>
        Enumerable.Range(1, count).Select(g => double.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture)).ToArray();

    // The report's section: both paths side by side, phase by phase.
    public static void Markdown(System.Text.StringBuilder w, Dictionary<string, object> pager)
    {
        if (pager["mm"] is not Dictionary<string, Summary> mm || pager["kernel"] is not Dictionary<string, Summary> kernel) return;
        w.AppendLine("### The same fault with mm as the pager (the option of DESIGN.md §6), beside the kernel's path");
        w.AppendLine();
        w.AppendLine($"An application's first touch of an anonymous page, 1,000 per boot (tests/manifests/mm-pager), mean cycles per fault, median over {pager["repetitions"]} boot(s).");
        w.AppendLine();
        w.AppendLine("| phase | mm as pager | kernel as pager |");
        w.AppendLine("|---|---|---|");
        string K(string n) => kernel.TryGetValue(n, out var s) ? s.Median.ToString("F0", CultureInfo.InvariantCulture) : "—";
        string M(string n) => mm.TryGetValue(n, out var s) ? s.Median.ToString("F0", CultureInfo.InvariantCulture) : "—";
        w.AppendLine($"| kernel entry (dispatcher to the fault handled or sent) | {M("entry")} | {K("entry")} |");
        w.AppendLine($"| IPC to mm (call to mm's thread running with the message) | {M("to_mm")} | — |");
        w.AppendLine($"| mm's decision (its code and its memory_page_supply entry) | {M("decision")} | — |");
        w.AppendLine($"| checks and page lookup | {M("check")} | {K("lookup")} |");
        w.AppendLine($"| frame from the pool | {M("frame")} | {K("frame")} |");
        w.AppendLine($"| zeroing 4 KiB | {M("zero")} | {K("zero")} |");
        w.AppendLine($"| page-table entry and INVLPG | {M("map")} | {K("map")} |");
        w.AppendLine($"| resume (mm back to ring 3 and its next receive, then the switch; kernel: its exit) | {M("resume")} | {K("exit")} |");
        w.AppendLine($"| **the first touch as the application timed it** | {M("touch")} | {K("touch")} |");
        w.AppendLine();
    }
}
