// The kernel bindings go through glibc's syscall(2). On this Linux host Biscuit's own numbers answer
// ENOSYS, which proves the P/Invoke works and that glibc's -1/errno convention is turned back into
// the kernel's negative errno; Linux's own calls check that arguments arrive in the right registers.
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;

namespace Biscuit.Lib.Tests;

public class SyscallBindingTests
{
    [Fact]
    public void A_Biscuit_call_on_a_Linux_host_answers_ENOSYS_as_a_KernelError()
    {
        Assert.Equal(-38, Syscalls.Invoke(SyscallNumbers.ClockTicks));
        Assert.Equal(KernelError.NotImplemented, Syscalls.ClockTicks().Error);
        Assert.Equal(KernelError.NotImplemented, Endpoint.Create().Error);
        Assert.Equal(KernelError.NotImplemented, new Endpoint(Handle.Initial(0)).Call(10));
        Assert.Equal(KernelError.NotImplemented, new Notification(Handle.Initial(1)).Signal(1));
        Assert.Equal(KernelError.NotImplemented, Handle.Initial(2).Close());
        Assert.Equal(KernelError.NotImplemented, Syscalls.DebugWrite("x"u8).Error);
        Assert.Equal(KernelError.NotImplemented, Syscalls.GetSystemInfo().Error);
        Assert.Equal(KernelError.NotImplemented, Handle.Initial(2).Duplicate(Rights.Send, badge: 9).Error);
        Assert.Equal(KernelError.NotImplemented, Handle.Initial(2).Info().Error);
        Assert.Equal(KernelError.NotImplemented, new Notification(Handle.Initial(1)).Wait(0).Error);
        Assert.Equal(KernelError.NotImplemented, new Notification(Handle.Initial(1)).Poll().Error);
        Assert.Equal(KernelError.NotImplemented, new Notification(Handle.Initial(1)).Duplicate(Rights.Signal).Error);
        Assert.Equal(KernelError.NotImplemented, new Endpoint(Handle.Initial(0)).Duplicate(Rights.Send, badge: 3).Error);
        Assert.Equal(KernelError.NotImplemented, new Endpoint(Handle.Initial(0)).ReplyReceive(0));
        Assert.Equal(KernelError.NotImplemented, Grant.Create(new ProcessHandle(Handle.Initial(3)), 0x10000, 1, 0x20000, writable: true).Error);
        Assert.Equal(KernelError.NotImplemented, new ProcessHandle(Handle.Initial(3)).Status().Error);
        Assert.Equal(KernelError.NotImplemented, Syscalls.MapMemory(0x10000, 1, writable: true));
        Assert.Equal(KernelError.NotImplemented, Syscalls.Reply());
    }

    [Fact]
    public void Linux_getpid_through_the_same_door_returns_this_process_id()
    {
        Assert.Equal(Environment.ProcessId, Syscalls.Invoke(39));   // getpid
    }

    [Fact]
    public void A_negative_errno_comes_back_for_a_bad_file_descriptor()
    {
        Assert.Equal(-9, Syscalls.Invoke(3, -1));   // close(-1): EBADF
        Assert.Equal(KernelError.BadHandle, KernelErrors.FromResult(-9));
    }

    [Fact]
    public void The_errno_path_check_passes_when_errors_come_back_intact()
    {
        Assert.True(Syscalls.ErrnoPathWorks());
    }

    [Fact]
    public void Reading_a_failed_result_throws_but_the_error_is_a_value()
    {
        var r = Syscalls.ClockTicks();
        Assert.False(r.IsOk);
        Assert.False(r.TryGetValue(out _));
        Assert.Throws<InvalidOperationException>(() => r.Value);
        Assert.Equal("ENOSYS", r.ToString());
    }

    [Fact]
    public void The_current_ipc_buffer_is_a_clear_error_off_Biscuit()
    {
        var e = Assert.Throws<InvalidOperationException>(() => IpcBuffer.Current.Label);
        Assert.Contains("ENOSYS", e.Message);
    }

    [Fact]
    public void Spawn_refuses_bad_lengths_before_calling_the_kernel()
    {
        Assert.Equal(KernelError.NameTooLong, ProcessHandle.Spawn(new string('n', 33), [], []).Error);
        Assert.Equal(KernelError.NameTooLong, ProcessHandle.Spawn("", [], []).Error);
        Assert.Equal(KernelError.ArgumentListTooLong, ProcessHandle.Spawn("fs", [new string('a', 2048)], []).Error);
        Assert.Equal(KernelError.InvalidArgument, ProcessHandle.Spawn("fs", [], new Handle[9]).Error);
        Assert.Equal(KernelError.NotImplemented, ProcessHandle.Spawn("fs", ["fs", "-v"], [Handle.Initial(0)]).Error);
    }

    [Fact]
    public void Initial_handles_follow_the_kernels_numbering()
    {
        Assert.Equal(0x1003u, Handle.Initial(3).Value);
        Assert.Equal("EOWNERDEAD", KernelError.OwnerDead.Symbol());
        Assert.Equal(130, (int)KernelError.OwnerDead);
    }
}
