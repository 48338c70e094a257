// Process calls posix answers: fork(2), vfork(2) and clone(2) without CLONE_VM (the kernel copies the
// address space: process_fork), execve(2), and wait4(2) for the children posix forked.
namespace Biscuit.Posix;

public static class ProcessCalls
{
    private const int WNOHANG = 1, WUNTRACED = 2, WCONTINUED = 8, WALL = 0x40000000, WCLONE = unchecked((int)0x80000000), WNOTHREAD = 0x20000000;

    public static void Register(SyscallTable t)
    {
        t.Add(LinuxCall.Execve, "execve", Execve);
        t.Add(LinuxCall.Wait4, "wait4", Wait4);
        t.Add(LinuxCall.Fork, "fork", c => c.Posix.Fork(c.Process, c.ThreadId, 17, 0, 0, 0));
        t.Add(LinuxCall.Vfork, "vfork", c => c.Posix.Fork(c.Process, c.ThreadId, 17, 0, 0, 0));
        // clone(flags, newsp, parent_tid, child_tid, tls); with CLONE_VM it is a thread, the kernel's.
        t.Add(LinuxCall.Clone, "clone", c => (c.Arg(0) & Personality.CloneVm) != 0 ? -Errno.EINVAL
            : c.Posix.Fork(c.Process, c.ThreadId, c.Arg(0), c.Arg(1), c.Arg(2), c.Arg(3)));
    }

    private static long Execve(CallContext c)
    {
        string path = c.PathAt(At.FDCWD, c.Arg(0))!;
        var arguments = c.Memory.ReadStringArray(c.Arg(1));
        var environment = c.Memory.ReadStringArray(c.Arg(2));
        return c.Posix.Exec(c.Process, path, arguments, environment);
    }

    /// <summary>wait4(2): a child that exited (pid > 0: that one; -1, 0 or < -1: any — process-group
    /// selection is not kept for exited children), its wait status at `status` and a zeroed struct
    /// rusage; 0 with WNOHANG while children live; ECHILD when there is none to wait for; blocks
    /// otherwise, -EINTR if the caller gives up.</summary>
    private static long Wait4(CallContext c)
    {
        int options = c.IntArg(2);
        if ((options & ~(WNOHANG | WUNTRACED | WCONTINUED | WALL | WCLONE | WNOTHREAD)) != 0) return -Errno.EINVAL;
        int pid = c.IntArg(0);
        ulong statusPointer = c.Arg(1), usagePointer = c.Arg(3);
        Func<int, bool> matches = child => pid <= 0 || child == pid;
        while (true)
        {
            if (c.Process.TryReap(matches, out var child))
            {
                if (statusPointer != 0) c.Memory.WriteU32(statusPointer, (uint)child.Status);
                if (usagePointer != 0) c.Memory.Write(usagePointer, new byte[RusageBytes]);
                return child.Pid;
            }
            if (!c.Posix.Processes.HasLiveChild(c.Process.Pid, p => matches(p.Pid))) return -Errno.ECHILD;
            if ((options & WNOHANG) != 0) return 0;
            if (c.Cancel.IsCancelled) return -Errno.EINTR;
            c.Process.WaitForChildExit(Blocking.RecheckMilliseconds);
        }
    }

    private const int RusageBytes = 144;
}
