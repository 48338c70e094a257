// Benchmark "ipc": the kernel-core micro-benchmarks of tests/guest/ipcbench.c (IPC round trip with
// empty and 64-byte messages, notification wake-up, context switch, process spawn, demand-zero page
// fault), run N times in fresh boots; each figure is the median over boots of the in-guest median
// (and p99). The page fault also has its breakdown (`page_fault_phases`): per phase of the kernel's
// path (memory_fault_census read around each fault) and for what is left of each timed store — the
// hardware's exception entry and iretq and the assembly stub — the median over faults, then the
// median of that over boots. Then the fault of an application with mm as its pager beside the
// kernel's path (PagerFaultBenchmark: its own boots of tests/manifests/mm-pager).
using System.Globalization;
using System.Text.RegularExpressions;

namespace Biscuit.Bench;

public static class IpcBenchmark
{
    private static readonly Regex Line = new(@"^bench (\w+) n=(\d+) median_cycles=(\d+) p99_cycles=(\d+) median_ns=(\d+) p99_ns=(\d+)");
    private static readonly Regex Phases = new(@"^bench page_fault_phases faults=(\d+) touch=(\d+) entry=(\d+) lookup=(\d+) frame=(\d+) zero=(\d+) map=(\d+) exit=(\d+) outside=(\d+)$");
    public static readonly string[] PhaseNames = ["touch", "entry", "lookup", "frame", "zero", "map", "exit", "outside"];

    public static Dictionary<string, object> Run(string build, int repetitions, Action<string> progress, bool withPager = true)
    {
        var perName = new Dictionary<string, List<double[]>>();   // name -> per boot [median_cycles, p99_cycles, median_ns, p99_ns]
        var phases = new List<double[]>();                          // per boot: PhaseNames' figures
        for (int i = 0; i < repetitions; i++)
        {
            progress($"boot {i + 1}/{repetitions}");
            var (code, lines) = Qemu.Boot(build, "256M", "init=ipcbench exit=init", TimeSpan.FromMinutes(5), "ipcbench", "child");
            if (code != 1 || !lines.Any(l => l.Text == "bench done"))
                throw new InvalidOperationException($"ipcbench boot {i + 1} failed (QEMU exit {code}):\n" + string.Join("\n", lines.Select(l => l.Text)));
            foreach (var l in lines)
            {
                var p = Phases.Match(l.Text);
                if (p.Success) phases.Add(Enumerable.Range(2, PhaseNames.Length).Select(g => double.Parse(p.Groups[g].Value, CultureInfo.InvariantCulture)).ToArray());
                var m = Line.Match(l.Text);
                if (!m.Success) continue;
                if (!perName.TryGetValue(m.Groups[1].Value, out var list)) perName[m.Groups[1].Value] = list = new();
                list.Add(Enumerable.Range(3, 4).Select(g => double.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture)).ToArray());
            }
        }
        var result = new Dictionary<string, object> { ["repetitions"] = repetitions, ["memory"] = "256M" };
        foreach (var (name, boots) in perName)
            result[name] = new Dictionary<string, object>
            {
                ["median_cycles"] = Summary.Of(boots.Select(b => b[0]).ToList()),
                ["p99_cycles"] = Summary.Of(boots.Select(b => b[1]).ToList()),
                ["median_ns"] = Summary.Of(boots.Select(b => b[2]).ToList()),
                ["p99_ns"] = Summary.Of(boots.Select(b => b[3]).ToList()),
            };
        if (phases.Count > 0)
        {
            var breakdown = new Dictionary<string, Summary>();
            for (int k = 0; k < PhaseNames.Length; k++) breakdown[PhaseNames[k]] = Summary.Of(phases.Select(b => b[k]).ToList());
            result["page_fault_phases"] = breakdown;
        }
        if (withPager) result["page_fault_pager"] = PagerFaultBenchmark.Run(build, repetitions, progress);
        return result;
    }
}
