// `./biscuit bench nginx` (issue 11): a short run (--quick, one round) boots the Linux guest and
// Biscuit one after the other (a boot that never answers is tried once more), loads both with wrk
// and writes results.json, report.md and the plots. The test checks what the run produced and that its figures are sane (the content check
// passed, requests were served, the GC of Biscuit's servers was sampled), never how fast anything
// was. Needs Debian's linux-image-amd64, busybox-static, nginx, wrk, curl (the Linux guest and the
// load) and fonts-dejavu-core (text in the plots). Also: the benchmark program's refusals of bad
// options, and its reader of /proc/biscuit/gc on a table laid out as lib's StatsTable lays it out.
using System.Text;
using System.Text.Json;

namespace Biscuit.Boot.Tests;

public sealed class QuickNginxBench
{
    public readonly int ExitCode;
    public readonly string Output, Folder;
    public readonly JsonElement Nginx;
    public readonly string Report;

    public QuickNginxBench()
    {
        _ = Repository.KernelImage;   // everything built
        string results = Path.Combine(Repository.Root, "bench", "results");
        var before = Directory.Exists(results) ? Directory.GetDirectories(results).ToHashSet() : new HashSet<string>();
        (ExitCode, Output) = Repository.Run(Path.Combine(Repository.Root, "bench", "run"), "nginx --repeat 1 --quick", TimeSpan.FromMinutes(15));
        if (ExitCode != 0) throw new InvalidOperationException($"bench nginx --quick failed (exit {ExitCode}):\n{Output}");
        Folder = Directory.GetDirectories(results).Single(d => !before.Contains(d));
        Nginx = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "results.json"))).RootElement.GetProperty("nginx").Clone();
        Report = File.ReadAllText(Path.Combine(Folder, "report.md"));
    }
}

// The bench program's tests share one collection (with BenchSmokeTests): `bench/run` builds the
// program, and two builds of one project at once would fight over its obj/ folder.
[CollectionDefinition("bench program")]
public sealed class BenchProgramCollection { }

[Collection("bench program")]
public class BenchNginxTests : IClassFixture<QuickNginxBench>
{
    private readonly QuickNginxBench _bench;
    public BenchNginxTests(QuickNginxBench bench) => _bench = bench;

    private JsonElement Guest(string name) => _bench.Nginx.GetProperty("summary").GetProperty(name);

    // The boot of each guest that answered: a boot that never answers is recorded and tried once more.
    private List<JsonElement> AnsweredBoots() => _bench.Nginx.GetProperty("boots").EnumerateArray()
        .Where(b => b.GetProperty("qemu_spawn_to_first_200_s").ValueKind != JsonValueKind.Null).ToList();

    [Fact]
    public void Linux_boots_first_then_Biscuit_and_each_answers_and_serves_the_build_s_exact_bytes()
    {
        var all = _bench.Nginx.GetProperty("boots").EnumerateArray().ToList();
        var guests = all.Select(b => b.GetProperty("guest").GetString()).ToList();
        Assert.Equal("linux", guests[0]);
        Assert.Equal(guests.Count(g => g == "linux"), guests.TakeWhile(g => g == "linux").Count());   // every Linux attempt before Biscuit's
        foreach (var unanswered in all.Except(AnsweredBoots()))
            Assert.StartsWith("no HTTP 200 from", unanswered.GetProperty("error").GetString());
        var boots = AnsweredBoots();
        Assert.Equal(new[] { "linux", "biscuit" }, boots.Select(b => b.GetProperty("guest").GetString()).ToArray());
        foreach (var boot in boots)
        {
            Assert.True(boot.GetProperty("error").ValueKind == JsonValueKind.Null, boot.GetProperty("error").ToString());
            Assert.True(boot.GetProperty("content_check_passed").GetBoolean());
            Assert.True(boot.GetProperty("qemu_spawn_to_first_200_s").GetDouble() > 0);
        }
        var sums = File.ReadAllLines(Path.Combine(Repository.Build, "www.sha256")).Select(l => l.Split("  ")).ToDictionary(f => f[1], f => f[0]);
        foreach (var boot in boots)
            foreach (var file in new[] { "small.html", "big.bin" })
                Assert.Equal(sums[file], boot.GetProperty("served_sha256").GetProperty(file).GetString());
        Assert.Contains("Content check (sha256 of both files as served, before any load): Linux passed on ", _bench.Report);
        Assert.DoesNotContain("FAILED", _bench.Report);
    }

