// Signals between processes (Processes/Signalling.cs, Calls/SignalCalls.cs): kill(2) resolves a pid, the
// caller's process group, another group or "everyone" and posts through the kernel (process_signal) with
// the sender's pid; it honours kill(2)'s permission rule; a child's end posts SIGCHLD to its parent with
// the si_code and si_status Linux gives; O_ASYNC descriptions post SIGIO to their owner; prctl keeps the
// name, dumpable flag and parent-death signal.
using static Biscuit.Posix.Tests.PosixHarness;

namespace Biscuit.Posix.Tests;

public sealed class SignalTests : IDisposable
{
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    private List<(int Signal, int Code, int Sender, int Status)> SignalsOf(PosixProcess p) => h.Kernel.Of(p.Kernel).Signals;

    private PosixProcess Fork(PosixProcess parent)
    {
        long pid = h.CallAs(parent, LinuxCall.Fork);
        Assert.True(pid > 0, $"fork: {pid}");
        return h.Posix.Processes.Find((ulong)pid)!;
    }

    [Fact]
    public void Kill_of_a_pid_posts_the_signal_with_the_senders_pid()
    {
        var child = Fork(h.Process);
        Assert.Equal(0, h.Call(LinuxCall.Kill, (ulong)child.Pid, Sig.SIGTERM));
        Assert.Equal([(Sig.SIGTERM, Sig.SI_USER, h.Process.Pid, 0)], SignalsOf(child));
        Assert.Empty(SignalsOf(h.Process));
    }

    [Fact]
    public void Kill_with_signal_0_checks_the_target_and_posts_nothing()
    {
        var child = Fork(h.Process);
        Assert.Equal(0, h.Call(LinuxCall.Kill, (ulong)child.Pid, 0));
        Assert.Empty(SignalsOf(child));
        Assert.Equal(-Errno.ESRCH, h.Call(LinuxCall.Kill, 4242, 0));
    }

