// /proc/biscuit/cpu (Vfs/ProcFiles.cs): the system's per-process CPU table, listed beside gc.
using static Biscuit.Posix.Tests.PosixHarness;

namespace Biscuit.Posix.Tests;

public sealed class ProcCpuTests : IDisposable
{
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    [Fact]
    public void Proc_biscuit_cpu_is_the_systems_cpu_table_and_is_listed_beside_gc()
    {
        string table = h.Read(h.Open("/proc/biscuit/cpu", O.RDONLY), 4096);
        Assert.Equal(h.System.CpuStatistics(), table);
        Assert.Contains("posix-server", table);
        int dir = h.Open("/proc/biscuit", O.RDONLY | O.DIRECTORY);
        ulong entries = h.Alloc(4096);
        long bytes = h.Call(LinuxCall.Getdents64, (ulong)dir, entries, 4096);
        string names = System.Text.Encoding.ASCII.GetString(h.Get(entries, (int)bytes));
        Assert.Contains("gc", names);
        Assert.Contains("cpu", names);
        Assert.Equal(-Errno.ENOENT, h.Call(LinuxCall.Openat, U(At.FDCWD), h.Put("/proc/biscuit/other"), O.RDONLY, 0));
    }
}
