// Signals between processes: kill(2), SIGCHLD to a parent, SIGIO to a description's owner. The kernel
// delivers signals inside a process; which processes a pid or a process group names, and whether the
// sender may signal them, is posix's knowledge, so posix resolves the targets and asks the kernel to
// post to each (process_signal). A signal posix posts to the very thread whose kill() it is serving
// does not cancel that call: the kernel delivers it with the reply, as Linux does on kill's way out.
// Invariant: no lock is held while the kernel is asked (targets are resolved first, under their own
// locks), so these may be called from readiness notifications and from process exit.
namespace Biscuit.Posix;

public sealed partial class Personality
{
    /// <summary>kill(2) by `sender` (kernel/signal.c kill_something_info): pid &gt; 0 that process; 0 the
    /// sender's process group; -1 every process the sender may signal except pid 1 and itself; &lt; -1 the
    /// process group -pid. Signal 0 checks existence and permission only. 0 if at least one was signalled
    /// (or, for signal 0, could be), else EPERM (some exist, none permitted) or ESRCH.</summary>
    public long Kill(PosixProcess sender, int pid, int signal)
    {
        if (signal < 0 || signal > Sig.Max) return -Errno.EINVAL;
        if (pid == int.MinValue) return -Errno.ESRCH;
        List<PosixProcess> targets;
        if (pid > 0)
            targets = Processes.Find((ulong)pid) is { } one ? [one] : [];
        else if (pid == -1)
            targets = Processes.All().Where(p => p.Pid != 1 && p != sender).ToList();
        else
        {
            int group = pid < -1 ? -pid : GroupOf(sender);
            targets = Processes.All().Where(p => GroupOf(p) == group).ToList();
        }
        Credentials by;
        lock (sender.Gate) by = sender.Credentials.Copy();
        int signalled = 0;
        bool denied = false;
        foreach (var target in targets)
        {
            if (!MaySignal(by, target)) { denied = true; continue; }
            if (Post(target, signal, Sig.SI_USER, sender.Pid, 0) >= 0) signalled++;
        }
        return signalled > 0 ? 0 : denied ? -Errno.EPERM : -Errno.ESRCH;
    }

    /// <summary>A signal the kernel side raises for a whole process group (the terminal's INTR, QUIT and
    /// SUSP characters): si_code SI_KERNEL, no sender.</summary>
    public void SignalProcessGroup(int group, int signal)
    {
        foreach (var target in Processes.All().Where(p => GroupOf(p) == group))
            Post(target, signal, Sig.SI_KERNEL, 0, 0);
    }

    /// <summary>Whether an EPIPE from call `number` comes with SIGPIPE (pipe(7), socket(7)): writes to a
    /// pipe or a stream whose reading side is gone do, unless send/sendto/sendmsg said MSG_NOSIGNAL.</summary>
    public static bool RaisesSigpipe(int number, ulong[] args) => number switch
    {
        LinuxCall.Write or LinuxCall.Writev or LinuxCall.Pwrite64 or LinuxCall.Sendfile => true,
        LinuxCall.Sendto => (args[3] & Sock.MSG_NOSIGNAL) == 0,
        LinuxCall.Sendmsg => (args[2] & Sock.MSG_NOSIGNAL) == 0,
        _ => false,
    };

    /// <summary>SIGPIPE to the writer, as Linux sends it with EPIPE; posted to the process whose call posix
    /// is serving, so it arrives with the reply (the call is not cancelled).</summary>
    public static void PostBrokenPipe(PosixProcess writer) => Post(writer, Sig.SIGPIPE, Sig.SI_USER, writer.Pid, 0);

    /// <summary>SIGIO for signal-driven I/O (SignalDrivenIo) to `owner`: a pid, or a process group if negative.</summary>
    public void PostSigio(int owner)
    {
        IEnumerable<PosixProcess> targets = owner > 0
            ? Processes.Find((ulong)owner) is { } one ? [one] : []
            : Processes.All().Where(p => GroupOf(p) == -owner);
        foreach (var target in targets) Post(target, Sig.SIGIO, Sig.SI_KERNEL, 0, 0);
    }

    /// <summary>SIGCHLD to `parent` for its child `childPid` that ended with `waitStatus` (wait(2) encoding):
    /// si_code CLD_EXITED with the exit code, or CLD_KILLED/CLD_DUMPED with the signal.</summary>
    public static void PostChildExit(PosixProcess parent, int childPid, int waitStatus)
    {
        int termination = waitStatus & 0x7F;
        int code = termination == 0 ? Sig.CLD_EXITED : (waitStatus & 0x80) != 0 ? Sig.CLD_DUMPED : Sig.CLD_KILLED;
        int status = termination == 0 ? (waitStatus >> 8) & 0xFF : termination;
        // SIGCHLD never cancels a forwarded call: a wait4 that has just reaped this very child could
        // otherwise lose it (cancelled between posix's reap and the kernel delivering the reply — a
        // race no counter of waiters closes). The signal is delivered when the call returns, as if
        // SIGCHLD had SA_RESTART; calls the kernel itself blocks in (rt_sigsuspend, nanosleep) are
        // still ended by it.
        Post(parent, Sig.SIGCHLD, code, childPid, status, keepForwardedCalls: true);
    }

    /// <summary>prctl(PR_SET_PDEATHSIG)'s signal to `orphan` whose parent just ended.</summary>
    public static void PostParentDeath(PosixProcess orphan, int signal) => Post(orphan, signal, Sig.SI_USER, 0, 0);

    private static long Post(PosixProcess target, int signal, int code, int senderPid, int status, bool keepForwardedCalls = false)
    {
        KernelProcess kernel;
        lock (target.Gate)
        {
            if (target.Exited) return -Errno.ESRCH;
            kernel = target.Kernel;
        }
        return target.KernelCalls.Signal(kernel, signal, code, senderPid, status, keepForwardedCalls);
    }

    private static int GroupOf(PosixProcess p)
    {
        lock (p.Gate) return p.ProcessGroup;
    }

    /// <summary>kill(2)'s permission rule (kernel/signal.c kill_ok_by_cred): a privileged sender, or the
    /// sender's real or effective uid equal to the target's real or saved uid.</summary>
    private static bool MaySignal(Credentials sender, PosixProcess target)
    {
        if (sender.EffectiveUid == 0) return true;
        uint real, saved;
        lock (target.Gate) (real, saved) = (target.Credentials.RealUid, target.Credentials.SavedUid);
        return sender.RealUid == real || sender.RealUid == saved || sender.EffectiveUid == real || sender.EffectiveUid == saved;
    }
}