    [Fact]
    public void Every_load_served_requests_without_errors_and_has_a_Biscuit_over_Linux_ratio()
    {
        foreach (var guest in new[] { "linux", "biscuit" })
        {
            var load = Guest(guest).GetProperty("load");
            foreach (var key in new[] { "small.html c10", "big.bin c10" })
            {
                var figures = load.GetProperty(key);
                Assert.True(figures.GetProperty("requests").GetInt64() > 0, $"{guest} {key}: no requests");
                Assert.Equal(0, figures.GetProperty("errors").GetInt64());
                Assert.True(figures.GetProperty("requests_per_s").GetProperty("median").GetDouble() > 0);
                Assert.True(figures.GetProperty("p99_ms").GetProperty("median").GetDouble() >= figures.GetProperty("p50_ms").GetProperty("median").GetDouble());
            }
        }
        var ratios = _bench.Nginx.GetProperty("summary").GetProperty("ratios_biscuit_over_linux");
        Assert.True(ratios.GetProperty("small.html c10").GetProperty("requests_per_s").GetDouble() > 0);
        Assert.Contains("| small.html c10 requests/s |", _bench.Report);
    }

    [Fact]
    public void The_GC_of_posix_fs_and_net_is_sampled_during_Biscuit_s_load()
    {
        var biscuit = AnsweredBoots().Single(b => b.GetProperty("guest").GetString() == "biscuit");
        var good = biscuit.GetProperty("gc_samples").EnumerateArray().Where(s => s.GetProperty("error").ValueKind == JsonValueKind.Null).ToList();
        Assert.True(good.Count >= 2, $"fewer than two readable GC samples:\n{biscuit.GetProperty("gc_samples")}");
        var servers = good[^1].GetProperty("servers").EnumerateArray().ToList();
        foreach (var name in new[] { "posix", "fs", "net" })
            Assert.Contains(servers, s => s.GetProperty("server").GetString()!.Contains(name));
        foreach (var s in servers)
        {
            Assert.True(s.GetProperty("heap_limit_bytes").GetInt64() > 0);
            Assert.True(s.GetProperty("uptime_s").GetDouble() > 0);
        }
        var during = Guest("biscuit").GetProperty("gc_during_load").EnumerateArray().ToList();
        Assert.Equal(servers.Count, during.Count);
        Assert.Contains("### Biscuit's servers during the load", _bench.Report);
    }

    [Fact]
    public void Each_Biscuit_run_says_where_one_request_s_cycles_went_by_process()
    {
        var biscuit = AnsweredBoots().Single(b => b.GetProperty("guest").GetString() == "biscuit");
        foreach (var run in biscuit.GetProperty("runs").EnumerateArray())
        {
            var shares = run.GetProperty("cpu_per_request").EnumerateArray().ToList();
            foreach (var name in new[] { "posix-server", "net-server", "nginx" })
                Assert.Contains(shares, p => p.GetProperty("name").GetString() == name && p.GetProperty("cycles").GetDouble() > 0);
            Assert.InRange(shares.Sum(p => p.GetProperty("share_percent").GetDouble()), 99.0, 101.0);
            Assert.True(shares.Single(p => p.GetProperty("name").GetString() == "nginx").GetProperty("ipc_calls").GetDouble() > 0);
        }
        Assert.Contains("### Where one request's time goes on Biscuit", _bench.Report);
        Assert.Contains("| nginx | application |", _bench.Report);
    }

