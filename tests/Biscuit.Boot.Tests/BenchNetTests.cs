// `./biscuit bench net` (issues 6 and 11): a short run (--quick, one round) boots Biscuit with
// bench/linux/netbench.c as posix's first program, then the Linux guest with the same file, drives
// both from the host through the port forward (sink, source, echo, connections, stats between the
// phases) and writes results.json and report.md. The tests check what the run produced — every
// figure present for both guests with its ratio, every transfer's byte count and checksum agreed by
// both sides, the net server's GC share per phase — never how fast anything was. Needs Debian's
// linux-image-amd64, busybox-static, nginx, musl-tools (the Linux guest and the program).
// Also, without QEMU: the program built for the host answers the protocol's bad input with an error
// and goes on, and `bench/run --net-drive PORT` agrees with it on every phase (stream, checksum).
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Biscuit.Boot.Tests;

public sealed class QuickNetBench
{
    public readonly string Output, Folder, Report;
    public readonly JsonElement Net;

    public QuickNetBench()
    {
        _ = Repository.KernelImage;   // everything built
        string results = Path.Combine(Repository.Root, "bench", "results");
        var before = Directory.Exists(results) ? Directory.GetDirectories(results).ToHashSet() : new HashSet<string>();
        var (code, output) = Repository.Run(Path.Combine(Repository.Root, "bench", "run"), "net --repeat 1 --quick", TimeSpan.FromMinutes(20));
        Output = output;
        if (code != 0) throw new InvalidOperationException($"bench net --quick failed (exit {code}):\n{output}");
        Folder = Directory.GetDirectories(results).Single(d => !before.Contains(d));
        Net = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "results.json"))).RootElement.GetProperty("net").Clone();
        Report = File.ReadAllText(Path.Combine(Folder, "report.md"));
    }
}

[Collection("bench program")]
public class BenchNetTests : IClassFixture<QuickNetBench>
{
    private static readonly string[] Measures =
        ["sink_mib_per_s", "source_mib_per_s", "echo_p50_ms", "echo_p99_ms", "connections_per_s", "qemu_spawn_to_answer_s"];
    private static readonly string[] Phases = ["sink", "source", "echo", "connections"];
    private readonly QuickNetBench _bench;
    public BenchNetTests(QuickNetBench bench) => _bench = bench;

    private List<JsonElement> Boots() => _bench.Net.GetProperty("boots").EnumerateArray().ToList();
    private JsonElement Boot(string guest) => Boots().Single(b => b.GetProperty("guest").GetString() == guest);

    [Fact]
    public void One_round_boots_Biscuit_then_Linux_and_each_ran_the_program_until_the_host_said_quit()
    {
        Assert.Equal(["biscuit", "linux"], Boots().Select(b => b.GetProperty("guest").GetString()));
        foreach (var boot in Boots())
        {
            Assert.True(boot.GetProperty("error").ValueKind == JsonValueKind.Null, boot.GetProperty("error").ToString());
            Assert.Empty(boot.GetProperty("phase_errors").EnumerateObject());
            Assert.True(boot.GetProperty("qemu_spawn_to_answer_s").GetDouble() > 0);
        }
        Assert.StartsWith("posix: pid 1 (netbench) ended", Boot("biscuit").GetProperty("ended").GetString());
        Assert.StartsWith("linux-init: netbench exited rc=0", Boot("linux").GetProperty("ended").GetString());
    }

    [Fact]
    public void Every_measure_has_a_figure_on_both_guests_and_a_Biscuit_over_Linux_ratio()
    {
        var measures = _bench.Net.GetProperty("summary").GetProperty("measures").EnumerateArray().ToList();
        Assert.Equal(Measures, measures.Select(m => m.GetProperty("name").GetString()));
        foreach (var m in measures)
        {
            foreach (string guest in new[] { "biscuit", "linux" })
                Assert.True(m.GetProperty(guest).ValueKind == JsonValueKind.Object && m.GetProperty(guest).GetProperty("median").GetDouble() > 0,
                    $"{m.GetProperty("name")} on {guest}: {m.GetProperty(guest + "_failures")}");
            Assert.True(m.GetProperty("ratio_biscuit_over_linux").GetDouble() > 0);
        }
        var ratios = _bench.Net.GetProperty("summary").GetProperty("ratios_biscuit_over_linux");
        Assert.Equal(Measures, ratios.EnumerateObject().Select(r => r.Name));
        foreach (var m in measures) Assert.Equal(m.GetProperty("ratio_biscuit_over_linux").GetDouble(), ratios.GetProperty(m.GetProperty("name").GetString()!).GetDouble());
    }

