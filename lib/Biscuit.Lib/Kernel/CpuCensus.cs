// Where the CPU's time went, per process (Syscalls.md cpu_census, 0x87C; issue 11 item 4): the idle
// loop first, then every live process with the TSC cycles its threads ran (user time and the
// kernel's work for it), its system calls and its IPC calls (forwarded Linux calls included). Read
// for /proc/biscuit/cpu by posix and by the benchmarks, which take differences over a load window.
// Format is one line per entry, stable columns, so that a program can parse it (bench/) and a person
// can read it.
using System.Text;

namespace Biscuit.Lib.Kernel;

public readonly record struct CpuCensusEntry(ulong Id, string Name, ulong RunCycles, ulong SystemCalls, ulong IpcCalls, ulong Flags)
{
    public bool IsApplication => (Flags & 1) != 0;
}

public static class CpuCensus
{
    public const int EntryBytes = 72, MaxEntries = 4096;

    /// <summary>The kernel's census now (at most `max` entries).</summary>
    public static unsafe KernelResult<List<CpuCensusEntry>> Read(int max = 512)
    {
        var buffer = new byte[max * EntryBytes];
        long n;
        fixed (byte* p = buffer) n = Syscalls.Invoke(SyscallNumbers.CpuCensus, (long)p, max);
        if (n < 0) return KernelResult<List<CpuCensusEntry>>.Fail(KernelErrors.FromResult(n));
        return KernelResult<List<CpuCensusEntry>>.Ok(Decode(buffer.AsSpan(0, (int)n * EntryBytes)));
    }

    /// <summary>Entries from the kernel's 72-byte records: u64 id, cycles, system calls, IPC calls, flags, name[32].</summary>
    public static List<CpuCensusEntry> Decode(ReadOnlySpan<byte> records)
    {
        var list = new List<CpuCensusEntry>(records.Length / EntryBytes);
        for (int at = 0; at + EntryBytes <= records.Length; at += EntryBytes)
        {
            var r = records.Slice(at, EntryBytes);
            var name = r.Slice(40, 32);
            int end = name.IndexOf((byte)0);
            list.Add(new(BitConverter.ToUInt64(r), Encoding.UTF8.GetString(end < 0 ? name : name[..end]),
                BitConverter.ToUInt64(r[8..]), BitConverter.ToUInt64(r[16..]), BitConverter.ToUInt64(r[24..]), BitConverter.ToUInt64(r[32..])));
        }
        return list;
    }

    /// <summary>The table of /proc/biscuit/cpu: a header, then `name id cycles share% syscalls ipc_calls kind`.</summary>
    public static string Format(IReadOnlyList<CpuCensusEntry> entries)
    {
        double total = entries.Sum(e => (double)e.RunCycles);
        var text = new StringBuilder("process               id        cycles  share%     syscalls    ipc_calls  kind\n");
        foreach (var e in entries)
        {
            string kind = e.Id == 0 ? "idle" : e.IsApplication ? "application" : (e.Flags & 2) != 0 ? "init" : "server";
            double share = total > 0 ? 100.0 * e.RunCycles / total : 0;
            text.Append($"{e.Name,-18} {e.Id,5} {e.RunCycles,13} {share,7:F2} {e.SystemCalls,12} {e.IpcCalls,12}  {kind}\n");
        }
        return text.ToString();
    }

    /// <summary>Reads a table Format wrote back (bench/ takes differences of two readings).</summary>
    public static List<CpuCensusEntry> Parse(string table)
    {
        var list = new List<CpuCensusEntry>();
        foreach (var line in table.Split('\n').Skip(1))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length != 7 || !ulong.TryParse(f[1], out ulong id) || !ulong.TryParse(f[2], out ulong cycles)
                || !ulong.TryParse(f[4], out ulong calls) || !ulong.TryParse(f[5], out ulong ipc)) continue;
            ulong flags = f[6] switch { "application" => 1UL, "init" => 2UL, _ => 0UL };
            list.Add(new(id, f[0], cycles, calls, ipc, flags));
        }
        return list;
    }
}
