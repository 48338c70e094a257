// The PNG plots of the nginx benchmark, drawn with ScottPlot (SkiaSharp underneath, headless: the
// NoDependencies native assets need no fontconfig; text needs a TrueType font under
// /usr/share/fonts, Debian's fonts-dejavu-core, without which plots are drawn with no text).
// Each plot is one file in the run's results folder; Draw returns their names, in report order.
using ScottPlot;

namespace Biscuit.Bench;

public static class NginxPlots
{
    public const int Width = 900, Height = 500;
    private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    public static List<(string File, string Title)> Draw(string folder, List<GuestBoot> boots, Dictionary<string, object> summary)
    {
        var drawn = new List<(string, string)>();
        void Save(Plot plot, string file, string title)
        {
            plot.Title(title);
            plot.SavePng(Path.Combine(folder, file), Width, Height);
            drawn.Add((file, title));
        }
        var biscuit = (Dictionary<string, object>)summary["biscuit"];
        var linux = (Dictionary<string, object>)summary["linux"];
        var gc = (List<ServerLoadGc>)biscuit["gc_during_load"];

        Save(RequestsBars((Dictionary<string, LoadFigures>)biscuit["load"], (Dictionary<string, LoadFigures>)linux["load"]),
            "nginx-requests-per-s.png", "nginx requests/s, Biscuit beside Linux (median, bars min–max over boots)");
        foreach (var (file, connections) in boots.SelectMany(b => b.Runs).Select(r => (r.File, r.Connections)).Distinct())
            Save(RequestsOverTime(boots, file, connections), $"nginx-requests-over-time-{Path.GetFileNameWithoutExtension(file)}-c{connections}.png",
                $"{file}, {connections} connection{(connections == 1 ? "" : "s")}: responses per second (restarts marked)");
        if (gc.Count > 0)
        {
            Save(PauseHistogram(gc), "gc-pause-histogram.png", "sampled GC pauses per server during the load (all Biscuit boots)");
            Save(GcShare(gc), "gc-share.png", "GC share of the load window per server (highest over boots)");
        }
        var sampled = boots.FirstOrDefault(b => b.Guest == "biscuit" && b.Error == null && b.GcSamples.Any(s => s.Error == null));
        if (sampled != null)
            Save(HeapOverTime(sampled), "gc-heap-over-time.png", $"heap per server over time (Biscuit, round {sampled.Round}; shaded: measured wrk runs)");
        var traced = TracedSummary.Of(boots.Where(b => b.Guest == "biscuit" && b.Error == null).Select(b => (IReadOnlyList<TracedWindow>)b.Traced));
        if (traced != null)
            Save(TracedPlot.Draw(traced), "traced-request-cycles.png", "one HTTP request at a time on Biscuit: cycles per process in each request");
        return drawn;
    }