    [Fact]
    public void Single_requests_are_traced_between_readings_and_the_largest_pause_inside_one_is_reported()
    {
        var biscuit = AnsweredBoots().Single(b => b.GetProperty("guest").GetString() == "biscuit");
        var windows = biscuit.GetProperty("traced").EnumerateArray().ToList();
        int perBoot = _bench.Nginx.GetProperty("traced_requests_per_boot").GetInt32();
        Assert.Equal(2 * perBoot, windows.Count);   // a readings-alone window before each request window
        Assert.Equal(perBoot, windows.Count(w => w.GetProperty("with_request").GetBoolean()));
        var good = windows.Where(w => w.GetProperty("error").ValueKind == JsonValueKind.Null).ToList();
        Assert.True(good.Count(w => w.GetProperty("with_request").GetBoolean()) >= 1, $"no good request window:\n{biscuit.GetProperty("traced")}");
        foreach (var w in good)
        {
            var names = w.GetProperty("processes").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
            Assert.Contains("idle", names);
            Assert.Contains("nginx", names);
            var servers = w.GetProperty("servers").EnumerateArray().ToList();
            foreach (var name in new[] { "posix", "fs", "net" })
                Assert.Contains(servers, s => s.GetProperty("server").GetString()!.Contains(name));
            Assert.All(servers, s => Assert.True(s.GetProperty("pause_ns").GetInt64() >= 0));
        }
        var traced = _bench.Nginx.GetProperty("traced");
        var processes = traced.GetProperty("processes").EnumerateArray().ToList();
        Assert.True(processes.Single(p => p.GetProperty("name").GetString() == "nginx").GetProperty("ipc_calls").GetProperty("median").GetDouble() > 0,
            "a request costs nginx forwarded calls beyond what the readings cost");
        Assert.True(traced.GetProperty("max_total_pause_us").GetDouble() >= traced.GetProperty("median_total_pause_us").GetDouble());
        Assert.Contains("### One request at a time on Biscuit", _bench.Report);
        Assert.Contains("| GC pause accumulated in one request | Biscuit (Go): 582 µs | one small.html GET at a time, sum over servers: largest ", _bench.Report);
    }

    [Fact]
    public void The_Linux_guest_boots_with_Biscuit_s_QEMU_flags_but_its_own_kernel_and_no_root_disk()
    {
        var biscuit = _bench.Nginx.GetProperty("qemu_biscuit").EnumerateArray().Select(a => a.GetString()!).ToList();
        var linux = _bench.Nginx.GetProperty("qemu_linux").EnumerateArray().Select(a => a.GetString()!).ToList();
        Assert.Contains("e1000e,netdev=n0,romfile=", biscuit);
        Assert.Contains("virtio-blk-pci,drive=d0", biscuit);
        static List<string> Common(List<string> args)
        {
            var kept = new List<string>();
            for (int i = 0; i < args.Count; i++)
            {
                if (args[i] is "-kernel" or "-initrd" or "-append" or "-drive" || (args[i] == "-device" && args[i + 1].StartsWith("virtio-blk"))) { i++; continue; }
                kept.Add(args[i].Contains("hostfwd=") ? "NETDEV" : args[i]);
            }
            return kept;
        }
        Assert.Equal(Common(biscuit), Common(linux));
        Assert.Contains(linux, a => a.EndsWith("vmlinuz"));
        Assert.DoesNotContain("-drive", linux);
    }

    [Fact]
    public void Every_answered_wrk_run_counts_responses_in_at_least_one_whole_second_so_the_over_time_plots_have_points()
    {
        foreach (var boot in AnsweredBoots())
            foreach (var run in boot.GetProperty("runs").EnumerateArray())
                Assert.True(run.GetProperty("wrk").GetProperty("per_second").GetArrayLength() >= 1,
                    $"{boot.GetProperty("guest").GetString()} {run.GetProperty("file").GetString()}: no whole second in a {_bench.Nginx.GetProperty("load_seconds").GetInt32()} s run");
    }

