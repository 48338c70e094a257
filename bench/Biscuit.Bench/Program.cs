// ./biscuit bench [NAME...] [--repeat N] [--quick]: runs the named benchmarks (default: all that
// exist), writes bench/results/<date>-<commit>/results.json, report.md and the plots (PNG), prints
// a one-screen summary (TerminalSummary.cs). `--summary FILE` prints that summary for a saved
// results.json. --quick shortens the load of the nginx benchmark and the iterations of the posix
// benchmark (a smoke run, not a measurement).
// Benchmarks that compare with the Linux guest arrive with the issues that define them; the
// report says which ones exist.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Biscuit.Bench;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

string root = FindRoot();
string build = Path.Combine(root, "build");
int repeat = 5;
bool repeatGiven = false, quick = false;
var names = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--repeat")
    {
        if (i + 1 < args.Length && int.TryParse(args[i + 1], out repeat) && repeat > 0) { i++; repeatGiven = true; continue; }
        Console.Error.WriteLine($"bench: --repeat needs a positive number, not '{(i + 1 < args.Length ? args[i + 1] : "")}'");
        return 2;
    }
    if (args[i] == "--quick") { quick = true; continue; }
    if (args[i] == "--parse-gc-table") return ParseGcTable(i + 1 < args.Length ? args[i + 1] : null);
    if (args[i] == "--parse-net-stats") return NetGcWindow.Cli(args[(i + 1)..]);
    if (args[i] == "--net-drive") return NetBenchmark.Drive(i + 1 < args.Length ? args[i + 1] : null);
    if (args[i] == "--parse-posix-output") return ParsePosixOutput(i + 1 < args.Length ? args[i + 1] : null);
    if (args[i] == "--summary") return PrintSummary(i + 1 < args.Length ? args[i + 1] : null);
    if (args[i] == "--parse-fs-output") return FsOutputCheck.Print(i + 1 < args.Length ? args[i + 1] : null);
    if (args[i].StartsWith("-")) { Console.Error.WriteLine($"bench: unknown option '{args[i]}'"); return 2; }
    names.Add(args[i]);
}

// No names: every benchmark but the older Linux-only nginx baseline, fs and net at their suite sizes,
// so that the whole run ends within 30 minutes (issue 11); a named benchmark runs at its full size.
bool suite = names.Count == 0;
var available = new Dictionary<string, Func<Dictionary<string, object>>>
{
    ["boot"] = () => BootBenchmark.Run(build, repeat, s => Console.Error.Write($"\rbench: boot: {s}   ")),
    ["ipc"] = () => IpcBenchmark.Run(build, Math.Min(repeat, 3), s => Console.Error.Write($"\rbench: ipc: {s}   ")),
    ["linux-ipc"] = () => LinuxIpcBenchmark.Run(root, repeat, s => Console.Error.Write($"\rbench: linux-ipc: {s}   ")),
    ["nginx-linux"] = () => LinuxNginxBenchmark.Run(root, repeat, s => Console.Error.Write($"\rbench: nginx-linux: {s}   ")),
    ["nginx"] = () => NginxBenchmark.Run(root, quick ? NginxOptions.Quick(repeatGiven ? repeat : 1) : NginxOptions.Full(repeatGiven ? repeat : 3),
        s => Console.Error.Write($"\rbench: nginx: {s}   ")),
    ["servers"] = () => ServersBenchmark.Run(root, build, Math.Min(repeat, 3), s => Console.Error.Write($"\rbench: servers: {s}   ")),
    ["posix"] = () => PosixBenchmark.Run(root, repeatGiven ? repeat : (quick ? 1 : 3), quick, s => Console.Error.Write($"\rbench: posix: {s}   ")),
    ["fs"] = () => FsBenchmark.Run(root, quick ? FsOptions.Short(repeatGiven ? repeat : 1) : suite ? FsOptions.Suite(repeatGiven ? repeat : 3) : FsOptions.Full(repeatGiven ? repeat : 3), s => Console.Error.Write($"\rbench: fs: {s}   ")),
    ["net"] = () => NetBenchmark.Run(root, quick ? NetOptions.Quick(repeatGiven ? repeat : 1) : suite ? NetOptions.Suite(repeatGiven ? repeat : 3) : NetOptions.Full(repeatGiven ? repeat : 3), s => Console.Error.Write($"\rbench: net: {s}   ")),
    ["faults"] = () => FaultsBenchmark.Run(root, quick ? 1 : 3, 20000, s => Console.Error.Write($"\rbench: faults: {s}   ")),
};
if (suite) names.AddRange(available.Keys.Where(n => n != "nginx-linux"));
// ipc with linux-ipc: one series of alternating boots (Biscuit, Linux, ...), so ratios share the same minutes.
if (names.Contains("ipc") && names.Contains("linux-ipc"))
    LinuxIpcBenchmark.Interleave(available, root, build, repeat, s => Console.Error.Write($"\rbench: ipc + linux-ipc: {s}   "));