    private static Plot RequestsBars(Dictionary<string, LoadFigures> biscuit, Dictionary<string, LoadFigures> linux)
    {
        var plot = new Plot();
        var keys = linux.Keys.Union(biscuit.Keys).ToList();
        var ticks = new List<Tick>();
        for (int i = 0; i < keys.Count; i++)
        {
            foreach (var (guest, figures, offset, color) in new[] { ("Linux", linux, -0.2, Palette.GetColor(0)), ("Biscuit", biscuit, 0.2, Palette.GetColor(1)) })
            {
                if (!figures.TryGetValue(keys[i], out var f)) continue;
                var s = f.RequestsPerS;
                plot.Add.Bar(new Bar { Position = i + offset, Value = s.Median, Size = 0.38, FillColor = color });
                var whisker = new ScottPlot.Plottables.ErrorBar([i + offset], [s.Median], null, null, [s.Max - s.Median], [s.Median - s.Min]) { LineColor = Colors.Black };
                plot.Add.Plottable(whisker);
            }
            ticks.Add(new Tick(i, keys[i]));
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.YLabel("requests/s");
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "Linux", FillColor = Palette.GetColor(0) });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "Biscuit", FillColor = Palette.GetColor(1) });
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    // One line per boot and round: Linux blue and dashed, Biscuit orange and solid.
    private static Plot RequestsOverTime(List<GuestBoot> boots, string file, int connections)
    {
        var plot = new Plot();
        double highest = 1;
        int lines = 0;
        foreach (var boot in boots.Where(b => b.Error == null))
            foreach (var run in boot.Runs.Where(r => r.File == file && r.Connections == connections))
            {
                highest = Math.Max(highest, run.Wrk.PerSecond.DefaultIfEmpty(0).Max());
                if (run.Wrk.PerSecond.Count == 0) continue;
                lines++;
                var xs = Enumerable.Range(1, run.Wrk.PerSecond.Count).Select(x => (double)x).ToArray();
                bool linux = boot.Guest == "linux";
                var line = plot.Add.Scatter(xs, run.Wrk.PerSecond.Select(v => (double)v).ToArray(), Palette.GetColor(linux ? 0 : 1));
                line.MarkerSize = 5;   // a short run has one or two points, which a line alone would not show
                line.LinePattern = linux ? LinePattern.Dashed : LinePattern.Solid;
                line.LegendText = $"{(linux ? "Linux" : "Biscuit")}, round {boot.Round}";
                // A server restart seen in the GC samples during this run: a vertical line at its second.
                foreach (double at in Restarts(boot).Where(t => t >= run.StartS && t <= run.EndS))
                    plot.Add.VerticalLine(at - run.StartS, 2, Colors.Red, LinePattern.Dotted);
            }
        if (lines == 0)   // say so on the plot rather than draw empty axes
            plot.Add.Annotation("no run of this file lasted a whole wall-clock second after its first: nothing to plot", Alignment.MiddleCenter);
        plot.XLabel("second of the wrk run");
        plot.YLabel("responses in that second");
        plot.Axes.AutoScaleX();
        plot.Axes.SetLimitsY(0, highest * 1.1);
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    // Host-clock times (s, on the boot's clock) at which some server's uptime went backwards.
    public static IEnumerable<double> Restarts(GuestBoot boot)
    {
        var good = boot.GcSamples.Where(s => s.Error == null).ToList();
        for (int i = 1; i < good.Count; i++)
            foreach (var now in good[i].Servers)
                if (good[i - 1].Servers.FirstOrDefault(s => s.Server == now.Server) is { } before && now.UptimeS < before.UptimeS)
                    yield return good[i].AtS;
    }

    private static Plot PauseHistogram(List<ServerLoadGc> gc)
    {
        var plot = new Plot();
        var bins = gc.SelectMany(s => s.PauseHistogram.Keys).Distinct()
            .OrderBy(b => GcTable.BinUpperBoundNs(b) ?? long.MaxValue).ToList();
        double width = 0.8 / gc.Count;
        for (int s = 0; s < gc.Count; s++)
        {
            for (int b = 0; b < bins.Count; b++)
                plot.Add.Bar(new Bar
                {
                    Position = b - 0.4 + width * (s + 0.5), Value = gc[s].PauseHistogram.GetValueOrDefault(bins[b]),
                    Size = width * 0.95, FillColor = Palette.GetColor(s),
                });
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = gc[s].Server, FillColor = Palette.GetColor(s) });
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            bins.Select((b, i) => new Tick(i, b == "longer" ? "longer (open bin)" : b)).ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.XLabel("pause length (bin upper bound)");
        plot.YLabel("pauses");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    private static Plot GcShare(List<ServerLoadGc> gc)
    {
        var plot = new Plot();
        for (int s = 0; s < gc.Count; s++)
            plot.Add.Bar(new Bar { Position = s, Value = gc[s].GcShareOfWindow * 100, FillColor = Palette.GetColor(s), Size = 0.6 });
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(gc.Select((g, i) => new Tick(i, g.Server)).ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.YLabel("% of wall-clock time in GC pauses");
        return plot;
    }

    private static Plot HeapOverTime(GuestBoot boot)
    {
        var plot = new Plot();
        foreach (var run in boot.Runs)
            plot.Add.HorizontalSpan(run.StartS, run.EndS, Colors.Gray.WithAlpha(0.15));   // ScottPlot: a span along the horizontal axis
        var good = boot.GcSamples.Where(s => s.Error == null).ToList();
        var servers = good.SelectMany(s => s.Servers.Select(x => x.Server)).Distinct().ToList();
        for (int i = 0; i < servers.Count; i++)
        {
            var points = good.Select(s => (s.AtS, Figures: s.Servers.FirstOrDefault(x => x.Server == servers[i]))).Where(p => p.Figures != null).ToList();
            var line = plot.Add.Scatter(points.Select(p => p.AtS).ToArray(), points.Select(p => p.Figures!.HeapBytes / 1048576.0).ToArray(), Palette.GetColor(i));
            line.MarkerSize = 4;
            line.LegendText = servers[i];
        }
        plot.XLabel("seconds since the load started (warm-ups included)");
        plot.YLabel("heap (MiB, as /proc/biscuit/gc rounds it)");
        plot.Axes.AutoScaleX();
        plot.Axes.SetLimitsY(0, Math.Max(1, good.SelectMany(s => s.Servers).Select(x => x.HeapBytes / 1048576.0).DefaultIfEmpty(0).Max()) * 1.1);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }
}
