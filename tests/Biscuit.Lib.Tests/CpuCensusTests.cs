// The CPU census (lib/Biscuit.Lib/Kernel/CpuCensus.cs): the kernel's 72-byte records decode to entries,
// the /proc/biscuit/cpu table shows each with its share, and the table parses back to the same figures
// (what the benchmarks do with two readings).
using System.Text;
using Biscuit.Lib.Kernel;

namespace Biscuit.Lib.Tests;

public class CpuCensusTests
{
    private static byte[] Record(ulong id, string name, ulong cycles, ulong calls, ulong ipc, ulong flags)
    {
        var r = new byte[CpuCensus.EntryBytes];
        BitConverter.TryWriteBytes(r.AsSpan(0), id);
        BitConverter.TryWriteBytes(r.AsSpan(8), cycles);
        BitConverter.TryWriteBytes(r.AsSpan(16), calls);
        BitConverter.TryWriteBytes(r.AsSpan(24), ipc);
        BitConverter.TryWriteBytes(r.AsSpan(32), flags);
        Encoding.UTF8.GetBytes(name).CopyTo(r, 40);
        return r;
    }

    [Fact]
    public void Kernel_records_decode_to_entries_and_a_short_tail_is_ignored()
    {
        var bytes = Record(0, "idle", 900, 0, 0, 0).Concat(Record(12, "nginx", 300, 40, 38, 1)).Concat(new byte[10]).ToArray();
        var entries = CpuCensus.Decode(bytes);
        Assert.Equal([new CpuCensusEntry(0, "idle", 900, 0, 0, 0), new CpuCensusEntry(12, "nginx", 300, 40, 38, 1)], entries);
        Assert.True(entries[1].IsApplication);
    }

    [Fact]
    public void The_table_gives_each_share_of_all_cycles_and_parses_back_to_the_same_figures()
    {
        var entries = new List<CpuCensusEntry> { new(0, "idle", 750, 0, 0, 0), new(1, "init", 50, 9, 1, 2),
            new(4, "posix-server", 150, 70, 3, 0), new(9, "nginx", 50, 20, 19, 1) };
        string table = CpuCensus.Format(entries);
        Assert.Contains("75.00", table.Split('\n')[1]);
        Assert.EndsWith("application", table.Split('\n')[4]);
        Assert.Equal(entries, CpuCensus.Parse(table));
    }

    [Fact]
    public void An_empty_census_is_a_header_alone()
    {
        Assert.Single(CpuCensus.Format([]).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(CpuCensus.Parse("garbage\nnot a row\n"));
    }
}
