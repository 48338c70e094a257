// `bench/run --parse-fs-output FILE`: what the fs benchmark reads from a saved serial log of
// bench/linux/fsbench.c, as JSON — each phase's figure and rate (at the log's own TSC rate), the
// failures with their reasons, the reason for every phase without a figure, the cache lines, the fs
// server's GC window of every phase (from the /proc/biscuit dumps, through GcTable and CpuCensus), and
// the system's serial lines about failures. For checking the readers against a real log without a
// boot; exit 2 if FILE cannot be read.
using System.Text.Json;

namespace Biscuit.Bench;

public static class FsOutputCheck
{
    public static int Print(string? file)
    {
        if (file == null) { Console.Error.WriteLine("bench: --parse-fs-output needs a file"); return 2; }
        string[] lines;
        try { lines = File.ReadAllLines(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"bench: {file}: {e.Message}");
            return 2;
        }
        var o = FsOutput.Parse(lines);
        double ghz = o.TscGhz is > 0 ? o.TscGhz.Value : 1.0;
        string ending = o.Done ? "the program reached its end without it" : "the program stopped before it";
        var missing = FsOutput.Phases.Where(p => !o.Figures.ContainsKey(p)).ToDictionary(p => p, p => o.Missing(p, ending));
        var rates = o.Figures.ToDictionary(f => f.Key, f => new { value = FsSummary.Rate(f.Key, f.Value, ghz), unit = FsSummary.UnitOf(f.Key) });
        var windows = FsOutput.Phases.ToDictionary(p => p, p => FsServerWindow.Of(o, p, ghz));
        Console.WriteLine(JsonSerializer.Serialize(new
            {
                o.Started, o.Done, o.TscGhz, o.FileBytes, o.SmallFiles, o.Figures, rates, o.Failures, missing, o.Cache,
                fs_server = windows, system_notes = FsBenchmark.SystemNotes(lines),
            },
            new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
        return 0;
    }
}
