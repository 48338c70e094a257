// What Biscuit's servers spent in GC during one phase of the `net` benchmark, from the two "stats"
// answers of netbench around it (/proc/biscuit/gc through GcTable, /proc/biscuit/cpu through lib's
// CpuCensus, and the guest's TSC): per server, collections and total pause in the window, the CPU
// time its processes ran (census cycles at the TSC rate of the window: guest TSC ticks over host
// seconds between the two answers), and the GC share of that CPU time (pause / CPU time). The share
// can exceed 100 % if a pause includes time the server was not running (a pause is wall-clock time
// inside the runtime; under TCG the emulated CPU may be descheduled). Each window includes the
// stats answer that closes it (posix asks every server for Stats to build /proc/biscuit/gc).
namespace Biscuit.Bench;

public sealed record NetServerWindow(string Server, long Collections, double PauseMs, double? CpuMs, double? GcShareOfCpu,
    double GcShareOfWall, double? CpuShareOfGuest);

public sealed record NetPhaseWindow(string Phase, double WallS, double? TscGhz, List<NetServerWindow> Servers, string? Error);

public static class NetGcWindow
{
    public static NetPhaseWindow Of(string phase, NetStats? before, NetStats? after)
    {
        if (before == null || after == null) return new(phase, 0, null, new(), "no stats answer before or after the phase");
        double wall = after.HostS - before.HostS;
        if (before.GcTable == null || after.GcTable == null)
            return new(phase, wall, null, new(), $"no {NetClient.GcFile}: " + (after.Missing.GetValueOrDefault(NetClient.GcFile) ?? before.Missing.GetValueOrDefault(NetClient.GcFile) ?? "?"));
        double? ghz = wall > 0 && after.Tsc > before.Tsc ? (after.Tsc - before.Tsc) / wall / 1e9 : null;
        List<ServerGcFigures> was, now;
        try
        {
            was = GcTable.Parse(before.GcTable).Servers;
            now = GcTable.Parse(after.GcTable).Servers;
        }
        catch (FormatException e)
        {
            return new(phase, wall, ghz, new(), $"{NetClient.GcFile} unreadable: {e.Message}");
        }
        var cpuBefore = before.CpuTable != null ? Biscuit.Lib.Kernel.CpuCensus.Parse(before.CpuTable) : null;
        var cpuAfter = after.CpuTable != null ? Biscuit.Lib.Kernel.CpuCensus.Parse(after.CpuTable) : null;
        var servers = new List<NetServerWindow>();
        foreach (var n in now)
        {
            var w = was.FirstOrDefault(x => x.Server == n.Server);
            if (w == null || n.UptimeS < w.UptimeS) continue;   // restarted in the window: its counters began again
            double pauseMs = (n.PauseTotalNs ?? n.PauseTotalMs * 1e6) / 1e6 - (w.PauseTotalNs ?? w.PauseTotalMs * 1e6) / 1e6;
            long collections = n.Gen0 + n.Gen1 + n.Gen2 - (w.Gen0 + w.Gen1 + w.Gen2);
            ulong? cycles = Cycles(cpuBefore, cpuAfter, n.Server);
            double? cpuMs = cycles is { } c && ghz is > 0 ? c / (ghz.Value * 1e6) : null;
            servers.Add(new NetServerWindow(n.Server, collections, pauseMs, cpuMs,
                cpuMs is > 0 ? pauseMs / cpuMs.Value : null,
                wall > 0 ? pauseMs / (wall * 1000) : 0,
                cycles is { } cc && after.Tsc > before.Tsc ? (double)cc / (after.Tsc - before.Tsc) : null));
        }
        return new(phase, wall, ghz, servers, null);
    }

    // The cycles the processes of `server` ran in the window (the census names a process by its
    // binary, e.g. net-server, or by its manifest name); null if either reading lacks it.
    private static ulong? Cycles(List<Biscuit.Lib.Kernel.CpuCensusEntry>? before, List<Biscuit.Lib.Kernel.CpuCensusEntry>? after, string server)
    {
        if (before == null || after == null) return null;
        bool Mine(Biscuit.Lib.Kernel.CpuCensusEntry e) => e.Id != 0 && (e.Name == server || e.Name == server + "-server");
        var then = before.Where(Mine).ToDictionary(e => e.Id, e => e.RunCycles);
        var entries = after.Where(Mine).ToList();
        if (entries.Count == 0) return null;
        ulong sum = 0;
        foreach (var e in entries) sum += e.RunCycles - Math.Min(e.RunCycles, then.GetValueOrDefault(e.Id));
        return sum;
    }
}