    [Fact]
    public void Every_transfer_moved_exactly_the_bytes_asked_and_both_sides_computed_the_same_checksum()
    {
        int bytes = _bench.Net.GetProperty("transfer_bytes").GetInt32();
        Assert.Equal(4 << 20, bytes);
        foreach (var boot in Boots())
            foreach (string direction in new[] { "sink", "source" })
            {
                var t = boot.GetProperty(direction);
                Assert.Equal(bytes, t.GetProperty("bytes").GetInt64());
                Assert.True(t.GetProperty("bytes_verified").GetBoolean());
                Assert.Matches("^[0-9a-f]{16} [0-9a-f]{16}$", t.GetProperty("host_checksum").GetString());
                Assert.Equal(t.GetProperty("host_checksum").GetString(), t.GetProperty("guest_checksum").GetString());
            }
        Assert.Equal(4, _bench.Net.GetProperty("summary").GetProperty("transfers_verified").GetInt32());
        Assert.True(_bench.Net.GetProperty("summary").GetProperty("all_transfers_verified").GetBoolean());
        foreach (var boot in Boots())
        {
            Assert.Equal(200, boot.GetProperty("echo").GetProperty("round_trips").GetInt32());
            Assert.True(boot.GetProperty("connections").GetProperty("completed").GetInt64() > 0);
            Assert.Equal(0, boot.GetProperty("connections").GetProperty("failed").GetInt64());
        }
    }

    [Fact]
    public void Biscuit_gives_the_net_server_s_and_the_NIC_driver_s_GC_share_of_their_CPU_time_in_every_phase_and_Linux_has_no_such_file()
    {
        var windows = Boot("biscuit").GetProperty("gc").EnumerateArray().ToList();
        Assert.Equal(Phases, windows.Select(w => w.GetProperty("phase").GetString()));
        foreach (var w in windows)
        {
            Assert.True(w.GetProperty("error").ValueKind == JsonValueKind.Null, w.GetProperty("error").ToString());
            Assert.True(w.GetProperty("tsc_ghz").GetDouble() > 0);
            foreach (string server in new[] { "net", "nic" })
            {
                var figures = w.GetProperty("servers").EnumerateArray().Single(s => s.GetProperty("server").GetString() == server);
                Assert.True(figures.GetProperty("collections").GetInt64() >= 0);
                Assert.True(figures.GetProperty("pause_ms").GetDouble() >= 0);
                Assert.True(figures.GetProperty("cpu_ms").GetDouble() > 0, $"the census gave {server} no CPU time in " + w.GetProperty("phase"));
                Assert.True(figures.GetProperty("gc_share_of_cpu").GetDouble() >= 0);
            }
        }
        foreach (string server in new[] { "net", "nic" })
        {
            var summary = _bench.Net.GetProperty("summary").GetProperty("gc").EnumerateArray()
                .Where(g => g.GetProperty("server").GetString() == server).Select(g => g.GetProperty("phase").GetString());
            Assert.Equal(Phases, summary);
        }
        Assert.Empty(Boot("linux").GetProperty("gc").EnumerateArray());
        foreach (var stats in Boot("linux").GetProperty("stats").EnumerateArray())
            Assert.Equal("ENOENT", stats.GetProperty("missing").GetProperty("/proc/biscuit/gc").GetString());
        Assert.Equal(5, Boot("linux").GetProperty("stats").GetArrayLength());
    }

