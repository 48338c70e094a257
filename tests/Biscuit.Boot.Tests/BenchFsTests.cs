// `./biscuit bench fs --quick` (issues 5 and 11): the same static program, bench/linux/fsbench.c, once
// on Biscuit and once on the Linux guest, on copies of one grown ext3 disk image. Checks the shape
// of what it wrote, never how fast: every phase has a figure on both guests and a ratio, Biscuit's
// fs server has a GC share for every phase, Linux dropped its page cache before each read and
// Biscuit says why it could not and whether fs's heap could hold the file, the two QEMU lines differ
// only in kernel, initrd and append. Also (no boot): the reader of fsbench's output on a saved
// serial log of a real Biscuit run (figures, rates, and the fs server's GC per phase from the
// /proc/biscuit dumps), and on logs with failures.
using System.Text.Json;

namespace Biscuit.Boot.Tests;

public sealed class QuickFsBench
{
    public readonly string Output, Report;
    public readonly JsonElement Fs;

    public QuickFsBench()
    {
        _ = Repository.KernelImage;   // everything built
        string results = Path.Combine(Repository.Root, "bench", "results");
        var before = Directory.Exists(results) ? Directory.GetDirectories(results).ToHashSet() : new HashSet<string>();
        var (code, output) = Repository.Run(Path.Combine(Repository.Root, "bench", "run"), "fs --repeat 1 --quick", TimeSpan.FromMinutes(15));
        Output = output;
        if (code != 0) throw new InvalidOperationException($"bench fs --quick failed (exit {code}):\n{output}");
        string folder = Directory.GetDirectories(results).Single(d => !before.Contains(d));
        Fs = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json"))).RootElement.GetProperty("fs").Clone();
        Report = File.ReadAllText(Path.Combine(folder, "report.md"));
    }
}

[Collection("bench program")]
public class BenchFsTests : IClassFixture<QuickFsBench>
{
    public static readonly string[] Phases = ["seq_write", "seq_read", "rand_read", "create", "stat", "unlink"];
    private readonly QuickFsBench _bench;
    public BenchFsTests(QuickFsBench bench) => _bench = bench;

    private JsonElement Boot(string guest) =>
        _bench.Fs.GetProperty("boots").EnumerateArray().Single(b => b.GetProperty("guest").GetString() == guest);

    [Fact]
    public void One_round_boots_Biscuit_then_Linux_and_the_program_runs_to_its_end_on_both()
    {
        Assert.Equal(["biscuit", "linux"], _bench.Fs.GetProperty("boots").EnumerateArray().Select(b => b.GetProperty("guest").GetString()));
        foreach (var (guest, end) in new[] { ("biscuit", "posix: pid 1 (fsbench) ended, wait status 0"), ("linux", "linux-init: fsbench exited rc=0") })
        {
            var boot = Boot(guest);
            Assert.True(boot.GetProperty("completed").GetBoolean(), $"{guest}:\n{_bench.Output}");
            Assert.Equal(JsonValueKind.Null, boot.GetProperty("error").ValueKind);
            Assert.StartsWith(end, boot.GetProperty("ended").GetString());
        }
    }

    [Fact]
    public void Every_phase_has_a_figure_on_both_guests_and_a_Biscuit_over_Linux_ratio()
    {
        var phases = _bench.Fs.GetProperty("phases").EnumerateArray().ToList();
        Assert.Equal(Phases, phases.Select(p => p.GetProperty("phase").GetString()));
        foreach (var p in phases)
        {
            foreach (string guest in new[] { "biscuit", "linux" })
            {
                Assert.True(p.GetProperty(guest).ValueKind == JsonValueKind.Object,
                    $"{p.GetProperty("phase")} has no figure on {guest}: {p.GetProperty(guest + "_failures")}");
                Assert.True(p.GetProperty(guest).GetProperty("rate").GetProperty("median").GetDouble() > 0);
            }
            Assert.True(p.GetProperty("ratio_biscuit_over_linux").GetDouble() > 0);
            Assert.Contains(p.GetProperty("unit").GetString(), new[] { "MiB/s", "reads/s", "files/s" });
        }
        var rand = phases.Single(p => p.GetProperty("phase").GetString() == "rand_read");
        Assert.True(rand.GetProperty("biscuit").GetProperty("median_latency_ns").GetProperty("median").GetDouble() > 0);
    }