    [Fact]
    public void The_plots_are_PNG_files_linked_from_the_report()
    {
        var plots = _bench.Nginx.GetProperty("plots").EnumerateArray().Select(p => p.GetProperty("file").GetString()!).ToList();
        Assert.Equal(new[] { "nginx-requests-per-s.png", "nginx-requests-over-time-small-c10.png", "nginx-requests-over-time-big-c10.png",
            "gc-pause-histogram.png", "gc-share.png", "gc-heap-over-time.png", "traced-request-cycles.png" }, plots);
        foreach (var plot in plots)
        {
            byte[] png = File.ReadAllBytes(Path.Combine(_bench.Folder, plot));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);   // PNG signature (ISO/IEC 15948, 5.2)
            Assert.True(png.Length > 5000, $"{plot}: {png.Length} bytes, too small to hold a plot");
            Assert.Contains($"]({plot})", _bench.Report);
        }
    }

    [Fact]
    public void The_report_says_what_the_numbers_are_and_prints_the_published_anchors_beside_them()
    {
        Assert.Contains("QEMU's TCG", _bench.Report);
        Assert.Contains($"with {_bench.Nginx.GetProperty("host_cores").GetInt32()} cores shared with other work", _bench.Report);
        Assert.Contains("| NGINX throughput vs Linux | Biscuit (Go): within 10–15% | Biscuit/Linux requests/s (QEMU TCG): small.html c10 ", _bench.Report);
        Assert.Contains("| longest single GC pause | Biscuit (Go): 115 µs | nginx load: ", _bench.Report);
    }
}

// The benchmark program's answers to bad input, and its table reader; no guest boots here. The
// program is built once by bench/run, then its assembly is run directly (a second each, not a build).
[Collection("bench program")]
public class BenchProgramInputTests
{
    private static readonly Lazy<string> s_program = new(() =>
    {
        var (code, output) = Repository.Run(Path.Combine(Repository.Root, "bench", "run"), "--parse-gc-table", TimeSpan.FromMinutes(5));
        if (code != 2) throw new InvalidOperationException($"bench/run did not build and answer (exit {code}):\n{output}");
        return Path.Combine(Repository.Root, "bench", "Biscuit.Bench", "bin", "Release", "net10.0", "Biscuit.Bench.dll");
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    private static (int Code, string Output) Bench(string arguments, string environment = "") =>
        Repository.Run("env", $"{environment} dotnet \"{s_program.Value}\" {arguments}", TimeSpan.FromMinutes(2));

    [Theory]
    [InlineData("nginx --repeat 0", "bench: --repeat needs a positive number, not '0'")]
    [InlineData("nginx --repeat", "bench: --repeat needs a positive number, not ''")]
    [InlineData("nginx --fast", "bench: unknown option '--fast'")]
    [InlineData("nginxx", "bench: no benchmark named 'nginxx'")]
    [InlineData("--parse-gc-table", "bench: --parse-gc-table needs a file")]
    public void A_bad_command_line_is_refused_with_exit_2_and_the_reason(string arguments, string message)
    {
        var (code, output) = Bench(arguments);
        Assert.Equal(2, code);
        Assert.Contains(message, output);
    }

    [Fact]
    public void A_load_time_that_is_not_a_number_of_seconds_stops_the_run_with_the_reason()
    {
        var (code, output) = Bench("nginx --quick --repeat 1", "BISCUIT_BENCH_LOAD_SECONDS=ten");
        Assert.Equal(1, code);
        Assert.Contains("bench: nginx failed: BISCUIT_BENCH_LOAD_SECONDS must be a positive number of seconds, not 'ten'", output);
    }

    // A table as lib's StatsTable.Format lays one out: names right-aligned over their columns.
    private static string Table(string[] servers, params (string Row, string[] Cells)[] rows)
    {
        int nameWidth = rows.Max(r => r.Row.Length);
        var widths = servers.Select((s, c) => Math.Max(s.Length, rows.Max(r => r.Cells[c].Length))).ToArray();
        var text = new StringBuilder("".PadRight(nameWidth));
        for (int c = 0; c < servers.Length; c++) text.Append("  ").Append(servers[c].PadLeft(widths[c]));
        text.Append('\n');
        foreach (var (row, cells) in rows)
        {
            text.Append(row.PadRight(nameWidth));
            for (int c = 0; c < cells.Length; c++) text.Append("  ").Append(cells[c].PadLeft(widths[c]));
            text.Append('\n');
        }
        return text.ToString();
    }

    private static readonly (string, string[])[] Rows =
    [
        ("uptime", ["42 s", "9 s"]),
        ("gc gen0/gen1/gen2", ["12/3/1", "0/0/0"]),
        ("gc pause total", ["15 ms", "0 ns"]),
        ("gc pause max (sampled)", ["2105 us", "0 ns"]),
        ("time in gc", ["0.04%", "0.00%"]),
        ("gcs sampled/missed", ["16/0", "0/0"]),
        ("heap now", ["12 MiB", "900 KiB"]),
        ("live after last gc", ["3 MiB", "0 B"]),
        ("heap limit", ["256 MiB", "96 MiB"]),
        ("committed", ["20 MiB", "4 MiB"]),
        ("allocated total", ["1 GiB", "5000 B"]),
        ("requests", ["4711", "17"]),
        ("  ok", ["4700", "17"]),
        ("  malformed/unknown", ["0/0", "0/0"]),
        ("  handler failed", ["0", "0"]),
        ("admitted/queued/refused", ["4711/5/0", "17/0/0"]),
        ("reserved now", ["64 KiB", "0 B"]),
        ("pauses <500us", ["10", "-"]),
        ("pauses <5ms", ["6", "0"]),
        ("pauses longer", ["0", "0"]),
    ];

    private (int Code, string Output) ParseTable(string table)
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("biscuit-gc-table-").FullName, "gc");
        File.WriteAllText(file, table);
        var result = Bench($"--parse-gc-table \"{file}\"");
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        return result;
    }