    [Fact]
    public void Kill_of_an_unknown_pid_is_ESRCH_and_a_bad_signal_EINVAL()
    {
        Assert.Equal(-Errno.ESRCH, h.Call(LinuxCall.Kill, 4242, Sig.SIGTERM));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Kill, (ulong)h.Process.Pid, 65));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Kill, (ulong)h.Process.Pid, U(-1)));
    }

    [Fact]
    public void Kill_of_0_reaches_every_member_of_the_callers_group_and_no_other()
    {
        h.Call(LinuxCall.Setpgid, 0, 0);
        var inGroup = Fork(h.Process);
        var other = Fork(h.Process);
        Assert.Equal(0, h.CallAs(other, LinuxCall.Setpgid, 0, 0));   // its own group
        Assert.Equal(0, h.Call(LinuxCall.Kill, 0, Sig.SIGHUP));
        Assert.Single(SignalsOf(h.Process));   // the caller too: the kernel delivers it with the reply
        Assert.Single(SignalsOf(inGroup));
        Assert.Empty(SignalsOf(other));
    }

    [Fact]
    public void Kill_of_a_negative_pid_reaches_that_process_group()
    {
        var leader = Fork(h.Process);
        Assert.Equal(0, h.CallAs(leader, LinuxCall.Setpgid, 0, 0));
        var member = Fork(leader);
        Assert.Equal(0, h.Call(LinuxCall.Kill, U(-leader.Pid), Sig.SIGTERM));
        Assert.Equal(Sig.SIGTERM, Assert.Single(SignalsOf(leader)).Signal);
        Assert.Equal(Sig.SIGTERM, Assert.Single(SignalsOf(member)).Signal);
        Assert.Empty(SignalsOf(h.Process));
        Assert.Equal(-Errno.ESRCH, h.Call(LinuxCall.Kill, U(-4242), Sig.SIGTERM));
    }

    [Fact]
    public void Kill_of_minus_1_reaches_everyone_but_pid_1_and_the_caller()
    {
        Assert.Equal(1, h.Process.Pid);
        var a = Fork(h.Process);
        var b = Fork(h.Process);
        Assert.Equal(0, h.CallAs(a, LinuxCall.Kill, U(-1), Sig.SIGUSR1));
        Assert.Empty(SignalsOf(h.Process));
        Assert.Empty(SignalsOf(a));
        Assert.Single(SignalsOf(b));
    }

    [Fact]
    public void An_unprivileged_process_may_signal_its_own_uids_processes_but_not_roots()
    {
        var root = Fork(h.Process);
        var user = Fork(h.Process);
        var sameUser = Fork(h.Process);
        Assert.Equal(0, h.CallAs(user, LinuxCall.Setuid, 33));
        Assert.Equal(0, h.CallAs(sameUser, LinuxCall.Setuid, 33));
        Assert.Equal(-Errno.EPERM, h.CallAs(user, LinuxCall.Kill, (ulong)root.Pid, Sig.SIGTERM));
        Assert.Empty(SignalsOf(root));
        Assert.Equal(0, h.CallAs(user, LinuxCall.Kill, (ulong)sameUser.Pid, Sig.SIGTERM));
        Assert.Single(SignalsOf(sameUser));
        Assert.Equal(0, h.CallAs(root, LinuxCall.Kill, (ulong)user.Pid, Sig.SIGTERM));   // root may signal anyone
    }

    [Fact]
    public void A_child_that_exits_posts_SIGCHLD_with_CLD_EXITED_and_its_exit_code_to_the_parent()
    {
        var child = Fork(h.Process);
        h.Kernel.End(child.Kernel, 3 << 8);
        Assert.Equal([(Sig.SIGCHLD, Sig.CLD_EXITED, child.Pid, 3)], SignalsOf(h.Process));
        ulong status = h.Alloc(4);
        Assert.Equal(child.Pid, h.Call(LinuxCall.Wait4, (ulong)child.Pid, status, 1 /* WNOHANG */, 0));   // the zombie is there for the handler
        Assert.Equal(3 << 8, h.GetInt(status));
    }

    [Fact]
    public void SIGCHLD_to_a_parent_waiting_in_wait4_does_not_cancel_that_wait_which_returns_the_child()
    {
        var child = Fork(h.Process);
        ulong status = h.Alloc(4);
        var waiter = Task.Run(() => h.Call(LinuxCall.Wait4, U(-1), status, 0, 0));
        h.Kernel.End(child.Kernel, 0);
        Assert.Equal(child.Pid, waiter.Result);
        Assert.Equal([true], h.Kernel.Of(h.Process.Kernel).SignalsKeepingCalls);   // delivered when wait4 returns
    }

    [Fact]
    public void SIGCHLD_never_cancels_a_forwarded_call_even_when_the_parent_is_not_in_wait4()
    {
        var child = Fork(h.Process);
        h.Kernel.End(child.Kernel, 0);
        Assert.Equal([true], h.Kernel.Of(h.Process.Kernel).SignalsKeepingCalls);
    }

    [Fact]
    public void A_child_killed_by_a_signal_posts_SIGCHLD_with_CLD_KILLED_and_the_signal()
    {
        var child = Fork(h.Process);
        h.Kernel.End(child.Kernel, Sig.SIGTERM);
        Assert.Equal([(Sig.SIGCHLD, Sig.CLD_KILLED, child.Pid, Sig.SIGTERM)], SignalsOf(h.Process));
    }

    [Fact]
    public void An_O_ASYNC_description_posts_SIGIO_to_its_owner_when_data_arrives_until_it_is_turned_off()
    {
        ulong pair = h.Alloc(8), on = h.Alloc(4), off = h.Alloc(4);
        Assert.Equal(0, h.Call(LinuxCall.Socketpair, Sock.AF_UNIX, Sock.STREAM, 0, pair));
        int mine = h.GetInt(pair), peer = h.GetInt(pair + 4);
        h.Kernel.Write(h.Process.Kernel, on, BitConverter.GetBytes(1));
        h.Kernel.Write(h.Process.Kernel, off, BitConverter.GetBytes(0));
        Assert.Equal(0, h.Call(LinuxCall.Ioctl, (ulong)mine, Ioctl.FIOASYNC, on));
        Assert.Equal(0, h.Call(LinuxCall.Fcntl, (ulong)mine, Fcntl.SETOWN, (ulong)h.Process.Pid));
        Assert.Equal(h.Process.Pid, h.Call(LinuxCall.Fcntl, (ulong)mine, Fcntl.GETOWN));
        Assert.NotEqual(0, h.Call(LinuxCall.Fcntl, (ulong)mine, Fcntl.GETFL) & O.ASYNC);
        Assert.Equal(5, h.Write(peer, "hello"));
        Assert.Contains(SignalsOf(h.Process), s => s.Signal == Sig.SIGIO && s.Code == Sig.SI_KERNEL);
        SignalsOf(h.Process).Clear();
        Assert.Equal("hello", h.Read(mine, 5));
        Assert.Equal(0, h.Call(LinuxCall.Ioctl, (ulong)mine, Ioctl.FIOASYNC, off));
        Assert.Equal(0, h.Call(LinuxCall.Fcntl, (ulong)mine, Fcntl.GETFL) & O.ASYNC);
        Assert.Equal(5, h.Write(peer, "again"));
        Assert.DoesNotContain(SignalsOf(h.Process), s => s.Signal == Sig.SIGIO);
    }

    [Fact]
    public void O_ASYNC_without_an_owner_posts_nothing()
    {
        ulong pair = h.Alloc(8);
        Assert.Equal(0, h.Call(LinuxCall.Socketpair, Sock.AF_UNIX, Sock.STREAM, 0, pair));
        int mine = h.GetInt(pair), peer = h.GetInt(pair + 4);
        Assert.Equal(0, h.Call(LinuxCall.Fcntl, (ulong)mine, Fcntl.SETFL, O.ASYNC));
        Assert.Equal(5, h.Write(peer, "hello"));
        Assert.Empty(SignalsOf(h.Process));
    }

    [Fact]
    public void Prctl_keeps_the_name_the_dumpable_flag_and_the_parent_death_signal()
    {
        ulong name = h.Put("nginx: worker process"), back = h.Alloc(16), signal = h.Alloc(4);
        Assert.Equal(0, h.Call(LinuxCall.Prctl, SignalCalls.PR_SET_NAME, name));
        Assert.Equal(0, h.Call(LinuxCall.Prctl, SignalCalls.PR_GET_NAME, back));
        Assert.Equal("nginx: worker p\0", h.GetString(back, 16));   // 15 bytes and the NUL, as Linux keeps
        Assert.Equal(1, h.Call(LinuxCall.Prctl, SignalCalls.PR_GET_DUMPABLE));
        Assert.Equal(0, h.Call(LinuxCall.Prctl, SignalCalls.PR_SET_DUMPABLE, 0));
        Assert.Equal(0, h.Call(LinuxCall.Prctl, SignalCalls.PR_GET_DUMPABLE));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Prctl, SignalCalls.PR_SET_DUMPABLE, 2));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Prctl, 0x59616d61 /* PR_SET_PTRACER: not kept */, 0));
        Assert.Equal(-Errno.EFAULT, h.Call(LinuxCall.Prctl, SignalCalls.PR_SET_NAME, Unmapped));
        Assert.Equal(0, h.Call(LinuxCall.Prctl, SignalCalls.PR_GET_PDEATHSIG, signal));
        Assert.Equal(0, h.GetInt(signal));
    }

    [Fact]
    public void A_child_with_a_parent_death_signal_gets_it_when_its_parent_ends()
    {
        var parent = Fork(h.Process);
        var child = Fork(parent);
        Assert.Equal(0, h.CallAs(child, LinuxCall.Prctl, SignalCalls.PR_SET_PDEATHSIG, Sig.SIGTERM));
        h.Kernel.End(parent.Kernel, 0);
        Assert.Contains(SignalsOf(child), s => s.Signal == Sig.SIGTERM);
        Assert.Equal(0, child.ParentPid);
    }
}