    [Fact]
    public void Biscuit_has_the_fs_server_s_GC_share_for_every_phase_read_from_its_own_dumps()
    {
        foreach (var p in _bench.Fs.GetProperty("phases").EnumerateArray())
        {
            var gc = p.GetProperty("fs_gc");
            Assert.True(gc.ValueKind == JsonValueKind.Object, $"{p.GetProperty("phase")}: no fs GC figures");
            Assert.True(gc.GetProperty("boots").GetInt32() == 1, $"{p.GetProperty("phase")}: {gc.GetProperty("errors")}");
            Assert.Empty(gc.GetProperty("errors").EnumerateArray());
            Assert.True(gc.GetProperty("gc_share_of_fs_cpu").GetProperty("median").GetDouble() >= 0);   // a share of wall-clock pauses: no upper bound asserted
            Assert.True(gc.GetProperty("collections").GetProperty("median").GetDouble() >= 0);
            Assert.True(gc.GetProperty("heap_limit_bytes").GetInt64() > 0);
            Assert.True(gc.GetProperty("max_heap_after_bytes").GetInt64() > 0);
        }
        foreach (var window in Boot("biscuit").GetProperty("fs_server").EnumerateObject())
            Assert.True(window.Value.GetProperty("fs_cycles").GetInt64() > 0, $"{window.Name}: the fs server ran no cycles?");
        Assert.Empty(Boot("linux").GetProperty("fs_server").EnumerateObject());   // the Linux guest has no /proc/biscuit
    }

    [Fact]
    public void Linux_drops_its_page_cache_before_each_read_and_Biscuit_says_why_it_cannot_and_whether_fs_could_hold_the_file()
    {
        foreach (string phase in new[] { "seq_read", "rand_read" })
        {
            Assert.Equal("dropped", Boot("linux").GetProperty("cache").GetProperty(phase).GetString());
            Assert.StartsWith("kept: open /proc/sys/vm/drop_caches: errno=ENOENT", Boot("biscuit").GetProperty("cache").GetProperty(phase).GetString());
            Assert.Matches($@"\* `{phase}`: Linux: page cache dropped .*the fs server's whole heap after the phase was at most \d+ MiB \(limit \d+ MiB\) — .*\*\*(could|cannot) hold the file\*\*", _bench.Report);
        }
    }

    [Fact]
    public void Both_guests_run_the_same_program_on_copies_of_one_grown_disk_with_only_kernel_initrd_and_append_changed()
    {
        Assert.Matches("^[0-9a-f]{64}$", _bench.Fs.GetProperty("program_sha256").GetString());
        Assert.True(_bench.Fs.GetProperty("disk_bytes").GetInt64() >= (long)(_bench.Fs.GetProperty("file_mib").GetInt32() + 100) << 20);
        var biscuit = _bench.Fs.GetProperty("qemu_biscuit").EnumerateArray().Select(a => a.GetString()!).ToList();
        var linux = _bench.Fs.GetProperty("qemu_linux").EnumerateArray().Select(a => a.GetString()!).ToList();
        static List<string> Common(List<string> args)
        {
            var kept = new List<string>();
            for (int i = 0; i < args.Count; i++)
            {
                if (args[i] is "-kernel" or "-initrd" or "-append") { i++; continue; }
                kept.Add(args[i].Contains("hostfwd=") ? "NETDEV" : args[i].StartsWith("file=") ? "DISK" : args[i]);   // a port and disk copy per boot
            }
            return kept;
        }
        Assert.Equal(Common(biscuit), Common(linux));
        string append = linux[linux.IndexOf("-append") + 1];
        Assert.Contains("run=fsbench disk=vda args=--size-mib,32,--files,200,--rand-ops,400", append);
        Assert.Contains("/bin/fsbench --size-mib 32 --files 200 --rand-ops 400", _bench.Fs.GetProperty("program").GetString());
    }

    [Fact]
    public void The_report_has_a_row_per_phase_the_fs_GC_table_and_what_the_figures_are()
    {
        Assert.Contains("## File system: the same static program on Biscuit and on Linux", _bench.Report);
        foreach (string phase in Phases)
        {
            Assert.Matches($@"\(`{phase}`\) \| [0-9.]+ (MiB/s|reads/s|files/s) .*\| [0-9.]+ (MiB/s|reads/s|files/s) .*\| \*\*[0-9.]+\*\* \| [0-9.]+% \|", _bench.Report);
            Assert.Matches($@"\| `{phase}` \| \d+ \[", _bench.Report);
        }
        Assert.Contains("The fs server's GC in each phase", _bench.Report);
        Assert.Contains("What the figures are", _bench.Report);
    }
}

