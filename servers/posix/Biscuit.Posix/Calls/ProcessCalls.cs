// Process calls posix answers: execve(2) and wait4(2). fork (clone without CLONE_VM) is not served
// yet (it needs an address-space copy the kernel ABI does not offer; README), so no process has
// children and wait4 is ECHILD after checking its arguments.
namespace Biscuit.Posix;

public static class ProcessCalls
{
    private const int WNOHANG = 1, WUNTRACED = 2, WCONTINUED = 8, WALL = 0x40000000, WCLONE = unchecked((int)0x80000000), WNOTHREAD = 0x20000000;

    public static void Register(SyscallTable t)
    {
        t.Add(LinuxCall.Execve, "execve", Execve);
        t.Add(LinuxCall.Wait4, "wait4", Wait4);
    }

    private static long Execve(CallContext c)
    {
        string path = c.PathAt(At.FDCWD, c.Arg(0))!;
        var arguments = c.Memory.ReadStringArray(c.Arg(1));
        var environment = c.Memory.ReadStringArray(c.Arg(2));
        return c.Posix.Exec(c.Process, path, arguments, environment);
    }

    private static long Wait4(CallContext c)
    {
        int options = c.IntArg(2);
        if ((options & ~(WNOHANG | WUNTRACED | WCONTINUED | WALL | WCLONE | WNOTHREAD)) != 0) return -Errno.EINVAL;
        if (c.Arg(1) != 0) c.Memory.Read(c.Arg(1), new byte[4]);   // a bad status pointer is EFAULT
        return -Errno.ECHILD;   // no process has children while fork is not served
    }
}
