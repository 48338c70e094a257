// Benchmark "ipc": the kernel-core micro-benchmarks of tests/guest/ipcbench.c (IPC round trip with
// empty and 64-byte messages, notification wake-up, context switch, process spawn), run N times
// in fresh boots; each figure is the median over boots of the in-guest median (and p99).
using System.Globalization;
using System.Text.RegularExpressions;

namespace Biscuit.Bench;

public static class IpcBenchmark
{
    private static readonly Regex Line = new(@"^bench (\w+) n=(\d+) median_cycles=(\d+) p99_cycles=(\d+) median_ns=(\d+) p99_ns=(\d+)");

    public static Dictionary<string, object> Run(string build, int repetitions, Action<string> progress)
    {
        var perName = new Dictionary<string, List<double[]>>();   // name -> per boot [median_cycles, p99_cycles, median_ns, p99_ns]
        for (int i = 0; i < repetitions; i++)
        {
            progress($"boot {i + 1}/{repetitions}");
            var (code, lines) = Qemu.Boot(build, "256M", "init=ipcbench exit=init", TimeSpan.FromMinutes(5), "ipcbench", "child");
            if (code != 1 || !lines.Any(l => l.Text == "bench done"))
                throw new InvalidOperationException($"ipcbench boot {i + 1} failed (QEMU exit {code}):\n" + string.Join("\n", lines.Select(l => l.Text)));
            foreach (var l in lines)
            {
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
        return result;
    }
}
