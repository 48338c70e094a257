// fork/vfork/clone without CLONE_VM (the kernel copies the address space; posix the rest) and wait4:
// the child's descriptors share their descriptions with the parent's, the child's personality badge is
// its pid, CLONE_PARENT_SETTID gets the child's thread id, a dead child's status reaches wait4 once.
using static Biscuit.Posix.Tests.PosixHarness;

namespace Biscuit.Posix.Tests;

public sealed class ForkTests : IDisposable
{
    private const ulong SIGCHLD = 17;
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    [Fact]
    public void Fork_makes_a_child_that_shares_open_descriptions_and_the_working_directory()
    {
        int file = h.Open("/shared", O.CREAT | O.RDWR);
        h.Call(LinuxCall.Mkdir, h.Put("/home"), 0x1ED);
        h.Call(LinuxCall.Chdir, h.Put("/home"));
        long pid = h.Call(LinuxCall.Fork);
        Assert.True(pid > h.Process.Pid);
        var child = h.Posix.Processes.Find((ulong)pid)!;
        Assert.Equal(h.Process.Pid, child.ParentPid);
        Assert.Equal("/home", child.WorkingDirectory);
        var k = h.Kernel.Of(child.Kernel);
        Assert.Equal((ulong)pid, k.Badge);
        Assert.Equal(pid, k.Pid);   // the child's getpid() answers what fork returned
        Assert.Equal(h.Process.Kernel, k.ForkedFrom);
        Assert.NotNull(k.Started);
        h.CallAs(child, LinuxCall.Write, (ulong)file, h.Put("from the child"), 14);
        Assert.Equal(14, h.Call(LinuxCall.Lseek, (ulong)file, 0, Seek.CUR));   // one description, one position
    }

    [Fact]
    public void Clone_with_CLONE_PARENT_SETTID_stores_the_child_thread_id_and_unknown_flags_are_EINVAL()
    {
        ulong tid = h.Alloc(4);
        long pid = h.Call(LinuxCall.Clone, SIGCHLD | Personality.CloneParentSetTid | Personality.CloneChildSetTid, 0, tid, h.Alloc(4), 0);
        Assert.True(pid > 0);
        Assert.Equal(500 + (int)h.Posix.Processes.Find((ulong)pid)!.Kernel.Handle, h.GetInt(tid));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Clone, SIGCHLD | 0x00000200 /* CLONE_FS */, 0, 0, 0, 0));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Clone, SIGCHLD | Personality.CloneVm, 0, 0, 0, 0));
    }

    [Fact]
    public void A_fork_the_kernel_cannot_make_answers_its_error_and_leaves_no_child()
    {
        h.Kernel.FailForkWith = -Errno.ENOMEM;
        Assert.Equal(-Errno.ENOMEM, h.Call(LinuxCall.Fork));
        Assert.Equal(1, h.Posix.Processes.Count);
    }

    [Fact]
    public void Wait4_reaps_a_dead_child_once_with_its_status()
    {
        long pid = h.Call(LinuxCall.Fork);
        var child = h.Posix.Processes.Find((ulong)pid)!;
        ulong status = h.Alloc(4), usage = h.Alloc(144);
        Assert.Equal(0, h.Call(LinuxCall.Wait4, U(-1), status, 1 /* WNOHANG */, 0));
        h.Kernel.Kill(child.Kernel);   // the fake reports wait status 9 (SIGKILL)
        Assert.Equal(pid, h.Call(LinuxCall.Wait4, U(-1), status, 0, usage));
        Assert.Equal(9, h.GetInt(status));
        Assert.Equal(-Errno.ECHILD, h.Call(LinuxCall.Wait4, U(-1), status, 0, 0));
    }

    [Fact]
    public void A_blocking_wait4_wakes_when_the_child_dies_and_waiting_for_a_stranger_is_ECHILD()
    {
        long pid = h.Call(LinuxCall.Fork);
        Assert.Equal(-Errno.ECHILD, h.Call(LinuxCall.Wait4, (ulong)(pid + 100), 0, 0, 0));
        var waiter = Task.Run(() => h.Call(LinuxCall.Wait4, (ulong)pid, 0, 0, 0));
        Thread.Sleep(20);
        Assert.False(waiter.IsCompleted);
        h.Kernel.Kill(h.Posix.Processes.Find((ulong)pid)!.Kernel);
        Assert.Equal(pid, waiter.Result);
    }

    [Fact]
    public void A_child_closing_its_copy_keeps_the_parents_pipe_open()
    {
        ulong fds = h.Alloc(8);
        h.Call(LinuxCall.Pipe2, fds, 0);
        int r = h.GetInt(fds), w = h.GetInt(fds + 4);
        var child = h.Posix.Processes.Find((ulong)h.Call(LinuxCall.Fork))!;
        h.CallAs(child, LinuxCall.Close, (ulong)w);
        h.Kernel.Kill(child.Kernel);
        h.Write(w, "still open");
        Assert.Equal("still open", h.Read(r, 64));
    }
}
