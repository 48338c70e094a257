// Specification of Linux thread numbering (microkernel/Kernel/Linux/LinuxThreadIds.cs, issue 7):
// the leader's tid is the pid, other threads' tids lie in [2^22, 2^30) — above every Linux pid,
// inside FUTEX_TID_MASK — and tkill/tgkill refuse targets that are not positive pid_t values.
using Biscuit.Kernel.Linux;

namespace Biscuit.Kernel.Tests;

public class LinuxThreadIdsTests
{
    private const ulong PidMaxLimit = 1UL << 22;   // include/linux/threads.h, 64-bit

    [Theory]
    [InlineData(1UL, 7UL)]
    [InlineData(42UL, 1UL)]
    [InlineData(2147483647UL, 123456UL)]
    public void The_leaders_tid_is_the_pid_whatever_its_kernel_id(ulong pid, ulong kernelThreadId) =>
        Assert.Equal(pid, LinuxThreadIds.Of(isLeader: true, pid, kernelThreadId));

    [Fact]
    public void Another_threads_tid_is_its_kernel_id_moved_above_every_linux_pid()
    {
        Assert.Equal(PidMaxLimit, LinuxThreadIds.Of(isLeader: false, pid: 5, kernelThreadId: 1));
        Assert.Equal(PidMaxLimit + 9, LinuxThreadIds.Of(isLeader: false, pid: 5, kernelThreadId: 10));
    }

    [Fact]
    public void Another_threads_tid_does_not_depend_on_the_pid() =>
        Assert.Equal(LinuxThreadIds.Of(false, 3, 77), LinuxThreadIds.Of(false, 4000, 77));

    [Theory]
    [InlineData(1UL)]
    [InlineData(1000UL)]
    [InlineData((1UL << 30) - (1UL << 22))]
    [InlineData((1UL << 30) - (1UL << 22) + 1)]
    [InlineData(ulong.MaxValue)]
    public void Every_non_leader_tid_is_a_positive_pid_t_within_the_futex_owner_mask(ulong kernelThreadId)
    {
        ulong tid = LinuxThreadIds.Of(isLeader: false, pid: 1, kernelThreadId);
        Assert.InRange(tid, PidMaxLimit, 0x3FFF_FFFFUL);
        Assert.True((int)tid > 0);
        Assert.Equal(tid, tid & LinuxThreadIds.FutexTidMask);
    }

    [Fact]
    public void Distinct_kernel_ids_get_distinct_tids_until_the_range_wraps()
    {
        var seen = new HashSet<ulong>();
        for (ulong id = 1; id <= 100_000; id++) Assert.True(seen.Add(LinuxThreadIds.Of(false, 1, id)));
        ulong period = LinuxThreadIds.NonLeaderTids;
        Assert.Equal(LinuxThreadIds.Of(false, 1, 1), LinuxThreadIds.Of(false, 1, 1 + period));
        Assert.NotEqual(LinuxThreadIds.Of(false, 1, period), LinuxThreadIds.Of(false, 1, period + 1));
    }

    [Fact]
    public void No_pid_linux_can_give_equals_a_non_leader_tid()
    {
        for (ulong id = 1; id < 5000; id++) Assert.True(LinuxThreadIds.Of(false, 1, id) >= PidMaxLimit);
    }

    [Theory]
    [InlineData(1UL, true)]
    [InlineData(4194304UL, true)]
    [InlineData(0x7FFF_FFFFUL, true)]
    [InlineData(0UL, false)]
    [InlineData(0xFFFF_FFFFUL, false)]            // -1 as a pid_t
    [InlineData(0x8000_0000UL, false)]            // INT_MIN
    [InlineData(0xFFFF_FFFF_FFFF_FFFFUL, false)]  // -1 passed as a 64-bit register
    [InlineData(0x1_0000_0000UL, false)]          // only the low 32 bits are the pid_t: 0
    [InlineData(0x1_0000_0005UL, true)]           // ... here 5
    public void Tkill_targets_must_be_positive_pid_t_values(ulong raw, bool valid) =>
        Assert.Equal(valid, LinuxThreadIds.IsValidTarget(raw));
}
