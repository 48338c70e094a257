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
            long collections = n.Gen0 - w.Gen0;   // the runtime's gen0 count includes every gen1 and gen2 collection
            ulong? cycles = Cycles(cpuBefore, cpuAfter, n.Server);
            double? cpuMs = cycles is { } c && ghz is > 0 ? c / (ghz.Value * 1e6) : null;
            servers.Add(new NetServerWindow(n.Server, collections, pauseMs, cpuMs,
                cpuMs is > 0 ? pauseMs / cpuMs.Value : null,
                wall > 0 ? pauseMs / (wall * 1000) : 0,
                cycles is { } cc && after.Tsc > before.Tsc ? (double)cc / (after.Tsc - before.Tsc) : null));
        }
        return new(phase, wall, ghz, servers, null);
    }

    // `bench/run --parse-net-stats BEFORE [AFTER SECONDS]`: what the benchmark reads from a saved
    // "stats" answer of netbench (its TSC, which files it holds, why others are missing) and, given
    // a second answer taken SECONDS later, the GC window between them, as JSON. Exit 2 with the
    // reason for an unreadable file, a malformed answer or a bad SECONDS.
    public static int Cli(string[] args)
    {
        if (args.Length is not (1 or 3))
        {
            Console.Error.WriteLine("bench: --parse-net-stats needs BEFORE, or BEFORE AFTER SECONDS");
            return 2;
        }
        double seconds = 0;
        if (args.Length == 3 && (!double.TryParse(args[2], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out seconds) || seconds <= 0))
        {
            Console.Error.WriteLine($"bench: --parse-net-stats: SECONDS must be a positive number, not '{args[2]}'");
            return 2;
        }
        try
        {
            var before = NetClient.ParseStats(File.ReadAllBytes(args[0]), 0);
            var after = args.Length == 3 ? NetClient.ParseStats(File.ReadAllBytes(args[1]), seconds) : null;
            object Brief(NetStats s) => new { s.Tsc, gc_table_chars = s.GcTable?.Length, cpu_table_chars = s.CpuTable?.Length, s.Missing };
            var json = new Dictionary<string, object?> { ["before"] = Brief(before) };
            if (after != null) { json["after"] = Brief(after); json["window"] = Of("window", before, after); }
            Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(json,
                new System.Text.Json.JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower }));
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            Console.Error.WriteLine($"bench: --parse-net-stats: {e.Message}");
            return 2;
        }
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
