// Signal calls posix answers: kill(2) of any pid but the caller's own (the kernel keeps that one, and
// tkill/tgkill, rt_sigaction, rt_sigprocmask, rt_sigsuspend: signals inside a process are the kernel's),
// and prctl(2)'s process attributes that programs set around signals and identity changes:
// PR_SET_NAME/PR_GET_NAME, PR_SET_DUMPABLE/PR_GET_DUMPABLE, PR_SET_PDEATHSIG/PR_GET_PDEATHSIG.
// Other prctl options answer EINVAL, as Linux does for options it does not know.
namespace Biscuit.Posix;

public static class SignalCalls
{
    public const int PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4,
        PR_SET_NAME = 15, PR_GET_NAME = 16, NameBytes = 16;

    public static void Register(SyscallTable t)
    {
        t.Add(LinuxCall.Kill, "kill", c => c.Posix.Kill(c.Process, c.IntArg(0), c.IntArg(1)));
        t.Add(LinuxCall.Prctl, "prctl", ProcessControl);
    }

    private static long ProcessControl(CallContext c)
    {
        var p = c.Process;
        switch (c.IntArg(0))
        {
            case PR_SET_NAME:
            {
                var bytes = new byte[NameBytes];
                c.Memory.Read(c.Arg(1), bytes);   // Linux copies 16 bytes and ends the name at the first NUL
                int end = Array.IndexOf(bytes, (byte)0);
                lock (p.Gate) p.CommandName = System.Text.Encoding.UTF8.GetString(bytes, 0, end < 0 ? NameBytes - 1 : end);
                return 0;
            }
            case PR_GET_NAME:
            {
                var bytes = new byte[NameBytes];
                string name;
                lock (p.Gate) name = p.CommandName;
                System.Text.Encoding.UTF8.GetBytes(name, bytes.AsSpan(0, NameBytes - 1));
                c.Memory.Write(c.Arg(1), bytes);
                return 0;
            }
            case PR_SET_DUMPABLE:
                if (c.Arg(1) > 1) return -Errno.EINVAL;
                lock (p.Gate) p.Dumpable = c.Arg(1) == 1;
                return 0;
            case PR_GET_DUMPABLE:
                lock (p.Gate) return p.Dumpable ? 1 : 0;
            case PR_SET_PDEATHSIG:
                if (c.Arg(1) > Sig.Max) return -Errno.EINVAL;
                lock (p.Gate) p.ParentDeathSignal = (int)c.Arg(1);
                return 0;
            case PR_GET_PDEATHSIG:
            {
                int signal;
                lock (p.Gate) signal = p.ParentDeathSignal;
                c.Memory.WriteU32(c.Arg(1), (uint)signal);
                return 0;
            }
            default:
                return -Errno.EINVAL;
        }
    }
}