    [Fact]
    public void Both_guests_run_the_same_program_file_with_the_same_QEMU_line_but_kernel_initrd_and_append()
    {
        Assert.Matches("^[0-9a-f]{64}$", _bench.Net.GetProperty("program_sha256").GetString());
        var biscuit = _bench.Net.GetProperty("qemu_biscuit").EnumerateArray().Select(a => a.GetString()!).ToList();
        var linux = _bench.Net.GetProperty("qemu_linux").EnumerateArray().Select(a => a.GetString()!).ToList();
        static List<string> Common(List<string> args)
        {
            var kept = new List<string>();
            for (int i = 0; i < args.Count; i++)
            {
                if (args[i] is "-kernel" or "-initrd" or "-append") { i++; continue; }
                kept.Add(args[i].Contains("hostfwd=") ? "NETDEV" : args[i].StartsWith("file=") ? "DISK" : args[i]);
            }
            return kept;
        }
        Assert.Equal(Common(biscuit), Common(linux));
        Assert.Contains(linux, a => a.StartsWith("e1000e"));
        Assert.Contains(linux, a => a.Contains("-:80"));
        string append = linux[linux.IndexOf("-append") + 1];
        Assert.Contains("run=netbench", append);
        Assert.Contains("net=up", append);
        Assert.Contains(biscuit[biscuit.IndexOf("-initrd") + 1].Split(','), m => m.Contains("/build/run/manifest-") && m.EndsWith("/manifest"));
    }

    [Fact]
    public void The_report_has_a_row_per_measure_and_the_net_server_s_and_the_driver_s_GC_per_phase()
    {
        Assert.Contains("## TCP through the port forward, Biscuit beside Linux", _bench.Report);
        foreach (string row in new[] { "host → guest throughput (sink)", "guest → host throughput (source)", "echo round trip, median",
                                       "echo round trip, p99", "connections per second", "QEMU spawn → the program's first answer" })
            Assert.Contains($"| {row}", _bench.Report);
        foreach (string phase in Phases)
        {
            Assert.Contains($"| {phase} | **net** |", _bench.Report);
            Assert.Contains($"| {phase} | **nic** |", _bench.Report);
        }
        Assert.Contains("the e1000e driver (nic) are separate servers", _bench.Report);
        Assert.Contains("What the figures are", _bench.Report);
    }
}

// The program on the host (no QEMU): musl-gcc -static, as build.sh builds it, run with --port.
public sealed class HostNetbench : IDisposable
{
    public readonly string Program;
    private readonly string _folder = Directory.CreateTempSubdirectory("netbench-test-").FullName;

    public HostNetbench()
    {
        Program = Path.Combine(_folder, "netbench");
        var (code, output) = Repository.Run("musl-gcc", $"-static -O2 -Wall -Wextra -Werror -o {Program} {Path.Combine(Repository.Root, "bench", "linux", "netbench.c")}",
            TimeSpan.FromMinutes(2));
        if (code != 0) throw new InvalidOperationException($"musl-gcc (Debian: musl-tools) could not build netbench.c:\n{output}");
    }

    // A running program on a free port, and its serial-console output so far.
    public sealed class Running : IDisposable
    {
        public readonly int Port;
        public readonly Process Process;
        private readonly StringBuilder _output = new();
        public string Output { get { lock (_output) return _output.ToString(); } }

