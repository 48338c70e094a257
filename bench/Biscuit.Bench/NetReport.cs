// The report's "net" section: throughput both ways, echo latency and connections per second of the
// same static program (netbench) on Biscuit and on the Linux guest, median over boots [min–max] with
// the Biscuit/Linux ratio; the GC share of the net server's CPU time in each phase (and of the other
// servers'); every reason a figure is missing; what the figures are.
using System.Text;

namespace Biscuit.Bench;

public static class NetReport
{
    private static readonly Dictionary<string, string> What = new()
    {
        ["sink_mib_per_s"] = "host → guest throughput (sink)",
        ["source_mib_per_s"] = "guest → host throughput (source)",
        ["echo_p50_ms"] = "echo round trip, median",
        ["echo_p99_ms"] = "echo round trip, p99",
        ["connections_per_s"] = "connections per second (accept, answer, close)",
        ["qemu_spawn_to_answer_s"] = "QEMU spawn → the program's first answer",
    };

    public static void Markdown(StringBuilder w, Dictionary<string, object> net)
    {
        var summary = (Dictionary<string, object>)net["summary"];
        var measures = (List<NetMeasure>)summary["measures"];
        var boots = (List<NetBoot>)net["boots"];
        int mib = (int)net["transfer_bytes"] >> 20;
        w.AppendLine($"## TCP through the port forward, Biscuit beside Linux (`net`: QEMU TCG, -m {net["memory"]}, {net["nic"]}, Linux {net["kernel"]}, " +
                     $"{net["repetitions"]} round{((int)net["repetitions"] == 1 ? "" : "s")}, boots interleaved{((bool)net["quick"] ? ", --quick: a smoke run, not a measurement" : "")})");
        w.AppendLine();
        w.AppendLine($"`{net["program"]}`, sha256 `{((string)net["program_sha256"])[..16]}…`, byte-identical in both guests, listening on guest port 80; " +
                     $"the host drives it through QEMU's user network and port forward: {mib} MiB each way (byte count and checksum verified on both sides; " +
                     $"{summary["transfers_verified"]} transfers verified), {net["echo_round_trips"]} echo round trips of {net["echo_message_bytes"]} bytes on one connection, " +
                     $"{net["connection_clients"]} clients opening connections for {net["connection_seconds"]} s. Boots: Biscuit {boots.Count(b => b.Guest == "biscuit")}, " +
                     $"Linux {boots.Count(b => b.Guest == "linux")}. Host load average before / after: {net["host_loadavg_before"]} / {net["host_loadavg_after"]}. " +
                     "Median over boots [min–max]; the ratio is Biscuit/Linux of the medians [min–max of the ratios within each round].");
        w.AppendLine();
        w.AppendLine("| measure | Biscuit | Linux | Biscuit / Linux |");
        w.AppendLine("|---|---|---|---|");
        foreach (var m in measures)
        {
            string ratio = m.RatioBiscuitOverLinux is { } r
                ? $"**{r:F2}**" + (m.RatioPerRound is { Count: > 1 } rr ? $" [{rr.Min:F2}–{rr.Max:F2}]" : "") : "—";
            w.AppendLine($"| {What.GetValueOrDefault(m.Name, m.Name)} ({(m.HigherIsBetter ? "higher" : "lower")} is better) | {Cell(m.Biscuit, m.Unit, m.BiscuitFailures)} | " +
                         $"{Cell(m.Linux, m.Unit, m.LinuxFailures)} | {ratio} |");
        }
        w.AppendLine();
        Gc(w, (List<NetGcSummary>)summary["gc"], (string)net["gc_servers_note"]);
        Failures(w, measures, boots);
        w.AppendLine("What the figures are: both guests on the same emulated machine (QEMU TCG, -smp 1) on a shared 2-core host, so read the");
        w.AppendLine("ratios, not the absolute figures. Every figure is timed on the host and includes QEMU's slirp and the port forward (the");
        w.AppendLine("same for both guests). On Biscuit each byte crosses the program → posix → net (TCP/IP) by IPC and net → nic (the");
        w.AppendLine("e1000e driver server) through granted packet slots; on Linux the program's system calls reach the kernel's stack directly.");
        w.AppendLine();
    }

