// The "net" benchmark's figures over boots: for each measure and guest the median over boots with
// min and max, the Biscuit/Linux ratio of the medians and the spread of the ratios within each
// round (same minutes), the reasons a guest has no figure; and, per phase and Biscuit server, the GC
// figures of NetGcWindow summarised over Biscuit's boots. Boots without a figure do not count
// towards its summary; a measure no boot of a guest measured has no summary there, only reasons.
namespace Biscuit.Bench;

public sealed record NetMeasure(string Name, string Unit, bool HigherIsBetter, Summary? Biscuit, Summary? Linux,
    double? RatioBiscuitOverLinux, Summary? RatioPerRound, List<string> BiscuitFailures, List<string> LinuxFailures);

public sealed record NetGcSummary(string Phase, string Server, int Boots, Summary? GcShareOfCpu, Summary PauseMs, Summary Collections,
    Summary? CpuShareOfGuest, Summary GcShareOfWall);

public static class NetSummary
{
    // name, unit, higher is better, the phase it comes from, the figure of a boot
    private static readonly (string Name, string Unit, bool Higher, string Phase, Func<NetBoot, double?> Of)[] Measures =
    [
        ("sink_mib_per_s", "MiB/s", true, "sink", b => b.Sink?.MibPerS),
        ("source_mib_per_s", "MiB/s", true, "source", b => b.Source?.MibPerS),
        ("echo_p50_ms", "ms", false, "echo", b => b.Echo?.P50Ms),
        ("echo_p99_ms", "ms", false, "echo", b => b.Echo?.P99Ms),
        ("connections_per_s", "/s", true, "connections", b => b.Connections is { Completed: > 0 } c ? c.PerSecond : null),
        ("qemu_spawn_to_answer_s", "s", false, "boot", b => b.QemuSpawnToAnswerS),
    ];

    public static Dictionary<string, object> Of(IReadOnlyList<NetBoot> boots)
    {
        var measures = Measures.Select(m => new NetMeasure(m.Name, m.Unit, m.Higher,
            Guest(boots, "biscuit", m.Of), Guest(boots, "linux", m.Of), null, RoundRatios(boots, m.Of),
            Reasons(boots, "biscuit", m.Phase, m.Of), Reasons(boots, "linux", m.Phase, m.Of))).ToList();
        measures = measures.Select(m => m with
        {
            RatioBiscuitOverLinux = m.Biscuit != null && m.Linux is { Median: > 0 } l ? m.Biscuit.Median / l.Median : null,
        }).ToList();
        var transfers = boots.SelectMany(b => new[] { b.Sink, b.Source }).OfType<NetTransfer>().ToList();
        return new Dictionary<string, object>
        {
            ["measures"] = measures,
            // the headline ratios by name, where the terminal summary of `./biscuit bench` looks for them
            ["ratios_biscuit_over_linux"] = measures.Where(m => m.RatioBiscuitOverLinux != null).ToDictionary(m => m.Name, m => m.RatioBiscuitOverLinux!.Value),
            ["transfers_verified"] = transfers.Count,
            ["all_transfers_verified"] = transfers.All(t => t.BytesVerified),
            ["gc"] = Gc(boots),
        };
    }

    private static List<NetGcSummary> Gc(IReadOnlyList<NetBoot> boots)
    {
        var windows = boots.Where(b => b.Guest == "biscuit").SelectMany(b => b.Gc).Where(w => w.Error == null).ToList();
        var result = new List<NetGcSummary>();
        foreach (string phase in NetBenchmark.Phases)
            foreach (var group in windows.Where(w => w.Phase == phase).SelectMany(w => w.Servers).GroupBy(s => s.Server).OrderBy(g => g.Key switch { "net" => 0, "nic" => 1, _ => 2 }).ThenBy(g => g.Key))
            {
                var s = group.ToList();
                var share = s.Where(x => x.GcShareOfCpu != null).Select(x => x.GcShareOfCpu!.Value).ToList();
                var cpu = s.Where(x => x.CpuShareOfGuest != null).Select(x => x.CpuShareOfGuest!.Value).ToList();
                result.Add(new NetGcSummary(phase, group.Key, s.Count, share.Count > 0 ? Summary.Of(share) : null,
                    Summary.Of(s.Select(x => x.PauseMs).ToList()), Summary.Of(s.Select(x => (double)x.Collections).ToList()),
                    cpu.Count > 0 ? Summary.Of(cpu) : null, Summary.Of(s.Select(x => x.GcShareOfWall).ToList())));
            }
        return result;
    }

    private static Summary? Guest(IReadOnlyList<NetBoot> boots, string guest, Func<NetBoot, double?> of)
    {
        var values = boots.Where(b => b.Guest == guest).Select(of).OfType<double>().ToList();
        return values.Count > 0 ? Summary.Of(values) : null;
    }

    private static Summary? RoundRatios(IReadOnlyList<NetBoot> boots, Func<NetBoot, double?> of)
    {
        var ratios = boots.GroupBy(b => b.Round).Select(r =>
        {
            double? b = r.Where(x => x.Guest == "biscuit").Select(of).FirstOrDefault();
            double? l = r.Where(x => x.Guest == "linux").Select(of).FirstOrDefault();
            return b != null && l is > 0 ? b / l : null;
        }).OfType<double>().ToList();
        return ratios.Count > 0 ? Summary.Of(ratios) : null;
    }

    // Why boots of `guest` lack a figure: the phase's error, else the boot's, each distinct reason once.
    private static List<string> Reasons(IReadOnlyList<NetBoot> boots, string guest, string phase, Func<NetBoot, double?> of) =>
        boots.Where(b => b.Guest == guest && of(b) == null)
             .Select(b => b.PhaseErrors.TryGetValue(phase, out var why) ? why
                        : b.Error != null ? b.Error.Split('\n')[0]
                        : "no figure (the boot ended before this phase)")
             .Distinct().ToList();
}
