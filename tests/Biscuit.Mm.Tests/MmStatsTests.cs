// Specification of mm's MmStats request (servers/mm/Biscuit.Mm/MmContracts.cs, MmService.cs): the
// monitor's figures beside the server's GC figures, through lib's MessageServer and client over the
// in-memory transport, and the codec's refusal of what no writer sends.
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Server;
using Biscuit.Lib.Telemetry;
using Biscuit.Mm;
using MessagePack;
using static Biscuit.Mm.Tests.FakeKernel;

namespace Biscuit.Mm.Tests;

public class MmStatsTests
{
    internal static ServiceClient Serve(MemoryMonitor monitor, PagerPolicy? pager = null)
    {
        var endpoint = new InMemoryEndpoint();
        var server = new MessageServer(new ServerOptions { Name = "mm", Log = _ => { } });
        new MmService(monitor, pager).RegisterOn(server);
        var side = endpoint.CreateServer();
        new Thread(() => server.Run(side)) { IsBackground = true }.Start();
        return new ServiceClient(endpoint.CreateClient());
    }

    [Fact]
    public void MmStats_reports_the_system_the_largest_processes_the_events_and_the_GC_figures()
    {
        var kernel = new FakeKernel { FreeFrames = 400 };
        kernel.Processes = [Init(1), Server(2, "fs", 9000), Application(10, "hog", 7000), Application(11, "sh", 20)];
        var monitor = new MemoryMonitor(kernel, new OomPolicy(1000), _ => { });
        monitor.Tick();
        var r = Serve(monitor).Call(MmContracts.MmStats, default, 10_000);
        Assert.True(r.IsOk, r.ToString());
        var f = r.Value!;
        Assert.Equal("mm", f.Gc.Server);
        Assert.True(f.Gc.HeapLimitBytes >= 0);
        Assert.Equal(400, f.System.FreeFrames);
        Assert.Equal(65_536, f.System.TotalFrames);
        Assert.Equal(1000, f.LowWaterFrames);
        Assert.Equal(1, f.Kills);
        Assert.Contains("killed process 10 (hog)", f.LastEvent);
        // What the census saw at that tick, largest first.
        Assert.Equal([2L, 10, 1, 11], f.Processes.Select(p => p.Id).ToArray());
        Assert.True(f.Processes[1].IsApplication);
        Assert.True(f.Processes[2].IsInit);
    }

    [Fact]
    public void MmStats_lists_at_most_16_processes()
    {
        var kernel = new FakeKernel();
        kernel.Processes = Enumerable.Range(1, 40).Select(i => Application(i, "p" + i, i)).ToList();
        var monitor = new MemoryMonitor(kernel, new OomPolicy(1000), _ => { });
        monitor.Tick();
        var f = Serve(monitor).Call(MmContracts.MmStats, default, 10_000).Value!;
        Assert.Equal(16, f.Processes.Length);
        Assert.Equal(40, f.Processes[0].Id);
    }

    internal delegate void Body(ref MessagePackWriter w);

    internal static byte[] Encode(Body write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        write(ref w);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    internal static MmFigures Decode(byte[] bytes)
    {
        var reader = new MessagePackReader(bytes);
        return MmFiguresCodec.Instance.Read(ref reader);
    }

    internal static MmFigures Sample(long free = 7, int processes = 1, PagerFigures? pager = null) => new(new StatsReport { Server = "mm", HistogramCounts = [0] },
        new SystemMemory(free, 1, 8, 0, 0, 0, 0), 2, 3, 0, 0, 0, "",
        Enumerable.Range(0, processes).Select(i => Application(i + 1, "a", 1)).ToArray(), new ShrinkFigures(1, 2, 3, 4, 5, 6, 7),
        pager ?? PagerFigures.Off);

    [Fact]
    public void The_codec_round_trips_its_figures()
    {
        var f = Decode(Encode((ref MessagePackWriter w) => MmFiguresCodec.Instance.Write(ref w, Sample())));
        Assert.Equal(7, f.System.FreeFrames);
        Assert.Equal("a", Assert.Single(f.Processes).Name);
        Assert.Equal(new ShrinkFigures(1, 2, 3, 4, 5, 6, 7), f.Shrink);
    }

    [Fact]
    public void The_codec_refuses_short_arrays_negative_figures_and_too_many_processes()
    {
        Assert.Throws<MalformedMessageException>(() => Decode(Encode((ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(1); w.Write(2); w.Write(3); })));
        Assert.Throws<MalformedMessageException>(() => Decode(Encode((ref MessagePackWriter w) => MmFiguresCodec.Instance.Write(ref w, Sample(free: -1)))));
        // A writer that lists 17 processes: crafted by hand (the codec itself writes at most 16).
        var tooMany = Encode((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(10);
            StatsReportCodec.Instance.Write(ref w, new StatsReport { HistogramCounts = [0] });
            w.WriteArrayHeader(7);
            for (int i = 0; i < 7; i++) w.Write(0L);
            for (int i = 0; i < 5; i++) w.Write(0L);
            w.Write("");
            w.WriteArrayHeader(17);
            for (int i = 0; i < 17; i++) w.WriteNil();
        });
        Assert.Throws<MalformedMessageException>(() => Decode(tooMany));
    }
}
