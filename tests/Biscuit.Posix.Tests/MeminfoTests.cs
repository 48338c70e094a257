// /proc/meminfo tells a process what it is entitled to (issue 8 item 4), as the kernel's sysinfo does
// (microkernel/Kernel/Linux/InfoCalls.cs): MemTotal is its budget (page quota), MemFree and
// MemAvailable the budget less what it holds, never more than the machine has free — so a .NET
// runtime or nginx sizing itself from either file or call gets the same answer.
using static Biscuit.Posix.Tests.PosixHarness;

namespace Biscuit.Posix.Tests;

public sealed class MeminfoTests : IDisposable
{
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    private string Meminfo() => h.Read(h.Open("/proc/meminfo", O.RDONLY), 4096);

    [Fact]
    public void MemTotal_is_the_callers_budget_and_MemFree_and_MemAvailable_are_the_budget_less_its_resident_pages()
    {
        h.System.Figures = new MemoryFigures(QuotaPages: 65_536, ResidentPages: 1_000, FreeFrames: 200_000, TotalFrames: 500_000);
        Assert.Equal("MemTotal:         262144 kB\nMemFree:          258144 kB\nMemAvailable:     258144 kB\n", Meminfo());
        Assert.Equal(h.Process.Kernel, Assert.Single(h.System.MemoryAskedFor));   // the caller's figures, not posix's
    }

    [Fact]
    public void Each_process_reads_its_own_figures()
    {
        var other = h.NewProcess();
        ulong path = h.Put("/proc/meminfo");                     // the same scratch address in the other process
        h.Kernel.Write(other.Kernel, path, System.Text.Encoding.ASCII.GetBytes("/proc/meminfo\0"));
        Assert.True(h.CallAs(other, LinuxCall.Openat, U(At.FDCWD), path, O.RDONLY, 0) >= 0);
        Assert.Equal(other.Kernel, h.System.MemoryAskedFor[^1]);
        Assert.NotEqual(h.Process.Kernel, other.Kernel);
    }

    [Theory]
    [InlineData(65_536, 1_000, 10_000, 500_000, 262_144, 40_000)]     // the machine has less free than the budget left
    [InlineData(65_536, 65_536, 10_000, 500_000, 262_144, 0)]         // the whole budget in use
    [InlineData(0, 1_000, 10_000, 500_000, 2_000_000, 40_000)]        // no quota: the machine's figures
    public void The_entitlement_is_what_sysinfo_reports(long quota, long resident, long free, long total, long totalKiB, long freeKiB)
    {
        var (t, f) = ProcFiles.Entitlement(new MemoryFigures(quota, resident, free, total));
        Assert.Equal((totalKiB, freeKiB), (t / 1024, f / 1024));
    }

    [Fact]
    public void When_the_kernel_gives_no_figures_opening_meminfo_is_EIO()
    {
        h.System.Figures = null;
        Assert.Equal(-Errno.EIO, h.Call(LinuxCall.Openat, U(At.FDCWD), h.Put("/proc/meminfo"), O.RDONLY, 0));
    }
}