        public Running(string program)
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            Port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            var psi = new ProcessStartInfo(program, $"--port {Port}") { RedirectStandardOutput = true };
            Process = System.Diagnostics.Process.Start(psi)!;
            Process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (_output) _output.AppendLine(e.Data); };
            Process.BeginOutputReadLine();
            for (int i = 0; i < 100 && !Output.Contains("netbench listening"); i++) Thread.Sleep(50);
            if (!Output.Contains($"netbench listening on port {Port}")) throw new InvalidOperationException("netbench did not listen:\n" + Output);
        }

        // Sends `bytes`, then reads to the program's close (or the host's shutdown after `closeAfterSend`).
        public string Talk(byte[] bytes, bool closeAfterSend = false)
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
            s.Connect(IPAddress.Loopback, Port);
            s.Send(bytes);
            if (closeAfterSend) { s.Shutdown(SocketShutdown.Both); return ""; }
            var all = new MemoryStream();
            var buffer = new byte[4096];
            try
            {
                for (int n; (n = s.Receive(buffer)) > 0;) all.Write(buffer, 0, n);
            }
            // The program closes a connection whose command line was too long with the rest unread:
            // the host's kernel may then see a reset after the answer.
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset && all.Length > 0) { }
            return Encoding.ASCII.GetString(all.ToArray());
        }

        public void Dispose()
        {
            if (!Process.HasExited) { Process.Kill(); Process.WaitForExit(); }
            Process.Dispose();
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

[Collection("bench program")]
public class NetbenchProtocolTests : IClassFixture<HostNetbench>
{
    private readonly HostNetbench _host;
    public NetbenchProtocolTests(HostNetbench host) => _host = host;

    [Fact]
    public void A_sink_answers_the_count_and_the_Fletcher_sums_of_the_little_endian_words_it_received()
    {
        using var p = new HostNetbench.Running(_host.Program);
        // "abcdefgh" "ij" padded with zeros: A = w0 + w1, B = w0 + (w0 + w1).
        ulong w0 = BitConverter.ToUInt64("abcdefgh"u8), w1 = BitConverter.ToUInt64("ij\0\0\0\0\0\0"u8);
        Assert.Equal($"ok 10 {w0 + w1:x16} {w0 + w0 + w1:x16}\n", p.Talk("sink 10\nabcdefghij"u8.ToArray()));
        Assert.Equal("ok 0 0000000000000000 0000000000000000\n", p.Talk("sink 0\n"u8.ToArray()));
    }

    [Fact]
    public void Bad_commands_are_answered_with_an_error_and_the_program_keeps_serving()
    {
        using var p = new HostNetbench.Running(_host.Program);
        Assert.Equal("error unknown command 'fly'\n", p.Talk("fly\n"u8.ToArray()));
        Assert.Equal("error unknown command 'sink x'\n", p.Talk("sink x\n"u8.ToArray()));
        Assert.Equal("error unknown command 'source 5'\n", p.Talk("source 5\n"u8.ToArray()));
        Assert.Equal("error command line too long\n", p.Talk(Encoding.ASCII.GetBytes(new string('x', 200) + "\n")));
        p.Talk("sink 1000\nonly a few bytes"u8.ToArray(), closeAfterSend: true);
        Assert.Equal("ok\n", p.Talk("conn\n"u8.ToArray()));
        for (int i = 0; i < 50 && !p.Output.Contains("the host closed after 16 of the sink's 1000 bytes"); i++) Thread.Sleep(50);
        Assert.Contains("netbench error: unknown command 'fly'", p.Output);
        Assert.Contains("netbench error: a command line longer than 120 bytes", p.Output);
        Assert.Contains("netbench error: the host closed after 16 of the sink's 1000 bytes", p.Output);
    }

    [Fact]
    public void Stats_says_why_a_file_is_missing_and_quit_ends_the_program_with_status_0()
    {
        using var p = new HostNetbench.Running(_host.Program);
        string stats = p.Talk("stats\n"u8.ToArray());
        Assert.Matches("^tsc [0-9]+\nfile /proc/biscuit/gc missing ENOENT\nfile /proc/biscuit/cpu missing ENOENT\nend\n$", stats);
        Assert.Equal("bye\n", p.Talk("quit\n"u8.ToArray()));
        Assert.True(p.Process.WaitForExit(10_000));
        p.Process.WaitForExit();   // drains the output reader
        Assert.Equal(0, p.Process.ExitCode);
        Assert.Contains("netbench done", p.Output);
    }

    [Fact]
    public void An_unknown_argument_is_refused_with_exit_2_and_the_usage()
    {
        var (code, output) = Repository.Run(_host.Program, "--port 0", TimeSpan.FromSeconds(30));
        Assert.Equal(2, code);
        Assert.Contains("netbench error: unknown argument '--port' (usage: netbench [--port P])", output);
    }

    [Fact]
    public void The_bench_program_drives_every_phase_against_it_and_both_sides_agree_on_every_byte()
    {
        using var p = new HostNetbench.Running(_host.Program);
        var (code, output) = Repository.Run(Path.Combine(Repository.Root, "bench", "run"), $"--net-drive {p.Port}", TimeSpan.FromMinutes(5));
        Assert.True(code == 0, output);
        var boot = JsonDocument.Parse(output[output.IndexOf('{')..(output.LastIndexOf('}') + 1)]).RootElement;
        foreach (string direction in new[] { "sink", "source" })
        {
            Assert.Equal(4 << 20, boot.GetProperty(direction).GetProperty("bytes").GetInt64());
            Assert.Equal(boot.GetProperty(direction).GetProperty("host_checksum").GetString(), boot.GetProperty(direction).GetProperty("guest_checksum").GetString());
        }
        Assert.Equal(50, boot.GetProperty("echo").GetProperty("round_trips").GetInt32());
        Assert.True(boot.GetProperty("connections").GetProperty("completed").GetInt64() > 0);
        Assert.Equal(5, boot.GetProperty("stats").GetArrayLength());
        Assert.True(p.Process.WaitForExit(10_000), "--net-drive ends with quit, which ends the program");
        p.Process.WaitForExit();   // drains the output reader
        Assert.Contains("netbench sink n=4194304", p.Output);
        Assert.Contains("netbench source n=4194304", p.Output);
        Assert.Contains("netbench done", p.Output);
    }

    [Theory]
    [InlineData("--net-drive", "--net-drive needs a port 1-65535, not ''")]
    [InlineData("--net-drive 70000", "--net-drive needs a port 1-65535, not '70000'")]
    public void A_bad_net_drive_port_is_refused_with_exit_2_and_the_reason(string arguments, string message)
    {
        var (code, output) = Repository.Run(Path.Combine(Repository.Root, "bench", "run"), arguments, TimeSpan.FromMinutes(5));
        Assert.Equal(2, code);
        Assert.Contains(message, output);
    }
}

// The benchmark's reader of netbench's "stats" answers and the GC window between two of them
// (`bench/run --parse-net-stats`), on answers saved from a real quick run (NetStats/: Biscuit's
// before and after the sink, 3.558637 s apart on the host; the Linux guest's) and on malformed ones.
[Collection("bench program")]
public class NetStatsReaderTests
{
    private static readonly string Data = Path.Combine(Repository.Root, "tests", "Biscuit.Boot.Tests", "NetStats");

    private static (int Code, string Output) Parse(params string[] arguments) =>
        Repository.Run(Path.Combine(Repository.Root, "bench", "run"), "--parse-net-stats " + string.Join(" ", arguments.Select(a => $"\"{a}\"")),
            TimeSpan.FromMinutes(5));

    private static JsonElement Json(string output) => JsonDocument.Parse(output[output.IndexOf('{')..(output.LastIndexOf('}') + 1)]).RootElement;

    [Fact]
    public void The_window_between_two_Biscuit_answers_gives_net_s_pause_over_the_CPU_time_its_process_ran()
    {
        var (code, output) = Parse(Path.Combine(Data, "biscuit-before-sink"), Path.Combine(Data, "biscuit-after-sink"), "3.558637");
        Assert.True(code == 0, output);
        var window = Json(output).GetProperty("window");
        Assert.Equal(JsonValueKind.Null, window.GetProperty("error").ValueKind);
        // From the files: TSC 5835011044 -> 14156410670; net-server's census cycles 654260160 -> 4783632122;
        // net's "gc pause total (ns)" 0 -> 145951000 and gen0 0 -> 2.
        double ghz = (14156410670.0 - 5835011044.0) / 3.558637 / 1e9;
        double cpuMs = (4783632122.0 - 654260160.0) / (ghz * 1e6);
        Assert.Equal(ghz, window.GetProperty("tsc_ghz").GetDouble(), 6);
        var net = window.GetProperty("servers").EnumerateArray().Single(s => s.GetProperty("server").GetString() == "net");
        Assert.Equal(2, net.GetProperty("collections").GetInt64());
        Assert.Equal(145.951, net.GetProperty("pause_ms").GetDouble(), 6);
        Assert.Equal(cpuMs, net.GetProperty("cpu_ms").GetDouble(), 3);
        Assert.Equal(145.951 / cpuMs, net.GetProperty("gc_share_of_cpu").GetDouble(), 6);
        Assert.Equal((4783632122.0 - 654260160.0) / (14156410670.0 - 5835011044.0), net.GetProperty("cpu_share_of_guest").GetDouble(), 6);
        // posix: gen0/gen1/gen2 0/0/0 -> 34/1/0 is 34 collections (gen0's count includes the gen1 one).
        var posix = window.GetProperty("servers").EnumerateArray().Single(s => s.GetProperty("server").GetString() == "posix");
        Assert.Equal(34, posix.GetProperty("collections").GetInt64());
    }

    [Fact]
    public void The_Linux_guest_s_answer_says_the_files_are_missing_and_its_window_has_no_GC_figures_but_the_reason()
    {
        string linux = Path.Combine(Data, "linux-before-sink");
        var (code, output) = Parse(linux, linux, "1");
        Assert.True(code == 0, output);
        var json = Json(output);
        Assert.Equal("ENOENT", json.GetProperty("before").GetProperty("missing").GetProperty("/proc/biscuit/gc").GetString());
        Assert.Equal("no /proc/biscuit/gc: ENOENT", json.GetProperty("window").GetProperty("error").GetString());
        Assert.Empty(json.GetProperty("window").GetProperty("servers").EnumerateArray());
    }

    [Fact]
    public void An_answer_whose_GC_table_cannot_be_read_gives_a_window_with_the_reason_instead_of_figures()
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("netbench-stats-").FullName, "stats");
        File.WriteAllText(file, "tsc 1\nfile /proc/biscuit/gc 6\nhello\nend\n");
        var (code, output) = Parse(file, file, "1");
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        Assert.True(code == 0, output);
        Assert.StartsWith("/proc/biscuit/gc unreadable: ", Json(output).GetProperty("window").GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("hello\n", "stats: the first line is 'hello', not 'tsc N'")]
    [InlineData("tsc -5\n", "stats: the first line is 'tsc -5', not 'tsc N'")]
    [InlineData("tsc 5\nfile /proc/biscuit/gc 999\nabc\nend\n", "stats: 'file /proc/biscuit/gc 999' is not 'file PATH LEN' with LEN bytes after it")]
    [InlineData("tsc 5\nfile /proc/biscuit/gc missing ENOENT\n", "stats: the answer ends without a line")]
    [InlineData("tsc 5\nbogus\nend\n", "stats: 'bogus' is not 'file PATH LEN'")]
    public void A_malformed_answer_is_refused_with_exit_2_naming_what_is_wrong(string answer, string message)
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("netbench-stats-").FullName, "stats");
        File.WriteAllText(file, answer);
        var (code, output) = Parse(file);
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        Assert.Equal(2, code);
        Assert.Contains(message, output);
    }

    [Fact]
    public void A_bad_SECONDS_or_a_missing_file_is_refused_with_exit_2_and_the_reason()
    {
        string before = Path.Combine(Data, "biscuit-before-sink");
        var (code, output) = Parse(before, before, "-1");
        Assert.Equal(2, code);
        Assert.Contains("SECONDS must be a positive number, not '-1'", output);
        (code, output) = Parse(Path.Combine(Data, "no-such-answer"));
        Assert.Equal(2, code);
        Assert.Contains("no-such-answer", output);
        (code, output) = Parse(before, before);
        Assert.Equal(2, code);
        Assert.Contains("--parse-net-stats needs BEFORE, or BEFORE AFTER SECONDS", output);
    }
}
