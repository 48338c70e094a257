// RLIMIT_NOFILE is posix's: the descriptors are in posix's tables, so getrlimit(2), setrlimit(2) and
// prlimit64(2) for RLIMIT_NOFILE come here (the kernel forwards exactly those; every other resource
// is the kernel's, ForwardingRules.IsCore). The soft limit bounds FdTable (EMFILE past it), children
// inherit both limits at fork, execve keeps them. prlimit64 of another pid needs privilege or the
// same real uid as the target's real and saved uids (kernel/sys.c check_prlimit_permission).
namespace Biscuit.Posix;

public static class LimitCalls
{
    public const int RLIMIT_NOFILE = 7;
    private const ulong Infinity = ulong.MaxValue;

    public static void Register(SyscallTable t)
    {
        t.Add(LinuxCall.Getrlimit, "getrlimit", c => Limits(c, c.Process, c.IntArg(0), 0, c.Arg(1)));
        t.Add(LinuxCall.Setrlimit, "setrlimit", c => Limits(c, c.Process, c.IntArg(0), c.Arg(1), 0));
        t.Add(LinuxCall.Prlimit64, "prlimit64", Prlimit);
    }

    private static long Prlimit(CallContext c)
    {
        int pid = c.IntArg(0);
        var target = pid == 0 || pid == c.Process.Pid ? c.Process : c.Posix.Processes.Find((ulong)pid);
        if (target is null || pid < 0) return -Errno.ESRCH;
        if (target != c.Process)
        {
            Credentials by, of;
            lock (c.Process.Gate) by = c.Process.Credentials.Copy();
            lock (target.Gate) of = target.Credentials.Copy();
            if (by.EffectiveUid != 0 && !(by.RealUid == of.RealUid && by.RealUid == of.SavedUid)) return -Errno.EPERM;
        }
        return Limits(c, target, c.IntArg(1), c.Arg(2), c.Arg(3));
    }

    /// <summary>Reads the old limits into `oldAt` and sets the new ones from `newAt` (either may be 0).</summary>
    private static long Limits(CallContext c, PosixProcess target, int resource, ulong newAt, ulong oldAt)
    {
        if (resource != RLIMIT_NOFILE) return -Errno.EINVAL;   // the kernel keeps every other resource
        var fds = target.Fds;
        byte[]? wanted = newAt != 0 ? c.Memory.Read(newAt, 16) : null;   // EFAULT before anything changes
        if (oldAt != 0)
        {
            var old = new byte[16];
            BitConverter.TryWriteBytes(old.AsSpan(0), (ulong)fds.Limit);
            BitConverter.TryWriteBytes(old.AsSpan(8), (ulong)fds.HardLimit);
            c.Memory.Write(oldAt, old);
        }
        if (wanted is null) return 0;
        ulong soft = BitConverter.ToUInt64(wanted, 0), hard = BitConverter.ToUInt64(wanted, 8);
        bool privileged;
        lock (c.Process.Gate) privileged = c.Process.Credentials.EffectiveUid == 0;
        return fds.SetLimits(soft == Infinity ? FdTable.MaxLimit : soft, hard == Infinity ? FdTable.MaxLimit : hard, privileged);
    }
}
