// mm's requests on lib's MessageServer: MmStats answers from the monitor's last look at memory
// (it does not call the kernel itself, so a Stats flood cannot slow the policy down) and from the
// server's own GC telemetry, and from the pager's counts when mm is the pager. The largest resident sets come first.
using Biscuit.Lib.Messages;
using Biscuit.Lib.Server;

namespace Biscuit.Mm;

public sealed class MmService(MemoryMonitor monitor, PagerPolicy? pager = null)
{
    private MessageServer? server;      // set once by RegisterOn, before the server runs

    public void RegisterOn(MessageServer messageServer)
    {
        server = messageServer;
        messageServer.Register(MmContracts.MmStats, MmStats);
    }

    public MmFigures MmStats(Empty _)
    {
        var gc = server?.CollectStats() ?? throw new InvalidOperationException("MmStats before the service was registered on a server");
        var s = monitor.Snapshot();
        var largest = s.Processes.OrderByDescending(p => p.ResidentPages).ThenBy(p => p.Id).Take(MmFigures.MaxProcesses).ToArray();
        return new MmFigures(gc, s.System, s.LowWaterFrames, s.Ticks, s.LowMemoryEpisodes, s.Kills, s.KillsRefused, s.LastEvent, largest, s.Shrink,
            pager is null ? PagerFigures.Off : WithKernelFaults(pager.Figures(), s.Processes));
    }

    // The census counts every fault served for a process (mm's and the kernel's); the rest is the kernel's.
    private static PagerFigures WithKernelFaults(PagerFigures f, IReadOnlyList<ProcessMemory> census)
    {
        var faults = census.ToDictionary(p => p.Id, p => p.PageFaults);
        return f with
        {
            Processes = f.Processes.Select(p => p with
            {
                FaultsByKernel = faults.TryGetValue(p.Id, out long all) ? Math.Max(0, all - p.FaultsServed) : 0,
            }).ToArray(),
        };
    }
}
