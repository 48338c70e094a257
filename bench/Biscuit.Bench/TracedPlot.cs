// The traced requests' plot: one stacked bar per request (TracedSummary.CyclesPerRequest), a
// segment per process — its cycles in that request's window less the readings' median — with the
// idle loop on top in grey. A segment below zero (a request cheaper than the median readings in
// that process) is drawn as zero; the table in the report keeps the signed figures.
using ScottPlot;

namespace Biscuit.Bench;

public static class TracedPlot
{
    public static Plot Draw(TracedFigures figures)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var order = figures.Processes.Select(p => p.Name).ToList();   // busiest first, idle last
        for (int r = 0; r < figures.CyclesPerRequest.Count; r++)
        {
            double bottom = 0;
            for (int i = 0; i < order.Count; i++)
            {
                double value = Math.Max(0, figures.CyclesPerRequest[r].GetValueOrDefault(order[i])) / 1e6;
                if (value <= 0) continue;
                bool idle = figures.Processes[i].Kind == "idle";
                plot.Add.Bar(new Bar
                {
                    Position = r + 1, ValueBase = bottom, Value = bottom + value, Size = 0.8,
                    FillColor = idle ? Colors.LightGray : palette.GetColor(i),
                });
                bottom += value;
            }
        }
        for (int i = 0; i < order.Count; i++)
            plot.Legend.ManualItems.Add(new LegendItem
            {
                LabelText = order[i], FillColor = figures.Processes[i].Kind == "idle" ? Colors.LightGray : palette.GetColor(i),
            });
        plot.Axes.Margins(bottom: 0);
        plot.XLabel("traced request (one small.html GET at a time)");
        plot.YLabel("million guest TSC cycles (readings' median subtracted)");
        plot.ShowLegend(Edge.Right);
        return plot;
    }
}
