// The request mm answers besides lib's standard ones (Stats, ...): MmStats, its memory figures
// beside its own GC figures (issue 8 item 7). Wire id 16 (the first a server may use), idempotent
// (a read). The reply: lib's StatsReport, the system's frames and paging counters, mm's policy
// figures and its last out-of-memory event, the processes with the largest resident sets (at most
// MaxProcesses of them, so the reply always fits in one IPC message), and what asking the servers to
// shrink has given back (ShrinkFigures); then, when mm is the pager (the `pager` option), the
// faults it served (PagerFigures: per process too, so faults served by mm can be told from the
// kernel's — the census's page faults count both).
using Biscuit.Lib.Messages;
using Biscuit.Lib.Telemetry;
using MessagePack;

namespace Biscuit.Mm;

public sealed record MmFigures(StatsReport Gc, SystemMemory System, long LowWaterFrames, long Ticks,
    long LowMemoryEpisodes, long Kills, long KillsRefused, string LastEvent, ProcessMemory[] Processes, ShrinkFigures Shrink,
    PagerFigures Pager)
{
    public const int MaxProcesses = 16;
}

public static class MmContracts
{
    public static readonly RequestType<Empty, MmFigures> MmStats =
        new(RequestTypeInfo.FirstServerId, "MmStats", idempotent: true, Codecs.Empty, MmFiguresCodec.Instance);
}

/// <summary>MmFigures as a MessagePack array of 11 fields: the StatsReport, the 7 system figures (an
/// array), the 5 policy figures, the last event, the processes (arrays of 8 fields each), the 7
/// shrink figures (an array), and the pager figures (an array of 7: registered, served, kills,
/// segvs, supply errors, malformed, and the processes as arrays of 4: id, faults served by mm, answered with a signal, served by the kernel). A writer of 10 fields (before
/// the pager option) reads as PagerFigures.Off.
/// Reading refuses what a writer never sends: short arrays, negative figures, too many processes.</summary>
public sealed class MmFiguresCodec : IMessageCodec<MmFigures>
{
    public static readonly MmFiguresCodec Instance = new();
    private const int Fields = 11, FieldsBeforePager = 10, SystemFields = 7, ProcessFields = 8, ShrinkFields = 7, PagerFields = 7, PagerProcessFields = 4, PagerProcessFieldsBefore = 3;

    public void Write(ref MessagePackWriter w, MmFigures f)
    {
        w.WriteArrayHeader(Fields);
        StatsReportCodec.Instance.Write(ref w, f.Gc);
        var s = f.System;
        w.WriteArrayHeader(SystemFields);
        w.Write(s.FreeFrames); w.Write(s.UsedFrames); w.Write(s.TotalFrames);
        w.Write(s.CopyOnWriteFaults); w.Write(s.PagesCopied); w.Write(s.DemandZeroFaults); w.Write(s.QuotaKills);
        w.Write(f.LowWaterFrames); w.Write(f.Ticks); w.Write(f.LowMemoryEpisodes); w.Write(f.Kills); w.Write(f.KillsRefused);
        w.Write(f.LastEvent);
        int n = Math.Min(f.Processes.Length, MmFigures.MaxProcesses);
        w.WriteArrayHeader(n);
        for (int i = 0; i < n; i++)
        {
            var p = f.Processes[i];
            w.WriteArrayHeader(ProcessFields);
            w.Write(p.Id); w.Write(p.Name); w.Write(p.ResidentPages); w.Write(p.QuotaPages);
            w.Write(p.PageFaults); w.Write(p.CopiesOnWrite); w.Write(p.IsApplication); w.Write(p.IsInit);
        }
        var k = f.Shrink;
        w.WriteArrayHeader(ShrinkFields);
        w.Write(k.Rounds); w.Write(k.RoundsThatSufficed); w.Write(k.FramesRegained); w.Write(k.CacheBytesDropped);
        w.Write(k.HeapBytesShrunk); w.Write(k.CommittedBytesReturned); w.Write(k.Unanswered);
        var g = f.Pager;
        w.WriteArrayHeader(PagerFields);
        w.Write(g.Registered); w.Write(g.FaultsServed); w.Write(g.Kills); w.Write(g.Segvs); w.Write(g.SupplyErrors); w.Write(g.Malformed);
        int m = Math.Min(g.Processes.Length, PagerFigures.MaxProcesses);
        w.WriteArrayHeader(m);
        for (int i = 0; i < m; i++)
        {
            var p = g.Processes[i];
            w.WriteArrayHeader(PagerProcessFields);
            w.Write(p.Id); w.Write(p.FaultsServed); w.Write(p.Signalled); w.Write(p.FaultsByKernel);
        }
    }