    [Fact]
    public void The_GC_table_reader_gives_every_server_s_figures_with_sizes_and_durations_in_base_units()
    {
        var (code, output) = ParseTable(Table(["posix-server", "fs"], Rows) + "no figures from net: timed out\n");
        Assert.True(code == 0, output);
        var json = JsonDocument.Parse(output[output.IndexOf('{')..]).RootElement;
        var servers = json.GetProperty("servers").EnumerateArray().ToList();
        Assert.Equal(new[] { "posix-server", "fs" }, servers.Select(s => s.GetProperty("server").GetString()).ToArray());
        var posix = servers[0];
        Assert.Equal(42.0, posix.GetProperty("uptime_s").GetDouble());
        Assert.Equal((12, 3, 1), (posix.GetProperty("gen0").GetInt32(), posix.GetProperty("gen1").GetInt32(), posix.GetProperty("gen2").GetInt32()));
        Assert.Equal((16, 0), (posix.GetProperty("pauses_sampled").GetInt32(), posix.GetProperty("pauses_missed").GetInt32()));
        Assert.Equal(15.0, posix.GetProperty("pause_total_ms").GetDouble());
        Assert.Equal(2.105, posix.GetProperty("pause_max_ms").GetDouble(), 9);
        Assert.Equal(0.0004, posix.GetProperty("time_in_gc_fraction").GetDouble(), 9);
        Assert.Equal(12L << 20, posix.GetProperty("heap_bytes").GetInt64());
        Assert.Equal(256L << 20, posix.GetProperty("heap_limit_bytes").GetInt64());
        Assert.Equal(1L << 30, posix.GetProperty("allocated_bytes").GetInt64());
        Assert.Equal((4711, 5, 0), (posix.GetProperty("admitted").GetInt32(), posix.GetProperty("queued").GetInt32(), posix.GetProperty("refused").GetInt32()));
        Assert.Equal(10, posix.GetProperty("pause_histogram").GetProperty("<500us").GetInt32());
        Assert.Equal(6, posix.GetProperty("pause_histogram").GetProperty("<5ms").GetInt32());
        var fs = servers[1];
        Assert.Equal(900L << 10, fs.GetProperty("heap_bytes").GetInt64());
        Assert.Equal(5000, fs.GetProperty("allocated_bytes").GetInt64());
        Assert.False(fs.GetProperty("pause_histogram").TryGetProperty("<500us", out _));   // "-": the bin is not in that server's set
        Assert.Equal("net: timed out", json.GetProperty("missing")[0].GetString());
    }

