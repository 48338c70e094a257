// Benchmark "net": Biscuit's TCP/IP stack and NIC driver (the net server) beside the Linux guest's,
// measured from the host through the same QEMU port forward (127.0.0.1:PORT -> guest port 80, user
// network, e1000e) against the same static program, bench/linux/netbench.c (musl-gcc -static, built
// once by bench/linux/build.sh): on Biscuit it is posix's first program, as
// `./biscuit run --add FILE:/bin/netbench --exec /bin/netbench` runs it; on Linux init.sh runs it
// (run=netbench net=up). The Linux guest's QEMU line is Biscuit's with only -kernel/-initrd/-append
// changed (it keeps the root disk too, unused). Boots alternate Biscuit, Linux (`--repeat N` rounds).
// Per boot, in order: sink (host -> guest), source (guest -> host), echo round trips, connections per
// second with several clients; before and after each phase a "stats" answer, from which Biscuit's
// GC share of each server's CPU time in that phase is computed (NetGcWindow). Then "quit".
// Invariants: both guests run byte-identical programs (sha256 checked before any boot); a transfer
// counts only when its byte count and checksum match on both sides; a phase that fails is recorded
// with its reason and the boot goes on with the next phase; a boot that fails is recorded and the run
// goes on.
using System.Diagnostics;
using System.Security.Cryptography;

namespace Biscuit.Bench;

public sealed record NetOptions(int Repetitions, bool IsQuick, int TransferBytes, int EchoRoundTrips, int EchoWarmup, int EchoBytes,
    int Clients, double ConnectionSeconds)
{
    public static NetOptions Full(int repetitions) => new(repetitions, false, 64 << 20, 2000, 20, 64, 4, 10);
    // In `./biscuit bench` with no names (every benchmark within 30 min): 16 MiB each way.
    public static NetOptions Suite(int repetitions) => Full(repetitions) with { TransferBytes = 16 << 20 };
    public static NetOptions Quick(int repetitions) => new(repetitions, true, 4 << 20, 200, 5, 64, 4, 3);
}

public sealed record NetBoot(string Guest, int Round, int Port)
{
    public double? QemuSpawnToAnswerS { get; set; }          // QEMU spawn -> first "conn" answered
    public NetTransfer? Sink { get; set; }
    public NetTransfer? Source { get; set; }
    public NetEcho? Echo { get; set; }
    public NetConnections? Connections { get; set; }
    public Dictionary<string, string> PhaseErrors { get; } = new();   // phase -> why it has no figure
    public List<NetStats> Stats { get; } = new();                     // the readings between phases, files whole
    public List<NetPhaseWindow> Gc { get; } = new();                  // Biscuit: per phase, every server's GC in it
    public string? Ended { get; set; }                                // the guest's own line about the program's end
    public List<string> ProgramLines { get; set; } = new();           // netbench's errors and notes from the serial console
    public string? Error { get; set; }
}

public static class NetBenchmark
{
    public const string Memory = "1G";                       // `./biscuit run`'s default
    public const string GuestPath = "/bin/netbench";
    public static readonly string[] Phases = ["sink", "source", "echo", "connections"];
    private const string Listening = "netbench listening on port 80";
    private const string BiscuitEnded = "posix: pid 1 (netbench) ended", LinuxEnded = "linux-init: netbench exited";
    private static TimeSpan BootTimeout(string guest) => TimeSpan.FromMinutes(guest == "biscuit" ? 3 : 4);