// The reader of fsbench's output on saved logs; no guest boots here (as PosixOutputReaderTests).
[Collection("bench program")]
public class FsOutputReaderTests
{
    private static readonly string Sample = Path.Combine(Repository.Root, "tests", "Biscuit.Boot.Tests", "samples", "fsbench-biscuit-serial.log");

    private static readonly Lazy<string> s_program = new(() =>
    {
        var (code, output) = Repository.Run(Path.Combine(Repository.Root, "bench", "run"), "--parse-fs-output", TimeSpan.FromMinutes(5));
        if (code != 2 || !output.Contains("--parse-fs-output needs a file"))
            throw new InvalidOperationException($"bench/run did not build and answer (exit {code}):\n{output}");
        return Path.Combine(Repository.Root, "bench", "Biscuit.Bench", "bin", "Release", "net10.0", "Biscuit.Bench.dll");
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    private static (int Code, string Output) Bench(string arguments) =>
        Repository.Run("dotnet", $"\"{s_program.Value}\" {arguments}", TimeSpan.FromMinutes(2));

    private static JsonElement ParseFile(string file)
    {
        var (code, output) = Bench($"--parse-fs-output \"{file}\"");
        Assert.True(code == 0, output);
        return JsonDocument.Parse(output[output.IndexOf('{')..]).RootElement.Clone();
    }

    private static JsonElement Parse(string log)
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("biscuit-fs-output-").FullName, "serial.log");
        File.WriteAllText(file, log);
        try { return ParseFile(file); }
        finally { Directory.Delete(Path.GetDirectoryName(file)!, recursive: true); }
    }

    [Fact]
    public void A_real_Biscuit_log_gives_every_phase_s_figure_and_rate_at_its_TSC_rate()
    {
        var o = ParseFile(Sample);
        Assert.True(o.GetProperty("started").GetBoolean());
        Assert.True(o.GetProperty("done").GetBoolean());
        Assert.Equal(2.234, o.GetProperty("tsc_ghz").GetDouble());
        Assert.Equal(2L << 20, o.GetProperty("file_bytes").GetInt64());
        Assert.Equal(BenchFsTests.Phases.Order(), o.GetProperty("figures").EnumerateObject().Select(p => p.Name).Order());
        var write = o.GetProperty("figures").GetProperty("seq_write");
        Assert.Equal((32, 2097152L, 2152507879L, 1104448133L),
            (write.GetProperty("ops").GetInt32(), write.GetProperty("bytes").GetInt64(), write.GetProperty("cycles").GetInt64(), write.GetProperty("fsync_cycles").GetInt64()));
        Assert.Equal(1618684, o.GetProperty("figures").GetProperty("rand_read").GetProperty("median_cycles").GetInt64());
        // 2 MiB in 2,152,507,879 cycles at 2.234 GHz = 0.9635 s: 2.0757 MiB/s; 5 files in 21,976,840 cycles: 508.3 files/s.
        Assert.Equal(2.0757, o.GetProperty("rates").GetProperty("seq_write").GetProperty("value").GetDouble(), 3);
        Assert.Equal(508.26, o.GetProperty("rates").GetProperty("create").GetProperty("value").GetDouble(), 1);
        Assert.Equal("files/s", o.GetProperty("rates").GetProperty("create").GetProperty("unit").GetString());
        Assert.Empty(o.GetProperty("missing").EnumerateObject());
        Assert.StartsWith("kept: open /proc/sys/vm/drop_caches: errno=ENOENT", o.GetProperty("cache").GetProperty("seq_read").GetString());
    }

    [Fact]
    public void The_fs_server_s_GC_in_a_phase_is_the_difference_of_the_dumps_around_it()
    {
        var fs = ParseFile(Sample).GetProperty("fs_server");
        Assert.Equal(BenchFsTests.Phases, fs.EnumerateObject().Select(p => p.Name));
        var write = fs.GetProperty("seq_write");
        // gc gen0/gen1/gen2 0/0/0 -> 1/0/0, gc pause total (ns) 0 -> 52,253,000; fs-server cycles 649,303,650 -> 1,493,004,958.
        Assert.Equal(1, write.GetProperty("collections").GetInt64());
        Assert.Equal(52.253, write.GetProperty("pause_ms").GetDouble(), 3);
        Assert.True(write.GetProperty("pause_exact").GetBoolean());
        Assert.Equal(843701308, write.GetProperty("fs_cycles").GetInt64());
        Assert.Equal(52.253e6 / (843701308 / 2.234), write.GetProperty("gc_share_of_fs_cpu").GetDouble(), 6);
        Assert.Equal(48L << 20, write.GetProperty("heap_limit_bytes").GetInt64());
        Assert.Equal(JsonValueKind.Null, write.GetProperty("error").ValueKind);
        var read = fs.GetProperty("seq_read");
        Assert.Equal((0L, 0.0), (read.GetProperty("collections").GetInt64(), read.GetProperty("pause_ms").GetDouble()));
        Assert.Equal(0.0, read.GetProperty("gc_share_of_fs_cpu").GetDouble());
    }

