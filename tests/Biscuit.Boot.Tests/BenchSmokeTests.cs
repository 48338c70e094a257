// A short run of `./biscuit bench` (issue 11, "Done when"): the benchmark program runs end to end on
// Biscuit and writes a well-formed report. It checks the shape of the results, never the figures
// (timings belong to benchmarks, not tests). BenchNginxTests runs `nginx --quick`, which boots the
// Linux guest and Biscuit once each; BenchPosixTests below runs `posix --quick`: the same static
// program (bench/linux/posixbench.c) once on Biscuit and once on the Linux guest, from the same disk
// image. Also (no boot): the reader of posixbench's output keeps each operation's figures and the
// reason (errno) of each operation that failed.
using System.Text.Json;

namespace Biscuit.Boot.Tests;

[Collection("bench program")]
public class BenchSmokeTests
{
    [Fact]
    public void A_short_bench_run_writes_a_JSON_result_and_a_Markdown_report()
    {
        _ = Repository.KernelImage;   // everything built
        string results = Path.Combine(Repository.Root, "bench", "results");
        var before = Directory.Exists(results) ? Directory.GetDirectories(results).ToHashSet() : new HashSet<string>();
        var (code, output) = Repository.Run(Path.Combine(Repository.Root, "bench", "run"), "boot ipc servers --repeat 1", TimeSpan.FromMinutes(10));
        Assert.True(code == 0, output);

        var created = Directory.GetDirectories(results).Where(d => !before.Contains(d)).ToArray();
        Assert.Single(created);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(created[0], "results.json")));
        var root = json.RootElement;
        Assert.True(root.TryGetProperty("commit", out _));
        Assert.True(root.GetProperty("elapsed_minutes").GetDouble() > 0, "the run records how long it took");
        Assert.True(root.GetProperty("boot").GetProperty("qemu_spawn_to_ready_s").GetProperty("median").GetDouble() > 0);
        Assert.True(root.GetProperty("ipc").GetProperty("ipc_call_0").GetProperty("median_cycles").GetProperty("median").GetDouble() > 0);
        var phases = root.GetProperty("ipc").GetProperty("page_fault_phases");
        foreach (var phase in new[] { "touch", "entry", "lookup", "frame", "zero", "map", "exit", "outside" })
            Assert.True(phases.TryGetProperty(phase, out var figure) && figure.TryGetProperty("median", out _), $"page_fault_phases has no {phase}");
        Assert.True(phases.GetProperty("zero").GetProperty("median").GetDouble() > 0, "zeroing a frame is counted");
        Assert.True(root.GetProperty("servers").GetProperty("servers_call").GetProperty("median_us").GetProperty("median").GetDouble() > 0);

        string report = File.ReadAllText(Path.Combine(created[0], "report.md"));
        Assert.StartsWith("# Biscuit benchmarks", report);
        Assert.Contains("## Boot", report);
        Assert.Contains("## Kernel core", report);
        Assert.Contains("### Where a demand-zero page fault's cycles go", report);
        Assert.Contains("## Requests between two .NET servers", report);
        Assert.Contains("## Published anchors", report);
        Assert.Contains("bench: results in bench/results/", output);
        Assert.Matches(@"== bench summary \([0-9a-f]+(-dirty)?, \d+\.\d min;", output);
        Assert.Matches(@"(?m)^ipc +call round trip \d+ ns, context switch \d+ ns, page fault \d+ ns", output);
        Assert.Matches(@"(?m)^boot +QEMU spawn -> biscuit: ready \d+\.\d\d s", output);
    }

    [Fact]
    public void The_summary_of_a_saved_result_prints_dashes_for_missing_figures_and_the_ratios_of_benchmarks_it_does_not_know()
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("biscuit-summary-").FullName, "results.json");
        File.WriteAllText(file, """
            {"commit": "abc1234", "ipc": {"ipc_call_0": {"median_ns": {"median": 900}}},
             "fs": {"file_mib": 64, "phases": [{"phase": "seq_read", "ratio_biscuit_over_linux": 0.5}, {"phase": "stat", "ratio_biscuit_over_linux": null}]},
             "disk": {"summary": {"ratios_biscuit_over_linux": {"seq_read": {"mb_per_s": 0.5}, "create": 0.25}}},
             "later": {"figures": 3}}
            """);
        var (code, output) = Repository.Run(Path.Combine(Repository.Root, "bench", "run"), $"--summary \"{file}\"", TimeSpan.FromMinutes(2));
        Assert.True(code == 0, output);
        Assert.Contains("== bench summary (abc1234, time not recorded;", output);
        Assert.Contains("ipc       call round trip 900 ns, context switch - ns, page fault - ns", output);
        Assert.Contains("fs        64 MiB file: seq_read 0.50x, stat -", output);
        Assert.Contains("disk      seq_read mb_per_s ratio 0.50", output);
        Assert.Contains("disk      create ratio 0.25", output);
        Assert.Contains("later     ran (see report.md)", output);

        File.WriteAllText(file, "{ not json");
        (code, output) = Repository.Run(Path.Combine(Repository.Root, "bench", "run"), $"--summary \"{file}\"", TimeSpan.FromMinutes(2));
        Assert.Equal(2, code);
        Assert.Contains($"bench: {file}: ", output);
    }
}