    public static Dictionary<string, object> Run(string root, NetOptions options, Action<string> progress)
    {
        var linux = LinuxGuest.Build(root);
        string program = Path.Combine(root, "build", "linux", "rootfs", "bin", "netbench");
        if (!File.Exists(program)) throw new InvalidOperationException($"{program} is missing: bench/linux/build.sh did not build netbench");
        var biscuit = BiscuitGuest.Prepare(root);
        progress("building Biscuit's root disk with /bin/netbench");
        string folder = Path.Combine(root, "build", "bench-net");
        string disk = BiscuitGuest.RootDiskWith(root, folder, $"{program}:{GuestPath}");
        string sha = Sha256(program), onDisk = Sha256(Path.Combine(folder, "rootfs", GuestPath.TrimStart('/')));
        if (sha != onDisk) throw new InvalidOperationException($"Biscuit's root disk holds a netbench with sha256 {onDisk}, the Linux guest's has {sha}");

        string loadBefore = LinuxHostLoad.Now();
        var boots = new List<NetBoot>();
        List<string>? biscuitArgs = null, linuxArgs = null;
        for (int round = 1; round <= options.Repetitions; round++)
            foreach (string guest in new[] { "biscuit", "linux" })
            {
                int port = HttpTools.FreeLoopbackPort();
                var boot = new NetBoot(guest, round, port);
                boots.Add(boot);
                void Say(string s) => progress($"round {round}/{options.Repetitions}, {guest}: {s}");
                try
                {
                    var args = biscuit.QemuArgumentsRunning(Memory, port, GuestPath, disk);
                    if (guest == "linux") args = linux.QemuArgumentsLike(args, LinuxGuest.BaseAppend + " run=netbench net=up", keepRootDisk: true);
                    if (guest == "linux") linuxArgs ??= args; else biscuitArgs ??= args;
                    Measure(boot, args, options, Say);
                }
                catch (InvalidOperationException e)
                {
                    boot.Error = e.Message;
                    Console.Error.WriteLine($"\nbench: net: {guest} round {round} failed: {e.Message.Split('\n')[0]}");
                }
                finally
                {
                    File.Delete(biscuit.RootDiskCopy(port));
                    if (Directory.Exists(biscuit.RunManifestFolder(port))) Directory.Delete(biscuit.RunManifestFolder(port), recursive: true);
                }
            }
        return new Dictionary<string, object>
        {
            ["repetitions"] = options.Repetitions,
            ["quick"] = options.IsQuick,
            ["memory"] = Memory,
            ["nic"] = NginxBenchmark.Nic,
            ["kernel"] = linux.KernelVersion,
            ["program"] = $"{GuestPath} (bench/linux/netbench.c, musl-gcc -static)",
            ["program_sha256"] = sha,
            ["transfer_bytes"] = options.TransferBytes,
            ["echo_round_trips"] = options.EchoRoundTrips,
            ["echo_message_bytes"] = options.EchoBytes,
            ["connection_clients"] = options.Clients,
            ["connection_seconds"] = options.ConnectionSeconds,
            ["gc_servers_note"] = "the TCP/IP stack (net) and the e1000e driver (nic) are separate servers, each with its own rows; blk and fs take no part in the transfers",
            ["host_cores"] = Environment.ProcessorCount,
            ["host_loadavg_before"] = loadBefore,
            ["host_loadavg_after"] = LinuxHostLoad.Now(),
            ["qemu_biscuit"] = biscuitArgs ?? new List<string>(),
            ["qemu_linux"] = linuxArgs ?? new List<string>(),
            ["boots"] = boots,
            ["summary"] = NetSummary.Of(boots),
        };
    }

    private static void Measure(NetBoot boot, List<string> args, NetOptions options, Action<string> say)
    {
        say($"booting (127.0.0.1:{boot.Port})");
        using var qemu = GuestQemu.Start(args);
        var clock = Stopwatch.StartNew();
        try
        {
            WaitUntilAnswering(boot, qemu, BootTimeout(boot.Guest));
            var client = new NetClient(boot.Port, TimeSpan.FromSeconds(Math.Max(120, options.TransferBytes / 100_000.0)));
            RunPhases(boot, client, options, clock, say,
                phase => { if (qemu.HasExited) throw new InvalidOperationException($"QEMU exited ({qemu.ExitCode}) during {phase}\n{qemu.Tail(30, Noise)}"); });
            string end = boot.Guest == "biscuit" ? BiscuitEnded : LinuxEnded;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (DateTime.UtcNow < deadline && qemu.SeenAt(end) == null && !qemu.HasExited) Thread.Sleep(200);
            boot.Ended = qemu.Lines.Select(l => l.Text.TrimEnd('\r')).FirstOrDefault(l => l.StartsWith(end, StringComparison.Ordinal));
        }
        finally
        {
            boot.ProgramLines = qemu.Lines.Select(l => l.Text.TrimEnd('\r'))
                .Where(l => l.StartsWith("netbench error", StringComparison.Ordinal) || l.StartsWith("netbench note", StringComparison.Ordinal))
                .Distinct().Take(20).ToList();
        }
    }