    private static void Gc(StringBuilder w, List<NetGcSummary> gc, string note)
    {
        if (gc.Count == 0) { w.AppendLine("GC during the phases: no Biscuit boot gave two readings of `/proc/biscuit/gc` around a phase."); w.AppendLine(); return; }
        w.AppendLine($"GC of Biscuit's servers in each phase (readings of `/proc/biscuit/gc` and `/proc/biscuit/cpu` by the program before and after it; {note}). " +
                     "GC share of CPU = pause time / the CPU time the server's process ran in the phase (census cycles at the guest TSC rate " +
                     "the window measured); median over boots [min–max]:");
        w.AppendLine();
        w.AppendLine("| phase | server | collections | pause total | server's share of the guest CPU | GC share of the server's CPU time |");
        w.AppendLine("|---|---|---|---|---|---|");
        foreach (var g in gc)
        {
            bool network = g.Server is "net" or "nic";
            string server = network ? $"**{g.Server}**" : g.Server;
            string share = g.GcShareOfCpu is { } s ? $"{(network ? "**" : "")}{s.Median:P2}{(network ? "**" : "")} [{s.Min:P2}–{s.Max:P2}]" : "—";
            string cpu = g.CpuShareOfGuest is { } c ? $"{c.Median:P1}" : "—";
            w.AppendLine($"| {g.Phase} | {server} | {g.Collections.Median:F0} [{g.Collections.Min:F0}–{g.Collections.Max:F0}] | " +
                         $"{g.PauseMs.Median:F1} ms [{g.PauseMs.Min:F1}–{g.PauseMs.Max:F1}] | {cpu} | {share} |");
        }
        w.AppendLine();
    }

    private static string Cell(Summary? s, string unit, List<string> failures)
    {
        if (s == null) return failures.Count > 0 ? $"fails: {Short(failures[0])}" : "—";
        string F(double v) => v >= 100 ? $"{v:F0}" : v >= 10 ? $"{v:F1}" : $"{v:F2}";
        string cell = $"{F(s.Median)} {unit} [{F(s.Min)}–{F(s.Max)}]";
        if (failures.Count > 0) cell += $" (and {failures.Count} failing boot{(failures.Count > 1 ? "s" : "")})";
        return cell;
    }

    private static void Failures(StringBuilder w, List<NetMeasure> measures, List<NetBoot> boots)
    {
        var lines = new List<string>();
        foreach (var b in boots)
        {
            string who = $"{(b.Guest == "biscuit" ? "Biscuit" : "Linux")} (round {b.Round})";
            if (b.Error != null) lines.Add($"* {who}: {b.Error.Split('\n')[0]}");
            foreach (var (phase, why) in b.PhaseErrors) lines.Add($"* {who}, {phase}: {Short(why)}");
            foreach (var line in b.ProgramLines) lines.Add($"* {who}, the program said: `{line}`");
            if (b.Error == null && b.Ended == null) lines.Add($"* {who}: the guest did not report the program's end after `quit`");
            foreach (var window in b.Gc.Where(g => g.Error != null)) lines.Add($"* {who}, GC in {window.Phase}: {window.Error}");
        }
        if (lines.Count == 0) { w.AppendLine("Every phase ran on both guests in every boot; the program ended when asked."); w.AppendLine(); return; }
        w.AppendLine("What failed or was noted, as the host, the program and the guest said it:");
        w.AppendLine();
        foreach (var l in lines.Distinct()) w.AppendLine(l);
        w.AppendLine();
    }

    private static string Short(string s) => s.Length <= 160 ? s : s[..157] + "...";
}