public sealed class QuickPosixBench
{
    public readonly string Output, Folder, Report;
    public readonly JsonElement Posix;

    public QuickPosixBench()
    {
        _ = Repository.KernelImage;   // everything built
        string results = Path.Combine(Repository.Root, "bench", "results");
        var before = Directory.Exists(results) ? Directory.GetDirectories(results).ToHashSet() : new HashSet<string>();
        var (code, output) = Repository.Run(Path.Combine(Repository.Root, "bench", "run"), "posix --repeat 1 --quick", TimeSpan.FromMinutes(15));
        Output = output;
        if (code != 0) throw new InvalidOperationException($"bench posix --quick failed (exit {code}):\n{output}");
        Folder = Directory.GetDirectories(results).Single(d => !before.Contains(d));
        Posix = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "results.json"))).RootElement.GetProperty("posix").Clone();
        Report = File.ReadAllText(Path.Combine(Folder, "report.md"));
    }
}

[Collection("bench program")]
public class BenchPosixTests : IClassFixture<QuickPosixBench>
{
    private static readonly string[] Operations =
        ["pipe_rtt_1", "pipe_rtt_64", "fork_exit_wait", "fork_exec_wait", "getpid", "getppid", "getuid",
         "file_write_16k", "file_read_16k", "open_close", "stat", "page_fault"];
    private readonly QuickPosixBench _bench;
    public BenchPosixTests(QuickPosixBench bench) => _bench = bench;

    private List<JsonElement> Boots(string guest) =>
        _bench.Posix.GetProperty("boots").EnumerateArray().Where(b => b.GetProperty("guest").GetString() == guest).ToList();

    [Fact]
    public void One_round_boots_Biscuit_then_Linux_and_the_program_runs_to_its_end_on_Linux()
    {
        var guests = _bench.Posix.GetProperty("boots").EnumerateArray().Select(b => b.GetProperty("guest").GetString()).ToList();
        Assert.Equal(["biscuit", "linux"], guests);
        var linux = Boots("linux").Single();
        Assert.True(linux.GetProperty("completed").GetBoolean(), _bench.Output);
        Assert.Equal(JsonValueKind.Null, linux.GetProperty("error").ValueKind);
        Assert.StartsWith("linux-init: posixbench exited rc=0", linux.GetProperty("ended").GetString());
    }

    [Fact]
    public void Every_operation_has_a_figure_or_the_reason_it_has_none_on_each_guest_and_a_ratio_when_both_measured_it()
    {
        var ops = _bench.Posix.GetProperty("operations").EnumerateArray().ToList();
        Assert.Equal(Operations, ops.Select(o => o.GetProperty("operation").GetString()));
        foreach (var op in ops)
            foreach (string guest in new[] { "biscuit", "linux" })
            {
                var figures = op.GetProperty(guest);
                var failures = op.GetProperty(guest + "_failures").EnumerateArray().Select(f => f.GetString()!).ToList();
                if (figures.ValueKind == JsonValueKind.Null)
                    Assert.True(failures.Count > 0 && failures.All(f => f.Length > 0), $"{op.GetProperty("operation")} on {guest}: no figure and no reason");
                else
                    Assert.True(figures.GetProperty("median_ns").GetProperty("median").GetDouble() > 0);
            }
        foreach (var op in ops)
        {
            bool both = op.GetProperty("biscuit").ValueKind != JsonValueKind.Null && op.GetProperty("linux").ValueKind != JsonValueKind.Null;
            Assert.Equal(both, op.GetProperty("ratio_biscuit_over_linux").ValueKind == JsonValueKind.Number);
        }
        // The Linux guest is the baseline: it measures everything.
        Assert.All(ops, op => Assert.NotEqual(JsonValueKind.Null, op.GetProperty("linux").ValueKind));
    }