    [Fact]
    public void A_phase_that_failed_keeps_its_errno_the_phases_that_depend_on_it_say_so_and_those_never_reached_say_that()
    {
        var o = Parse(string.Join("\n",
            "fsbench start dir=/tmp size_mib=1024 files=2000 rand_ops=4000",
            "fsbench tsc_ghz=2.299",
            "fsbench seq_write failed: write: errno=ENOSPC (No space left on device)\r",
            "fsbench seq_read failed: not run: seq_write failed",
            "fsbench rand_read failed: not run: seq_write failed",
            "fsbench create ops=2000 bytes=128000 cycles=500000000 ns=217485863",
            "posix: pid 1 (fsbench) ended, wait status 139"));
        Assert.False(o.GetProperty("done").GetBoolean());
        var missing = o.GetProperty("missing");
        Assert.Equal("write: errno=ENOSPC (No space left on device)", missing.GetProperty("seq_write").GetString());
        Assert.Equal("not run: seq_write failed", missing.GetProperty("rand_read").GetString());
        Assert.Equal("no result: the program stopped before it", missing.GetProperty("unlink").GetString());
        Assert.True(o.GetProperty("figures").TryGetProperty("create", out _));
        Assert.Equal(["posix: pid 1 (fsbench) ended, wait status 139"], o.GetProperty("system_notes").EnumerateArray().Select(n => n.GetString()));
    }

    [Fact]
    public void Without_dumps_as_on_Linux_or_with_an_unreadable_one_a_phase_has_no_GC_figures_and_says_why()
    {
        var lines = File.ReadAllLines(Sample);
        // Linux prints no dumps at all.
        var linux = Parse(string.Join("\n", lines.Where(l => !l.StartsWith("fsbench gc ") && !l.StartsWith("fsbench cpu "))));
        Assert.Equal("no /proc/biscuit/gc dump before seq_write", linux.GetProperty("fs_server").GetProperty("seq_write").GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, linux.GetProperty("fs_server").GetProperty("seq_write").GetProperty("pause_ms").ValueKind);
        // A size the table reader does not know is named, not read as a figure.
        var bad = Parse(string.Join("\n", lines.Select(l => l.StartsWith("fsbench gc stat after|heap limit") ? l.Replace("48 MiB", "48 MB ") : l)));
        Assert.Contains("/proc/biscuit/gc around stat: GC table: '48 MB' is not a size", bad.GetProperty("fs_server").GetProperty("stat").GetProperty("error").GetString());
        // An fs that was replaced inside the phase (another process id in the census) has no CPU figure.
        var restarted = Parse(string.Join("\n", lines.Select(l => l.StartsWith("fsbench cpu create after|fs-server") ? l.Replace("fs-server              3", "fs-server              9") : l)));
        var create = restarted.GetProperty("fs_server").GetProperty("create");
        Assert.Equal("fs-server was replaced during the phase", create.GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, create.GetProperty("gc_share_of_fs_cpu").ValueKind);
    }

    [Fact]
    public void A_malformed_figure_line_is_not_a_figure()
    {
        var o = Parse("fsbench start dir=/tmp size_mib=32 files=200 rand_ops=400\nfsbench stat ops=200 bytes=0 cycles=12x ns=1\nfsbench done\n");
        Assert.False(o.GetProperty("figures").TryGetProperty("stat", out _));
        Assert.Equal("no result: the program reached its end without it", o.GetProperty("missing").GetProperty("stat").GetString());
    }

    [Theory]
    [InlineData("/nonexistent/fsbench-serial.log")]   // no such file
    [InlineData("/")]                                 // a folder
    public void A_log_that_cannot_be_read_is_refused_with_exit_2(string path)
    {
        var (code, output) = Bench($"--parse-fs-output {path}");
        Assert.Equal(2, code);
        Assert.Contains($"bench: {path}: ", output);
    }
}
