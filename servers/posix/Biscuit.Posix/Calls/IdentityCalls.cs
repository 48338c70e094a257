// Identity calls (credentials(7)): getuid/geteuid/getgid/getegid/getresuid/getresgid/getgroups,
// setuid/setgid/setreuid/setregid/setresuid/setresgid/setgroups (recorded per process, with the
// unprivileged rules), and process groups and sessions (getpgrp, getpgid, setpgid, getsid, setsid).
namespace Biscuit.Posix;

public static class IdentityCalls
{
    private const uint Unchanged = uint.MaxValue;

    public static void Register(SyscallTable t)
    {
        t.Add(LinuxCall.Getuid, "getuid", c => With(c, k => k.RealUid));
        t.Add(LinuxCall.Geteuid, "geteuid", c => With(c, k => k.EffectiveUid));
        t.Add(LinuxCall.Getgid, "getgid", c => With(c, k => k.RealGid));
        t.Add(LinuxCall.Getegid, "getegid", c => With(c, k => k.EffectiveGid));
        t.Add(LinuxCall.Setuid, "setuid", c => Change(c, k => k.SetUid((uint)c.Arg(0))));
        t.Add(LinuxCall.Setgid, "setgid", c => Change(c, k => k.SetGid((uint)c.Arg(0))));
        t.Add(LinuxCall.Setreuid, "setreuid", c => Change(c, k => k.SetResUid((uint)c.Arg(0), (uint)c.Arg(1), Unchanged)));
        t.Add(LinuxCall.Setregid, "setregid", c => Change(c, k => k.SetResGid((uint)c.Arg(0), (uint)c.Arg(1), Unchanged)));
        t.Add(LinuxCall.Setresuid, "setresuid", c => Change(c, k => k.SetResUid((uint)c.Arg(0), (uint)c.Arg(1), (uint)c.Arg(2))));
        t.Add(LinuxCall.Setresgid, "setresgid", c => Change(c, k => k.SetResGid((uint)c.Arg(0), (uint)c.Arg(1), (uint)c.Arg(2))));
        t.Add(LinuxCall.Getresuid, "getresuid", c => WriteThree(c, k => (k.RealUid, k.EffectiveUid, k.SavedUid)));
        t.Add(LinuxCall.Getresgid, "getresgid", c => WriteThree(c, k => (k.RealGid, k.EffectiveGid, k.SavedGid)));
        t.Add(LinuxCall.Getgroups, "getgroups", GetGroups);
        t.Add(LinuxCall.Setgroups, "setgroups", SetGroups);
        t.Add(LinuxCall.Getppid, "getppid", c => c.Process.ParentPid);
        t.Add(LinuxCall.Getpgrp, "getpgrp", c => { lock (c.Process.Gate) return c.Process.ProcessGroup; });
        t.Add(LinuxCall.Getpgid, "getpgid", c => OfProcess(c, c.IntArg(0), p => p.ProcessGroup));
        t.Add(LinuxCall.Getsid, "getsid", c => OfProcess(c, c.IntArg(0), p => p.Session));
        t.Add(LinuxCall.Setpgid, "setpgid", SetProcessGroup);
        t.Add(LinuxCall.Setsid, "setsid", SetSession);
    }

    private static long With(CallContext c, Func<Credentials, uint> read)
    {
        lock (c.Process.Gate) return read(c.Process.Credentials);
    }

    private static long Change(CallContext c, Func<Credentials, long> change)
    {
        lock (c.Process.Gate) return change(c.Process.Credentials);
    }

    private static long WriteThree(CallContext c, Func<Credentials, (uint, uint, uint)> read)
    {
        (uint a, uint b, uint d) ids;
        lock (c.Process.Gate) ids = read(c.Process.Credentials);
        c.Memory.WriteU32(c.Arg(0), ids.a);
        c.Memory.WriteU32(c.Arg(1), ids.b);
        c.Memory.WriteU32(c.Arg(2), ids.d);
        return 0;
    }

    /// <summary>getgroups(2): size 0 asks for the count; a smaller non-zero size is EINVAL.</summary>
    private static long GetGroups(CallContext c)
    {
        int size = c.IntArg(0);
        uint[] groups;
        lock (c.Process.Gate) groups = c.Process.Credentials.Groups;
        if (size < 0) return -Errno.EINVAL;
        if (size == 0) return groups.Length;
        if (size < groups.Length) return -Errno.EINVAL;
        var bytes = new byte[groups.Length * 4];
        Buffer.BlockCopy(groups, 0, bytes, 0, bytes.Length);
        c.Memory.Write(c.Arg(1), bytes);
        return groups.Length;
    }

    /// <summary>setgroups(2): at most NGROUPS_MAX (65536) groups.</summary>
    private static long SetGroups(CallContext c)
    {
        ulong count = c.Arg(0);
        if (count > 65536) return -Errno.EINVAL;
        var bytes = c.Memory.Read(c.Arg(1), (int)count * 4);
        var groups = new uint[count];
        Buffer.BlockCopy(bytes, 0, groups, 0, bytes.Length);
        lock (c.Process.Gate) return c.Process.Credentials.SetGroups(groups);
    }

    private static long OfProcess(CallContext c, int pid, Func<PosixProcess, int> read)
    {
        var p = pid == 0 ? c.Process : c.Posix.Processes.Find((ulong)pid);
        if (p is null) return -Errno.ESRCH;
        lock (p.Gate) return read(p);
    }

    /// <summary>setpgid(2) for the caller itself or its children (pid 0 = the caller, pgid 0 = its pid).</summary>
    private static long SetProcessGroup(CallContext c)
    {
        int pid = c.IntArg(0), pgid = c.IntArg(1);
        if (pgid < 0) return -Errno.EINVAL;
        var p = pid == 0 ? c.Process : c.Posix.Processes.Find((ulong)pid);
        if (p is null || (p != c.Process && p.ParentPid != c.Process.Pid)) return -Errno.ESRCH;
        lock (p.Gate)
        {
            if (p.Session == p.Pid) return -Errno.EPERM;   // a session leader cannot move
            p.ProcessGroup = pgid == 0 ? p.Pid : pgid;
        }
        return 0;
    }

    /// <summary>setsid(2): EPERM for a process-group leader; otherwise a new session and group.</summary>
    private static long SetSession(CallContext c)
    {
        var p = c.Process;
        lock (p.Gate)
        {
            if (p.ProcessGroup == p.Pid) return -Errno.EPERM;
            p.Session = p.ProcessGroup = p.Pid;
            return p.Pid;
        }
    }
}
