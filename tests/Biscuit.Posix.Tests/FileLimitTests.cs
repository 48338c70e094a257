// RLIMIT_NOFILE is posix's (Calls/LimitCalls.cs): getrlimit/setrlimit/prlimit64 on the fd table's
// soft and hard limits, EMFILE at the soft limit, inheritance at fork, Linux's errors.
using static Biscuit.Posix.Tests.PosixHarness;

namespace Biscuit.Posix.Tests;

public sealed class FileLimitTests : IDisposable
{
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    private (ulong Soft, ulong Hard) Get(PosixProcess? p = null)
    {
        ulong at = h.Alloc(16);
        Assert.Equal(0, h.CallAs(p ?? h.Process, LinuxCall.Getrlimit, LimitCalls.RLIMIT_NOFILE, at));
        return (h.GetU64(at), h.GetU64(at + 8));
    }

    private ulong Limits(ulong soft, ulong hard)
    {
        ulong at = h.Alloc(16);
        h.Kernel.Write(h.Process.Kernel, at, BitConverter.GetBytes(soft).Concat(BitConverter.GetBytes(hard)).ToArray());
        return at;
    }

    [Fact]
    public void RLIMIT_NOFILE_is_1024_soft_and_4096_hard_and_the_soft_limit_bounds_open_with_EMFILE()
    {
        Assert.Equal((1024UL, 4096UL), Get());
        Assert.Equal(0, h.Call(LinuxCall.Setrlimit, LimitCalls.RLIMIT_NOFILE, Limits(8, 4096)));
        Assert.Equal((8UL, 4096UL), Get());
        long last = 0;
        for (int i = 0; i < 8; i++) last = h.Call(LinuxCall.Openat, U(At.FDCWD), h.Put("/dev/null"), 0, 0);
        Assert.Equal(7, last);
        Assert.Equal(-Errno.EMFILE, h.Call(LinuxCall.Openat, U(At.FDCWD), h.Put("/dev/null"), 0, 0));
    }

    [Fact]
    public void A_fork_child_inherits_both_limits()
    {
        Assert.Equal(0, h.Call(LinuxCall.Setrlimit, LimitCalls.RLIMIT_NOFILE, Limits(100, 200)));
        var child = h.Posix.Processes.Find((ulong)h.Call(LinuxCall.Fork))!;
        Assert.Equal(100, child.Fds.Limit);
        Assert.Equal(200, child.Fds.HardLimit);
    }

    [Fact]
    public void Soft_above_hard_or_hard_above_nr_open_is_EINVAL_and_raising_hard_unprivileged_is_EPERM()
    {
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Setrlimit, LimitCalls.RLIMIT_NOFILE, Limits(300, 200)));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Setrlimit, LimitCalls.RLIMIT_NOFILE, Limits(10, (ulong)FdTable.MaxLimit + 1)));
        Assert.Equal(0, h.Call(LinuxCall.Setuid, 33));
        Assert.Equal(0, h.Call(LinuxCall.Setrlimit, LimitCalls.RLIMIT_NOFILE, Limits(10, 100)));   // lowering is allowed
        Assert.Equal(-Errno.EPERM, h.Call(LinuxCall.Setrlimit, LimitCalls.RLIMIT_NOFILE, Limits(10, 200)));
        Assert.Equal((10UL, 100UL), Get());
    }

    [Fact]
    public void Prlimit64_reads_and_sets_its_own_and_another_permitted_process_and_refuses_others()
    {
        ulong old = h.Alloc(16);
        var child = h.Posix.Processes.Find((ulong)h.Call(LinuxCall.Fork))!;
        Assert.Equal(0, h.Call(LinuxCall.Prlimit64, (ulong)child.Pid, LimitCalls.RLIMIT_NOFILE, Limits(50, 60), old));
        Assert.Equal(1024UL, h.GetU64(old));
        Assert.Equal((50, 60), (child.Fds.Limit, child.Fds.HardLimit));
        Assert.Equal(0, h.Call(LinuxCall.Prlimit64, 0, LimitCalls.RLIMIT_NOFILE, 0, old));
        Assert.Equal(1024UL, h.GetU64(old));
        Assert.Equal(-Errno.ESRCH, h.Call(LinuxCall.Prlimit64, 4242, LimitCalls.RLIMIT_NOFILE, 0, old));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Prlimit64, 0, 3 /* RLIMIT_STACK: the kernel's */, 0, old));
        Assert.Equal(-Errno.EFAULT, h.Call(LinuxCall.Getrlimit, LimitCalls.RLIMIT_NOFILE, Unmapped));
        Assert.Equal(0, h.CallAs(child, LinuxCall.Setuid, 33));
        Assert.Equal(-Errno.EPERM, h.CallAs(child, LinuxCall.Prlimit64, (ulong)h.Process.Pid, LimitCalls.RLIMIT_NOFILE, 0, old));
    }
}