    [Fact]
    public void Biscuit_runs_the_program_as_posix_s_first_program_and_every_operation_it_could_not_do_names_its_error()
    {
        var biscuit = Boots("biscuit").Single();
        Assert.True(biscuit.GetProperty("error").ValueKind == JsonValueKind.Null || biscuit.GetProperty("figures").EnumerateObject().Any(),
            "posixbench never ran on Biscuit:\n" + _bench.Output);
        Assert.StartsWith("posix: pid 1 (posixbench) ended", biscuit.GetProperty("ended").GetString());
        foreach (var failure in biscuit.GetProperty("failures").EnumerateObject())
            Assert.Contains($"`{failure.Name}` on Biscuit: {failure.Value.GetString()}", _bench.Report);
    }

    [Fact]
    public void Both_guests_run_the_same_program_file_on_the_same_machine_and_disk_image_with_only_kernel_initrd_and_append_changed()
    {
        Assert.Matches("^[0-9a-f]{64}$", _bench.Posix.GetProperty("program_sha256").GetString());
        var biscuit = _bench.Posix.GetProperty("qemu_biscuit").EnumerateArray().Select(a => a.GetString()!).ToList();
        var linux = _bench.Posix.GetProperty("qemu_linux").EnumerateArray().Select(a => a.GetString()!).ToList();
        static List<string> Common(List<string> args)
        {
            var kept = new List<string>();
            for (int i = 0; i < args.Count; i++)
            {
                if (args[i] is "-kernel" or "-initrd" or "-append") { i++; continue; }
                // Each boot has its own port, so its own copy of the disk (build/run/rootfs-PORT.ext3).
                kept.Add(args[i].Contains("hostfwd=") ? "NETDEV" : args[i].StartsWith("file=") ? "DISK" : args[i]);
            }
            return kept;
        }
        Assert.Equal(Common(biscuit), Common(linux));
        Assert.Contains("virtio-blk-pci,drive=d0", linux);
        string append = linux[linux.IndexOf("-append") + 1];
        Assert.Contains("run=posixbench", append);
        Assert.Contains("disk=vda", append);
        Assert.Contains("args=--quick", append);
        // Biscuit's manifest is the one ./biscuit's run_manifest generates (build/run/manifest-PORT/).
        Assert.Contains(biscuit[biscuit.IndexOf("-initrd") + 1].Split(','), m => m.Contains("/build/run/manifest-") && m.EndsWith("/manifest"));
        Assert.Contains("/bin/posixbench --quick", _bench.Posix.GetProperty("program").GetString());
    }

    [Fact]
    public void The_report_has_one_row_per_operation_and_prints_the_published_pipe_anchor_beside_ours()
    {
        Assert.Contains("## The same static program on Biscuit and on Linux", _bench.Report);
        foreach (string op in Operations) Assert.Contains($"(`{op}`) |", _bench.Report);
        Assert.Contains("C ~15% faster than Go", _bench.Report);
        Assert.Matches(@"\| pipe ping-pong, C vs Go \| C ~15% faster \(Go/C ≈ 1\.15\) \| same static program, 1-byte pipe ping-pong, Biscuit/Linux \(QEMU TCG\): [0-9.]+ \|", _bench.Report);
        Assert.Contains("What the figures are", _bench.Report);
    }
}

// The reader of posixbench's output, on saved logs; no guest boots here. As in BenchProgramInputTests,
// bench/run builds the program once and its assembly is then run directly.
[Collection("bench program")]
public class PosixOutputReaderTests
{
    private static readonly Lazy<string> s_program = new(() =>
    {
        var (code, output) = Repository.Run(Path.Combine(Repository.Root, "bench", "run"), "--parse-posix-output", TimeSpan.FromMinutes(5));
        if (code != 2 || !output.Contains("--parse-posix-output needs a file"))
            throw new InvalidOperationException($"bench/run did not build and answer (exit {code}):\n{output}");
        return Path.Combine(Repository.Root, "bench", "Biscuit.Bench", "bin", "Release", "net10.0", "Biscuit.Bench.dll");
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    private static (int Code, string Output) Bench(string arguments) =>
        Repository.Run("dotnet", $"\"{s_program.Value}\" {arguments}", TimeSpan.FromMinutes(2));

    private static JsonElement Parse(string log)
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("biscuit-posix-output-").FullName, "serial.log");
        File.WriteAllText(file, log);
        var (code, output) = Bench($"--parse-posix-output \"{file}\"");
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        Assert.True(code == 0, output);
        return JsonDocument.Parse(output[output.IndexOf('{')..]).RootElement.Clone();
    }

