// Specification of mm as the pager (the `pager` option; servers/mm/Biscuit.Mm/PagerFault.cs,
// PagerPolicy.cs, the pager part of MmStats): the fault message as the kernel writes it, the
// decision for each fault (a zeroed page; SIGKILL over the quota; SIGSEGV with only the servers'
// reserve free), the per-process counts MmStats reports, and the refusal of what no kernel sends.
using System.Buffers.Binary;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Telemetry;
using Biscuit.Mm;
using MessagePack;
using static Biscuit.Mm.Tests.FakeKernel;

namespace Biscuit.Mm.Tests;

public class PagerTests
{
    private static byte[] Payload(params ulong[] words)
    {
        var bytes = new byte[words.Length * 8];
        for (int i = 0; i < words.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 8), words[i]);
        return bytes;
    }

    // process 7, thread 70, address, write, rip, resident 100, quota 200, free 5000, reserve 256
    private static byte[] Fault(ulong access = 1, ulong resident = 100, ulong quota = 200, ulong free = 5000, ulong reserve = 256) =>
        Payload(7, 70, 0x4000_1234, access, 0x40_1000, resident, quota, free, reserve, 0);

    private static PagerFault Decoded(byte[] payload)
    {
        Assert.True(PagerFault.TryDecode(PagerFault.Label, payload, out var f, out string why), why);
        return f;
    }

    [Fact]
    public void A_fault_message_decodes_to_its_process_address_access_and_figures()
    {
        var f = Decoded(Fault(access: 1));
        Assert.Equal(new PagerFault(7, 70, 0x4000_1234, true, false, 0x40_1000, 100, 200, 5000, 256), f);
        Assert.True(Decoded(Fault(access: 2)).Execute);
        Assert.False(Decoded(Fault(access: 0)).Write);
    }

    [Fact]
    public void A_message_with_another_label_a_short_payload_or_unknown_access_bits_is_refused_with_the_reason()
    {
        Assert.False(PagerFault.TryDecode(0x4C4E_5800_0000_0001, Fault(), out _, out string why));
        Assert.Contains("not a page fault", why);
        Assert.False(PagerFault.TryDecode(PagerFault.Label, Fault().AsSpan(0, 72), out _, out why));
        Assert.Contains("72 payload bytes", why);
        Assert.False(PagerFault.TryDecode(PagerFault.Label, Fault(access: 4), out _, out why));
        Assert.Contains("unknown access bits", why);
        Assert.False(PagerFault.TryDecode(PagerFault.Label, Fault(resident: ulong.MaxValue), out _, out why));
        Assert.Contains("out of range", why);
    }

    [Fact]
    public void A_fault_within_the_quota_with_memory_free_gets_a_zeroed_page() =>
        Assert.Equal(PagerAnswer.Zero, PagerPolicy.Decide(Decoded(Fault(resident: 199, quota: 200))));

    [Fact]
    public void A_process_with_no_quota_gets_a_page() =>
        Assert.Equal(PagerAnswer.Zero, PagerPolicy.Decide(Decoded(Fault(resident: 1_000_000, quota: 0))));

    [Fact]
    public void A_fault_past_the_quota_kills_the_process_and_says_so_with_the_numbers()
    {
        var f = Decoded(Fault(resident: 200, quota: 200));
        Assert.Equal(PagerAnswer.Kill, PagerPolicy.Decide(f));
        Assert.Equal("mm: pager: process 7 is over its quota of 200 pages (200 resident) at 0x40001234: killed (SIGKILL)",
            PagerPolicy.Explain(f, PagerAnswer.Kill));
    }

    [Fact]
    public void A_fault_with_only_the_servers_reserve_free_is_SIGSEGV()
    {
        var f = Decoded(Fault(free: 256, reserve: 256));
        Assert.Equal(PagerAnswer.Segv, PagerPolicy.Decide(f));
        Assert.Contains("(256 free, reserve 256): SIGSEGV", PagerPolicy.Explain(f, PagerAnswer.Segv));
        Assert.Null(PagerPolicy.Explain(f, PagerAnswer.Zero));
    }

    [Fact]
    public void The_policy_counts_per_process_what_it_served_and_signalled_but_not_what_the_kernel_refused()
    {
        var p = new PagerPolicy();
        p.Registered(true);
        for (int i = 0; i < 3; i++) p.Record(7, PagerAnswer.Zero, 0);
        p.Record(8, PagerAnswer.Zero, 0);
        p.Record(8, PagerAnswer.Kill, 0);
        p.Record(9, PagerAnswer.Segv, 0);
        p.Record(7, PagerAnswer.Zero, -22);      // EINVAL from memory_page_supply: not served
        p.RecordMalformed();
        var f = p.Figures();
        Assert.True(f.Registered);
        Assert.Equal((4L, 1L, 1L, 1L, 1L), (f.FaultsServed, f.Kills, f.Segvs, f.SupplyErrors, f.Malformed));
        Assert.Equal([new PagerProcessFigures(7, 3, 0), new PagerProcessFigures(8, 1, 1), new PagerProcessFigures(9, 0, 1)], f.Processes);
    }

    [Fact]
    public void An_ended_process_is_forgotten_and_its_counts_returned_once()
    {
        var p = new PagerPolicy();
        p.Record(7, PagerAnswer.Zero, 0);
        p.Record(8, PagerAnswer.Zero, 0);
        Assert.Equal([new PagerProcessFigures(8, 1, 0)], p.Forget([7]));
        Assert.Empty(p.Forget([7]));
        Assert.Equal(7, Assert.Single(p.Figures().Processes).Id);
    }

    [Fact]
    public void MmStats_reports_faults_served_by_mm_and_by_the_kernel_per_process_when_mm_is_the_pager_and_Off_otherwise()
    {
        var kernel = new FakeKernel { FreeFrames = 50_000 };
        kernel.Processes = [Init(1), new ProcessMemory(10, "app", 1000, 65_536, 1040, 0, true, false)];   // 1,040 faults in all
        var monitor = new MemoryMonitor(kernel, new OomPolicy(1000), _ => { });
        monitor.Tick();
        var pager = new PagerPolicy();
        pager.Registered(true);
        for (int i = 0; i < 1000; i++) pager.Record(10, PagerAnswer.Zero, 0);
        var with = MmStatsTests.Serve(monitor, pager).Call(MmContracts.MmStats, default, 10_000).Value!;
        Assert.True(with.Pager.Registered);
        Assert.Equal(1000, with.Pager.FaultsServed);
        Assert.Equal(new PagerProcessFigures(10, 1000, 0, FaultsByKernel: 40), Assert.Single(with.Pager.Processes));
        var without = MmStatsTests.Serve(monitor).Call(MmContracts.MmStats, default, 10_000).Value!;
        Assert.False(without.Pager.Registered);
        Assert.Equal(0, without.Pager.FaultsServed);
        Assert.Empty(without.Pager.Processes);
    }

    [Fact]
    public void The_codec_round_trips_the_pager_figures_and_lists_at_most_16_processes()
    {
        var many = Enumerable.Range(1, 20).Select(i => new PagerProcessFigures(i, i * 10, 0)).ToArray();
        var f = MmStatsTests.Decode(MmStatsTests.Encode((ref MessagePackWriter w) =>
            MmFiguresCodec.Instance.Write(ref w, MmStatsTests.Sample(pager: new PagerFigures(true, 5, 1, 2, 3, 4, many)))));
        Assert.Equal((true, 5L, 1L, 2L, 3L, 4L), (f.Pager.Registered, f.Pager.FaultsServed, f.Pager.Kills, f.Pager.Segvs, f.Pager.SupplyErrors, f.Pager.Malformed));
        Assert.Equal(16, f.Pager.Processes.Length);
        Assert.Equal(new PagerProcessFigures(1, 10, 0), f.Pager.Processes[0]);
    }

    // A writer from before the pager option sends 10 fields: it reads as "not the pager".
    [Fact]
    public void A_writer_of_ten_fields_reads_as_pager_off()
    {
        var old = MmStatsTests.Encode((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(10);
            StatsReportCodec.Instance.Write(ref w, new StatsReport { HistogramCounts = [0] });
            w.WriteArrayHeader(7);
            for (int i = 0; i < 7; i++) w.Write(0L);
            for (int i = 0; i < 5; i++) w.Write(0L);
            w.Write("");
            w.WriteArrayHeader(0);
            w.WriteArrayHeader(7);
            for (int i = 0; i < 7; i++) w.Write(0L);
        });
        Assert.Equal(PagerFigures.Off, MmStatsTests.Decode(old).Pager);
    }

    [Fact]
    public void The_codec_refuses_negative_pager_counts_and_17_paged_processes()
    {
        Assert.Throws<MalformedMessageException>(() => MmStatsTests.Decode(MmStatsTests.Encode((ref MessagePackWriter w) =>
            MmFiguresCodec.Instance.Write(ref w, MmStatsTests.Sample(pager: new PagerFigures(true, -1, 0, 0, 0, 0, []))))));
        var bytes = MmStatsTests.Encode((ref MessagePackWriter w) => MmFiguresCodec.Instance.Write(ref w, MmStatsTests.Sample()));
        // Re-encode by hand with 17 paged processes after the same first ten fields.
        var tooMany = MmStatsTests.Encode((ref MessagePackWriter w) =>
        {
            var r = new MessagePackReader(bytes);
            int n = r.ReadArrayHeader();
            w.WriteArrayHeader(n);
            for (int i = 0; i < 10; i++) { var raw = r.ReadRaw(); w.WriteRaw(raw); }
            w.WriteArrayHeader(7);
            w.Write(true);
            for (int i = 0; i < 5; i++) w.Write(0L);
            w.WriteArrayHeader(17);
            for (int i = 0; i < 17; i++) { w.WriteArrayHeader(4); w.Write(1L); w.Write(1L); w.Write(0L); w.Write(0L); }
        });
        Assert.Throws<MalformedMessageException>(() => MmStatsTests.Decode(tooMany));
    }
}