foreach (var n in names)
    if (!available.ContainsKey(n))
    {
        Console.Error.WriteLine($"bench: no benchmark named '{n}'; available: {string.Join(", ", available.Keys)}");
        return 2;
    }

var runClock = Stopwatch.StartNew();
string commit = Git(root, "rev-parse --short HEAD");
string dirty = Git(root, "status --porcelain").Length > 0 ? "-dirty" : "";
string stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss");
string outDir = Path.Combine(root, "bench", "results", $"{stamp}-{commit}{dirty}");
Directory.CreateDirectory(outDir);

var results = new Dictionary<string, object>
{
    ["commit"] = commit + dirty,
    ["date_utc"] = DateTime.UtcNow.ToString("o"),
    ["host"] = new Dictionary<string, object> { ["cores"] = Environment.ProcessorCount, ["os"] = Environment.OSVersion.ToString() },
};
foreach (var n in names)
{
    try
    {
        results[n] = available[n]();
    }
    catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException)
    {
        Console.Error.WriteLine($"\nbench: {n} failed: {e.Message}");
        if (Directory.GetFileSystemEntries(outDir).Length == 0) Directory.Delete(outDir);
        return 1;
    }
    Console.Error.WriteLine();
}

if (results.TryGetValue("nginx", out var ng) && ng is Dictionary<string, object> nginx)
    nginx["plots"] = NginxPlots.Draw(outDir, (List<GuestBoot>)nginx["boots"], (Dictionary<string, object>)nginx["summary"])
        .Select(p => new Dictionary<string, string> { ["file"] = p.File, ["title"] = p.Title }).ToList();

results["elapsed_minutes"] = Math.Round(runClock.Elapsed.TotalMinutes, 2);
var json = JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
File.WriteAllText(Path.Combine(outDir, "results.json"), json);
string report = Report.Markdown(results);
File.WriteAllText(Path.Combine(outDir, "report.md"), report);
using (var written = JsonDocument.Parse(json))
    Console.WriteLine(TerminalSummary.Format(written.RootElement));
Console.WriteLine($"bench: results in {Path.GetRelativePath(root, outDir)}/ (results.json, report.md{(Directory.GetFiles(outDir, "*.png").Length > 0 ? ", plots" : "")})");
return 0;

// --parse-gc-table FILE: the figures GcTable reads from a saved /proc/biscuit/gc, as JSON (for
// checking the parser against a real table); an unreadable table is exit 2 with the reason.
static int ParseGcTable(string? file)
{
    if (file == null) { Console.Error.WriteLine("bench: --parse-gc-table needs a file"); return 2; }
    try
    {
        var (servers, missing) = GcTable.Parse(File.ReadAllText(file));
        Console.WriteLine(JsonSerializer.Serialize(new { servers, missing },
            new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
        return 0;
    }
    catch (Exception e) when (e is FormatException or IOException)
    {
        Console.Error.WriteLine($"bench: {file}: {e.Message}");
        return 2;
    }
}

// --parse-posix-output FILE: what the posix benchmark reads from a saved serial log of
// bench/linux/posixbench.c (figures, failures with their reasons, whether it reached its end), and
// the reason it gives for every operation without a figure, as JSON; exit 2 if FILE cannot be read.
static int ParsePosixOutput(string? file)
{
    if (file == null) { Console.Error.WriteLine("bench: --parse-posix-output needs a file"); return 2; }
    try
    {
        var o = PosixOutput.Parse(File.ReadAllLines(file));
        var missing = PosixOutput.Operations.Where(op => !o.Figures.ContainsKey(op))
            .ToDictionary(op => op, op => o.Missing(op, o.Done ? "the program reached its end without it" : "the program stopped before it"));
        Console.WriteLine(JsonSerializer.Serialize(new { o.Started, o.Done, o.TscGhz, o.Figures, o.Failures, missing,
                system_notes = PosixBenchmark.SystemNotes(File.ReadAllLines(file)) },
            new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
        return 0;
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"bench: {file}: {e.Message}");
        return 2;
    }
}

// --summary FILE: the one-screen summary of a saved results.json (with the run's time if it recorded it); exit 2
// if FILE cannot be read or is not JSON.
static int PrintSummary(string? file)
{
    if (file == null) { Console.Error.WriteLine("bench: --summary needs a results.json"); return 2; }
    try
    {
        using var saved = JsonDocument.Parse(File.ReadAllText(file));
        Console.WriteLine(TerminalSummary.Format(saved.RootElement));
        return 0;
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
    {
        Console.Error.WriteLine($"bench: {file}: {e.Message}");
        return 2;
    }
}

static string FindRoot()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "Biscuit.sln"))) return d.FullName;
    return Directory.GetCurrentDirectory();
}

static string Git(string root, string args)
{
    var p = Process.Start(new ProcessStartInfo("git", args) { WorkingDirectory = root, RedirectStandardOutput = true })!;
    string s = p.StandardOutput.ReadToEnd().Trim();
    p.WaitForExit();
    return s;
}
