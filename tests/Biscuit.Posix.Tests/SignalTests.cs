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

public sealed class SocketPairMessageTests : IDisposable
{
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    /// <summary>A msghdr with one iovec over `buffer`, and `control` bytes of ancillary data at `controlAt`.</summary>
    private ulong Message(ulong buffer, int length, ulong controlAt = 0, int control = 0)
    {
        ulong iov = h.Alloc(16), header = h.Alloc(56);
        h.Kernel.Write(h.Process.Kernel, iov, BitConverter.GetBytes(buffer).Concat(BitConverter.GetBytes((ulong)length)).ToArray());
        var m = new byte[56];
        BitConverter.TryWriteBytes(m.AsSpan(16), iov);
        BitConverter.TryWriteBytes(m.AsSpan(24), 1UL);
        BitConverter.TryWriteBytes(m.AsSpan(32), controlAt);
        BitConverter.TryWriteBytes(m.AsSpan(40), (ulong)control);
        h.Kernel.Write(h.Process.Kernel, header, m);
        return header;
    }

    [Fact]
    public void Sendmsg_and_recvmsg_carry_bytes_between_the_ends_of_a_socketpair_as_nginxs_channels_do()
    {
        ulong pair = h.Alloc(8);
        Assert.Equal(0, h.Call(LinuxCall.Socketpair, Sock.AF_UNIX, Sock.STREAM, 0, pair));
        int a = h.GetInt(pair), b = h.GetInt(pair + 4);
        Assert.Equal(7, h.Call(LinuxCall.Sendmsg, (ulong)a, Message(h.Put("command"), 7), 0));
        ulong into = h.Alloc(16), header = Message(into, 16, h.Alloc(32), 32);
        Assert.Equal(7, h.Call(LinuxCall.Recvmsg, (ulong)b, header, 0));
        Assert.Equal("command", h.GetString(into, 7));
        Assert.Equal(0UL, h.GetU64(header + 40));   // no ancillary data came
        Assert.Equal(-Errno.EAGAIN, h.Call(LinuxCall.Recvmsg, (ulong)b, header, Sock.MSG_DONTWAIT));
    }

    [Fact]
    public void Sendmsg_with_ancillary_data_on_a_socketpair_is_EOPNOTSUPP_and_sends_nothing()
    {
        ulong pair = h.Alloc(8);
        Assert.Equal(0, h.Call(LinuxCall.Socketpair, Sock.AF_UNIX, Sock.STREAM, 0, pair));
        int a = h.GetInt(pair), b = h.GetInt(pair + 4);
        Assert.Equal(-Errno.EOPNOTSUPP, h.Call(LinuxCall.Sendmsg, (ulong)a, Message(h.Put("fd"), 2, h.Alloc(24), 24), 0));
        Assert.Equal(-Errno.EAGAIN, h.Call(LinuxCall.Recvmsg, (ulong)b, Message(h.Alloc(8), 8), Sock.MSG_DONTWAIT));
    }
}

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

public sealed class BrokenPipeTests : IDisposable
{
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    private (int Read, int Write) Pipe()
    {
        ulong fds = h.Alloc(8);
        Assert.Equal(0, h.Call(LinuxCall.Pipe2, fds, 0));
        return (h.GetInt(fds), h.GetInt(fds + 4));
    }

    private List<(int Signal, int Code, int Sender, int Status)> Signals => h.Kernel.Of(h.Process.Kernel).Signals;

    [Fact]
    public void A_write_to_a_pipe_without_readers_is_EPIPE_with_SIGPIPE_to_the_writer()
    {
        var (read, write) = Pipe();
        h.Call(LinuxCall.Close, (ulong)read);
        Assert.Equal(-Errno.EPIPE, h.Call(LinuxCall.Write, (ulong)write, h.Put("x"), 1));
        Assert.Equal([(Sig.SIGPIPE, Sig.SI_USER, h.Process.Pid, 0)], Signals);
    }

    [Fact]
    public void Sendmsg_with_MSG_NOSIGNAL_is_EPIPE_without_SIGPIPE_and_without_it_raises_one()
    {
        ulong pair = h.Alloc(8);
        Assert.Equal(0, h.Call(LinuxCall.Socketpair, Sock.AF_UNIX, Sock.STREAM, 0, pair));
        int a = h.GetInt(pair), b = h.GetInt(pair + 4);
        h.Call(LinuxCall.Close, (ulong)b);
        ulong data = h.Put("x"), iov = h.Alloc(16), header = h.Alloc(56);
        h.Kernel.Write(h.Process.Kernel, iov, BitConverter.GetBytes(data).Concat(BitConverter.GetBytes(1UL)).ToArray());
        var m = new byte[56];
        BitConverter.TryWriteBytes(m.AsSpan(16), iov);
        BitConverter.TryWriteBytes(m.AsSpan(24), 1UL);
        h.Kernel.Write(h.Process.Kernel, header, m);
        Assert.Equal(-Errno.EPIPE, h.Call(LinuxCall.Sendmsg, (ulong)a, header, Sock.MSG_NOSIGNAL));
        Assert.Empty(Signals);
        Assert.Equal(-Errno.EPIPE, h.Call(LinuxCall.Sendmsg, (ulong)a, header, 0));
        Assert.Equal(Sig.SIGPIPE, Assert.Single(Signals).Signal);
    }

    [Fact]
    public void Other_errors_and_other_calls_raise_no_SIGPIPE()
    {
        var (read, write) = Pipe();
        Assert.Equal(-Errno.EBADF, h.Call(LinuxCall.Write, (ulong)read, h.Put("x"), 1));
        h.Call(LinuxCall.Close, (ulong)write);
        Assert.Equal(0, h.Call(LinuxCall.Read, (ulong)read, h.Alloc(1), 1));   // end of file
        Assert.Empty(Signals);
    }
}

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