    [Fact]
    public void A_failed_call_is_kept_with_its_errno_and_the_operations_never_reached_say_so()
    {
        var o = Parse(string.Join("\n",
            "biscuit: process 2 (fs-server): Linux system call 273 is not implemented (ENOSYS)",
            "posixbench start self=/bin/posixbench dir=/tmp scale=1",
            "posixbench tsc_ghz=2.299",
            "posixbench pipe_rtt_1 n=200 median_cycles=171436 p99_cycles=556520 median_ns=74562 p99_ns=242045\r",
            "posix: pid 7 (posixbench) ended, wait status 0",
            "biscuit: process 9 (posixbench): Linux system call 59 is not implemented (ENOSYS)",
            "posixbench fork_exec_wait failed: execve: errno=ENOSYS (Function not implemented)",
            "posixbench file_write_16k n=64 median_cycles=147808 p99_cycles=6083272 median_ns=64286 p99_ns=2645772 bytes=16384",
            "posix: pid 1 (posixbench) ended, wait status 139"));
        Assert.True(o.GetProperty("started").GetBoolean());
        Assert.False(o.GetProperty("done").GetBoolean());
        Assert.Equal(2.299, o.GetProperty("tsc_ghz").GetDouble());
        Assert.Equal(74562, o.GetProperty("figures").GetProperty("pipe_rtt_1").GetProperty("median_ns").GetDouble());
        Assert.Equal(16384, o.GetProperty("figures").GetProperty("file_write_16k").GetProperty("bytes").GetInt64());
        Assert.Equal("execve: errno=ENOSYS (Function not implemented)", o.GetProperty("missing").GetProperty("fork_exec_wait").GetString());
        Assert.Equal("no result: the program stopped before it", o.GetProperty("missing").GetProperty("page_fault").GetString());
        // The system's lines about the program, not the servers' start-up before it.
        Assert.Equal(["biscuit: process 9 (posixbench): Linux system call 59 is not implemented (ENOSYS)", "posix: pid 1 (posixbench) ended, wait status 139"],
            o.GetProperty("system_notes").EnumerateArray().Select(n => n.GetString()));
    }

    [Fact]
    public void When_the_program_never_started_the_system_s_lines_about_servers_that_could_not_start_or_died_are_kept()
    {
        var o = Parse(string.Join("\n",
            "biscuit: ready",
            "init: started fs (fs-server), priority 5, 128 MiB",
            "init: cannot start net (net-server): error -12",
            "biscuit: process 2 (fs-server): Linux system call 435 is not implemented (ENOSYS)",
            "biscuit: process 2 (fs-server) exited with status 255",
            "net: frames in 3 out 3",
            "init: fs exited with status 255; 5 restarts within 60 s: left down"));
        Assert.False(o.GetProperty("started").GetBoolean());
        Assert.Equal(["init: cannot start net (net-server): error -12", "biscuit: process 2 (fs-server) exited with status 255",
                      "init: fs exited with status 255; 5 restarts within 60 s: left down"],
            o.GetProperty("system_notes").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(12, o.GetProperty("missing").EnumerateObject().Count());
    }

    [Fact]
    public void A_malformed_figure_line_is_not_a_figure()
    {
        var o = Parse("posixbench start self=/bin/posixbench dir=/tmp scale=1\nposixbench getpid n=5 median_cycles=abc p99_cycles=1 median_ns=1 p99_ns=1\nposixbench done\n");
        Assert.True(o.GetProperty("done").GetBoolean());
        Assert.False(o.GetProperty("figures").TryGetProperty("getpid", out _));
        Assert.Equal("no result: the program reached its end without it", o.GetProperty("missing").GetProperty("getpid").GetString());
    }

    [Theory]
    [InlineData("/nonexistent/biscuit-serial.log")]   // no such file
    [InlineData("/")]                                 // a folder
    public void A_log_that_cannot_be_read_is_refused_with_exit_2(string path)
    {
        var (code, output) = Bench($"--parse-posix-output {path}");
        Assert.Equal(2, code);
        Assert.Contains($"bench: {path}: ", output);
    }
}