    [Fact]
    public void The_GC_table_reader_takes_the_exact_pause_and_per_request_rows_and_leaves_them_null_in_an_older_table()
    {
        (string, string[])[] newer =
        [
            .. Rows,
            ("gc pause total (ns)", ["15004321", "0"]),
            ("requests with gc/measured", ["12/4711", "0/17"]),
            ("request pause max", ["2105 us", "0 ns"]),
            ("request pause max (ns)", ["2105123", "0"]),
            ("request pause sum (ns)", ["9000000", "0"]),
            ("request pause <5ms", ["12", "0"]),
        ];
        var (code, output) = ParseTable(Table(["posix-server", "fs"], newer));
        Assert.True(code == 0, output);
        var posix = JsonDocument.Parse(output[output.IndexOf('{')..]).RootElement.GetProperty("servers")[0];
        Assert.Equal(15004321, posix.GetProperty("pause_total_ns").GetInt64());
        Assert.Equal(15.004321, posix.GetProperty("pause_total_ms").GetDouble(), 9);   // the exact row wins over the rounded one
        Assert.Equal((12, 4711), (posix.GetProperty("requests_with_gc").GetInt32(), posix.GetProperty("requests_measured").GetInt32()));
        Assert.Equal(2105123, posix.GetProperty("request_pause_max_ns").GetInt64());
        Assert.Equal(9000000, posix.GetProperty("request_pause_sum_ns").GetInt64());
        Assert.Equal(12, posix.GetProperty("request_pause_histogram").GetProperty("<5ms").GetInt32());
        Assert.False(posix.GetProperty("pause_histogram").TryGetProperty("request pause <5ms", out _));

        var (oldCode, oldOutput) = ParseTable(Table(["posix-server", "fs"], Rows));
        Assert.True(oldCode == 0, oldOutput);
        var old = JsonDocument.Parse(oldOutput[oldOutput.IndexOf('{')..]).RootElement.GetProperty("servers")[0];
        Assert.Equal(JsonValueKind.Null, old.GetProperty("pause_total_ns").ValueKind);
        Assert.Equal(JsonValueKind.Null, old.GetProperty("request_pause_max_ns").ValueKind);
        Assert.Equal(JsonValueKind.Null, old.GetProperty("requests_with_gc").ValueKind);
    }

    [Theory]
    [InlineData("requests with gc/measured", "12", "GC table: '12' is not two counts")]
    [InlineData("request pause max (ns)", "2 ms", "GC table: '2 ms' is not a count")]
    [InlineData("gc pause total (ns)", "-1", "GC table: '-1' is not a count")]
    public void A_GC_table_with_an_unreadable_exact_or_per_request_figure_is_refused_naming_it(string row, string cell, string message)
    {
        var (code, output) = ParseTable(Table(["posix-server", "fs"], [.. Rows, (row, [cell, "0"])]));
        Assert.Equal(2, code);
        Assert.Contains(message, output);
    }

    [Theory]
    [InlineData("heap now", "12 MB", "GC table: '12 MB' is not a size")]
    [InlineData("gc pause total", "15 minutes", "GC table: '15 minutes' is not a duration")]
    [InlineData("time in gc", "0.04", "GC table: '0.04' is not a percentage")]
    [InlineData("requests", "-3", "GC table: '-3' is not a count")]
    [InlineData("gc gen0/gen1/gen2", "12/3", "is not three counts")]
    [InlineData("gcs sampled/missed", "16", "GC table: '16' is not two counts")]
    [InlineData("uptime", null, "the GC table has no row 'uptime'")]
    public void A_GC_table_with_a_figure_it_cannot_read_is_refused_naming_the_figure(string row, string? cell, string message)
    {
        var rows = Rows.Where(r => r.Item1 != row || cell != null).Select(r => r.Item1 == row ? (r.Item1, new[] { cell!, r.Item2[1] }) : r).ToArray();
        var (code, output) = ParseTable(Table(["posix", "fs"], rows));
        Assert.Equal(2, code);
        Assert.Contains(message, output);
    }

    [Theory]
    [InlineData("", "the GC table is empty")]
    [InlineData("<html>502 Bad Gateway</html>\n", "is not a header of server names")]
    public void Text_that_is_not_a_GC_table_is_refused(string text, string message)
    {
        var (code, output) = ParseTable(text);
        Assert.Equal(2, code);
        Assert.Contains(message, output);
    }
}