    // The phases against a running netbench, each between two "stats" readings, then "quit".
    // `check` runs after each phase (it throws if the guest died).
    public static void RunPhases(NetBoot boot, NetClient client, NetOptions options, Stopwatch clock, Action<string> say, Action<string> check)
    {
        NetStats? last = Reading(boot, client, clock, "before sink");
        ulong seed = (ulong)boot.Round * 1000 + (boot.Guest == "biscuit" ? 1UL : 2UL);
        foreach (string phase in Phases)
        {
            say($"{phase} ({Describe(phase, options)})");
            try
            {
                switch (phase)
                {
                    case "sink": boot.Sink = client.Sink(options.TransferBytes, seed); break;
                    case "source": boot.Source = client.Source(options.TransferBytes, seed + 100); break;
                    case "echo": boot.Echo = client.Echo(options.EchoRoundTrips, options.EchoBytes, options.EchoWarmup); break;
                    default: boot.Connections = client.Connections(options.Clients, options.ConnectionSeconds); break;
                }
                if (boot.Connections is { Completed: 0 } c && phase == "connections")
                    boot.PhaseErrors[phase] = $"no connection was answered ({c.Failed} failed; first: {c.FirstFailure})";
            }
            catch (Exception e) when (e is InvalidOperationException or System.Net.Sockets.SocketException or IOException)
            {
                boot.PhaseErrors[phase] = $"{e.GetType().Name}: {e.Message}";
            }
            var now = Reading(boot, client, clock, $"after {phase}");
            if (boot.Guest == "biscuit") boot.Gc.Add(NetGcWindow.Of(phase, last, now));
            last = now;
            check(phase);
        }
        try { client.Quit(); }
        catch (Exception e) when (e is InvalidOperationException or System.Net.Sockets.SocketException or IOException)
        {
            boot.PhaseErrors["quit"] = $"{e.GetType().Name}: {e.Message}";
        }
    }

    // `bench/run --net-drive PORT`: the quick phases against a netbench already listening on
    // 127.0.0.1:PORT (e.g. built for the host and run with --port PORT: no QEMU), printed as JSON;
    // exit 0 if every phase has its figure, 1 if one failed, 2 for a bad PORT. For checking that the
    // host and the program agree on the protocol, the stream and the checksum.
    public static int Drive(string? portText)
    {
        if (!int.TryParse(portText, out int port) || port is < 1 or > 65535)
        {
            Console.Error.WriteLine($"bench: --net-drive needs a port 1-65535, not '{portText}'");
            return 2;
        }
        var boot = new NetBoot("host", 1, port);
        var options = NetOptions.Quick(1) with { EchoRoundTrips = 50, ConnectionSeconds = 1 };
        RunPhases(boot, new NetClient(port, TimeSpan.FromSeconds(30)), options, Stopwatch.StartNew(), s => Console.Error.WriteLine($"bench: net: {s}"), _ => { });
        Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(boot,
            new System.Text.Json.JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower }));
        bool all = boot.Sink != null && boot.Source != null && boot.Echo != null && boot.Connections is { Completed: > 0 } && boot.PhaseErrors.Count == 0;
        return all ? 0 : 1;
    }

    // Waits for the program's "listening" line, then for a "conn" the guest answers (the forward
    // accepts connections before the guest can take them).
    private static void WaitUntilAnswering(NetBoot boot, GuestQemu qemu, TimeSpan timeout)
    {
        var probe = new NetClient(boot.Port, TimeSpan.FromSeconds(3));
        while (true)
        {
            if (qemu.HasExited) throw new InvalidOperationException($"QEMU exited ({qemu.ExitCode}) before netbench answered\n{qemu.Tail(30, Noise)}");
            if (qemu.Seconds > timeout.TotalSeconds)
                throw new InvalidOperationException($"netbench did not answer within {timeout.TotalMinutes:F0} minutes of QEMU's start\n{qemu.Tail(30, Noise)}");
            if (qemu.SeenAt("netbench error: ") is not null && qemu.SeenAt(Listening) is null)
                throw new InvalidOperationException($"netbench could not listen\n{qemu.Tail(30, Noise)}");
            if (qemu.SeenAt(Listening) != null && probe.Answers()) { boot.QemuSpawnToAnswerS = qemu.Seconds; return; }
            Thread.Sleep(qemu.SeenAt(Listening) == null ? 500 : 200);
        }
    }

    // One "stats" reading, kept; a failed one is a phase error named `when` and null.
    private static NetStats? Reading(NetBoot boot, NetClient client, Stopwatch clock, string when)
    {
        try
        {
            var s = client.Stats(clock);
            boot.Stats.Add(s);
            return s;
        }
        catch (Exception e) when (e is InvalidOperationException or System.Net.Sockets.SocketException or IOException)
        {
            boot.PhaseErrors[$"stats {when}"] = $"{e.GetType().Name}: {e.Message}";
            return null;
        }
    }

    private static string Describe(string phase, NetOptions o) => phase switch
    {
        "sink" or "source" => $"{o.TransferBytes >> 20} MiB",
        "echo" => $"{o.EchoRoundTrips} round trips of {o.EchoBytes} bytes",
        _ => $"{o.Clients} clients, {o.ConnectionSeconds} s",
    };

    private static bool Noise(string line) => line.StartsWith("net: frames in ", StringComparison.Ordinal);

    private static string Sha256(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
}
