// IMemoryKernel on Biscuit's system calls (Syscalls.md "Memory"): memory_info of mm itself for the
// system-wide figures, memory_census and memory_oom_kill with the device manager capability as the
// authority. The census buffer is allocated once (MaxProcesses entries of 80 bytes) and reused by
// the monitor thread, its only caller.
using System.Runtime.InteropServices;
using System.Text;
using Biscuit.Lib.Kernel;

namespace Biscuit.Mm.Server;

public sealed unsafe class KernelMemory(Handle authority) : IMemoryKernel
{
    public const int MaxProcesses = 512, EntryBytes = 80, InfoFields = 12;
    private const ulong FlagApplication = 1, FlagInit = 2;
    private readonly byte[] census = new byte[MaxProcesses * EntryBytes];    // monitor thread only

    public SystemMemory System()
    {
        ulong* info = stackalloc ulong[InfoFields];
        long r = Syscalls.Invoke(SyscallNumbers.MemoryInfo, 0, (long)info, InfoFields * 8);
        if (r < InfoFields * 8) throw new InvalidOperationException($"memory_info failed: {r}");
        return new SystemMemory((long)info[5], (long)info[6], (long)info[7], (long)info[8], (long)info[9], (long)info[10], (long)info[11]);
    }

    public IReadOnlyList<ProcessMemory> Census()
    {
        long n;
        fixed (byte* buffer = census)
            n = Syscalls.Invoke(SyscallNumbers.MemoryCensus, authority.Value, (long)buffer, MaxProcesses);
        if (n < 0) throw new InvalidOperationException($"memory_census failed: {n}");
        var list = new ProcessMemory[n];
        for (int i = 0; i < n; i++)
        {
            var e = census.AsSpan(i * EntryBytes, EntryBytes);
            var name = e.Slice(48, 32);
            int end = name.IndexOf((byte)0);
            ulong flags = U(e, 5);
            list[i] = new ProcessMemory((long)U(e, 0), Encoding.ASCII.GetString(end < 0 ? name : name[..end]), (long)U(e, 1), (long)U(e, 2),
                (long)U(e, 3), (long)U(e, 4), (flags & FlagApplication) != 0, (flags & FlagInit) != 0);
        }
        return list;
    }

    private static ulong U(ReadOnlySpan<byte> entry, int field) => MemoryMarshal.Read<ulong>(entry.Slice(field * 8, 8));

    public long OomKill(long processId) => Syscalls.Invoke(SyscallNumbers.MemoryOomKill, authority.Value, processId);
}
