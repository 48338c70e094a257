// Benchmark "linux-ipc": bench/linux/linux-ipcbench.c (pipe ping-pong, futex wake-up, sched_yield
// switch, fork+exit+wait, fork+exec+wait) in fresh boots of the Linux guest, with the memory and
// QEMU flags of Biscuit's "ipc" benchmark. When "ipc" runs in the same invocation, Interleave makes
// both one series of alternating boots (Biscuit, Linux, Biscuit, ...) so every Biscuit/Linux ratio
// is measured in the same minutes. Each figure: the median over boots of the in-guest median (p99),
// with min and max over boots.
using System.Globalization;
using System.Text.RegularExpressions;

namespace Biscuit.Bench;

public static class LinuxIpcBenchmark
{
    public const string Memory = "256M";   // as IpcBenchmark boots Biscuit
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(5);
    private static readonly Regex Line = new(@"^bench (\w+) n=(\d+) median_cycles=(\d+) p99_cycles=(\d+) median_ns=(\d+) p99_ns=(\d+)");
    private static readonly Regex TscLine = new(@"^bench tsc_ghz=([0-9.]+)");

    public static Dictionary<string, object> Run(string root, int repetitions, Action<string> progress)
    {
        var guest = LinuxGuest.Build(root);
        var series = new Series { LoadBefore = LinuxHostLoad.Now() };
        for (int i = 0; i < repetitions; i++)
        {
            progress($"Linux boot {i + 1}/{repetitions}");
            series.Add(BootOnce(guest, i + 1));
        }
        return series.Result(repetitions, Memory, guest, interleaved: false);
    }

    // Replaces the "ipc" and "linux-ipc" entries with one interleaved series, run by whichever of
    // the two is called first; the other returns its half.
    public static void Interleave(Dictionary<string, Func<Dictionary<string, object>>> available,
                                  string root, string build, int repetitions, Action<string> progress)
    {
        var both = new Lazy<(Dictionary<string, object> Biscuit, Dictionary<string, object> Linux)>(() =>
        {
            var guest = LinuxGuest.Build(root);
            var biscuit = new Series { LoadBefore = LinuxHostLoad.Now() };
            var linux = new Series { LoadBefore = biscuit.LoadBefore };
            for (int i = 0; i < repetitions; i++)
            {
                progress($"round {i + 1}/{repetitions}: Biscuit boot");
                biscuit.Add(PerBootFigures(IpcBenchmark.Run(build, 1, _ => { }, withPager: false)));
                progress($"round {i + 1}/{repetitions}: Linux boot  ");
                linux.Add(BootOnce(guest, i + 1));
            }
            var b = biscuit.Result(repetitions, "256M", null, interleaved: true);
            progress("the page fault with mm as pager");
            b["page_fault_pager"] = PagerFaultBenchmark.Run(build, Math.Min(repetitions, 3), _ => { });
            return (b, linux.Result(repetitions, Memory, guest, interleaved: true));
        });
        available["ipc"] = () => both.Value.Biscuit;
        available["linux-ipc"] = () => both.Value.Linux;
    }

    // One boot running linux-ipcbench: operation -> [median_cycles, p99_cycles, median_ns, p99_ns];
    // "tsc_ghz" -> [rate].
    private static Dictionary<string, double[]> BootOnce(LinuxGuest guest, int boot)
    {
        using var qemu = GuestQemu.Start(guest.QemuArguments(Memory, LinuxGuest.BaseAppend + " run=linux-ipcbench", null));
        bool exited = qemu.WaitForExit(BootTimeout);
        var lines = qemu.Lines;
        if (!exited)
            throw new InvalidOperationException($"Linux guest (linux-ipcbench) boot {boot}: no power-off within {BootTimeout.TotalSeconds:F0} s\n{qemu.Tail()}");
        if (!lines.Any(l => l.Text == "bench done"))
            throw new InvalidOperationException($"Linux guest (linux-ipcbench) boot {boot}: no 'bench done' line (QEMU exit {qemu.ExitCode})\n{qemu.Tail()}");
        var figures = new Dictionary<string, double[]>();
        foreach (var l in lines)
        {
            var m = Line.Match(l.Text);
            if (m.Success)
                figures[m.Groups[1].Value] = Enumerable.Range(3, 4).Select(g => double.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture)).ToArray();
            var t = TscLine.Match(l.Text);
            if (t.Success) figures["tsc_ghz"] = [double.Parse(t.Groups[1].Value, CultureInfo.InvariantCulture)];
        }
        return figures;
    }

    // IpcBenchmark's result for one boot, back to per-operation figures.
    private static Dictionary<string, double[]> PerBootFigures(Dictionary<string, object> ipc) =>
        ipc.Where(kv => kv.Value is Dictionary<string, object> d && d.ContainsKey("median_cycles"))
           .ToDictionary(kv => kv.Key, kv =>
           {
               var f = (Dictionary<string, object>)kv.Value;
               return new[] { "median_cycles", "p99_cycles", "median_ns", "p99_ns" }.Select(k => ((Summary)f[k]).Median).ToArray();
           });

    // Figures of several boots, summarised in IpcBenchmark's result shape (so Report's "ipc" section
    // reads either).
    private sealed class Series
    {
        private readonly Dictionary<string, List<double[]>> perName = new();   // operation -> one entry per boot
        public required string LoadBefore { get; init; }                          // host load average at the start

        public void Add(Dictionary<string, double[]> boot)
        {
            foreach (var (name, values) in boot)
            {
                if (!perName.TryGetValue(name, out var list)) perName[name] = list = new();
                list.Add(values);
            }
        }

        public Dictionary<string, object> Result(int repetitions, string memory, LinuxGuest? guest, bool interleaved)
        {
            var result = new Dictionary<string, object>
            {
                ["repetitions"] = repetitions, ["memory"] = memory,
                ["host_loadavg_before"] = LoadBefore, ["host_loadavg_after"] = LinuxHostLoad.Now(),
            };
            if (interleaved) result["interleaved_with"] = guest == null ? "linux-ipc" : "ipc";
            if (guest != null) result["kernel"] = guest.KernelVersion;
            foreach (var (name, boots) in perName)
            {
                if (name == "tsc_ghz") { result["tsc_ghz"] = Summary.Of(boots.Select(b => b[0]).ToList()); continue; }
                result[name] = new Dictionary<string, object>
                {
                    ["median_cycles"] = Summary.Of(boots.Select(b => b[0]).ToList()),
                    ["p99_cycles"] = Summary.Of(boots.Select(b => b[1]).ToList()),
                    ["median_ns"] = Summary.Of(boots.Select(b => b[2]).ToList()),
                    ["p99_ns"] = Summary.Of(boots.Select(b => b[3]).ToList()),
                };
            }
            return result;
        }
    }
}