    public MmFigures Read(ref MessagePackReader r)
    {
        int count = Codecs.ReadArrayAtLeast(ref r, FieldsBeforePager, "MmFigures");
        var gc = StatsReportCodec.Instance.Read(ref r);
        int sc = Codecs.ReadArrayAtLeast(ref r, SystemFields, "MmFigures.System");
        var system = new SystemMemory(Count(ref r, "free frames"), Count(ref r, "used frames"), Count(ref r, "total frames"),
            Count(ref r, "copy-on-write faults"), Count(ref r, "pages copied"), Count(ref r, "demand-zero faults"), Count(ref r, "quota kills"));
        Codecs.SkipExtraFields(ref r, sc, SystemFields);
        long lowWater = Count(ref r, "low water"), ticks = Count(ref r, "ticks"), episodes = Count(ref r, "episodes"),
            kills = Count(ref r, "kills"), refused = Count(ref r, "kills refused");
        string lastEvent = Codecs.ReadRequiredString(ref r, "MmFigures.LastEvent");
        int n = r.ReadArrayHeader();
        if (n > MmFigures.MaxProcesses) throw new MalformedMessageException($"MmFigures: {n} processes, at most {MmFigures.MaxProcesses}");
        var processes = new ProcessMemory[n];
        for (int i = 0; i < n; i++)
        {
            int pc = Codecs.ReadArrayAtLeast(ref r, ProcessFields, "MmFigures.Process");
            processes[i] = new ProcessMemory(Count(ref r, "id"), Codecs.ReadRequiredString(ref r, "process name"), Count(ref r, "resident"),
                Count(ref r, "quota"), Count(ref r, "faults"), Count(ref r, "copies"), r.ReadBoolean(), r.ReadBoolean());
            Codecs.SkipExtraFields(ref r, pc, ProcessFields);
        }
        int kc = Codecs.ReadArrayAtLeast(ref r, ShrinkFields, "MmFigures.Shrink");
        var shrink = new ShrinkFigures(Count(ref r, "shrink rounds"), Count(ref r, "rounds that sufficed"), Count(ref r, "frames regained"),
            Count(ref r, "cache bytes dropped"), Count(ref r, "heap bytes shrunk"), Count(ref r, "committed bytes returned"),
            Count(ref r, "unanswered"));
        Codecs.SkipExtraFields(ref r, kc, ShrinkFields);
        var pager = count > FieldsBeforePager ? ReadPager(ref r) : PagerFigures.Off;
        Codecs.SkipExtraFields(ref r, count, Math.Min(count, Fields));
        return new MmFigures(gc, system, lowWater, ticks, episodes, kills, refused, lastEvent, processes, shrink, pager);
    }

    private static PagerFigures ReadPager(ref MessagePackReader r)
    {
        int gc = Codecs.ReadArrayAtLeast(ref r, PagerFields, "MmFigures.Pager");
        bool registered = r.ReadBoolean();
        long served = Count(ref r, "pager faults served"), kills = Count(ref r, "pager kills"), segvs = Count(ref r, "pager segvs"),
            errors = Count(ref r, "supply errors"), malformed = Count(ref r, "malformed faults");
        int n = r.ReadArrayHeader();
        if (n > PagerFigures.MaxProcesses) throw new MalformedMessageException($"MmFigures: {n} paged processes, at most {PagerFigures.MaxProcesses}");
        var processes = new PagerProcessFigures[n];
        for (int i = 0; i < n; i++)
        {
            int pc = Codecs.ReadArrayAtLeast(ref r, PagerProcessFieldsBefore, "MmFigures.Pager.Process");
            processes[i] = new PagerProcessFigures(Count(ref r, "paged process id"), Count(ref r, "faults served"), Count(ref r, "signalled"),
                pc > PagerProcessFieldsBefore ? Count(ref r, "faults by the kernel") : 0);
            Codecs.SkipExtraFields(ref r, pc, Math.Min(pc, PagerProcessFields));
        }
        Codecs.SkipExtraFields(ref r, gc, PagerFields);
        return new PagerFigures(registered, served, kills, segvs, errors, malformed, processes);
    }

    private static long Count(ref MessagePackReader r, string what)
    {
        long v = r.ReadInt64();
        if (v < 0) throw new MalformedMessageException($"MmFigures: {what} is negative ({v})");
        return v;
    }
}
