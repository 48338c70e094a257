// rt_sigaction, rt_sigprocmask, rt_sigsuspend, rt_sigreturn, tgkill, tkill, kill — the system-call
// side of Linux/Signals.cs. Signals travel within a process here; between processes they are the
// personality's business (issue 7): an application's kill() of any pid but its own is forwarded to
// posix, which knows pids, process groups and permissions and posts the signal with process_signal
// (PostToProcess). A server's kill() of another pid is ESRCH.
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Linux
{
    internal static unsafe class SignalCalls
    {
        private const ulong SigsetBytes = 8;

        public static long Sigaction(Thread* t, ulong signal, ulong action, ulong oldAction, ulong sigsetSize)
        {
            if (sigsetSize != SigsetBytes) return -Errno.EINVAL;
            if (signal < 1 || signal > LinuxState.Signals) return -Errno.EINVAL;
            SignalAction* a = t->Process->Linux->Action((int)signal);
            SignalAction old = *a;
            if (action != 0)
            {
                if (signal == Signals.SIGKILL || signal == Signals.SIGSTOP) return -Errno.EINVAL;
                SignalAction wanted;
                if (UserMemory.CopyIn(t->Process, (byte*)&wanted, action, (ulong)sizeof(SignalAction)) != 0) return -Errno.EFAULT;
                if (oldAction != 0 && UserMemory.CopyOut(t->Process, oldAction, (byte*)&old, (ulong)sizeof(SignalAction)) != 0) return -Errno.EFAULT;
                wanted.Mask &= ~Signals.Unblockable;
                *a = wanted;
                return 0;
            }
            if (oldAction != 0 && UserMemory.CopyOut(t->Process, oldAction, (byte*)&old, (ulong)sizeof(SignalAction)) != 0) return -Errno.EFAULT;
            return 0;
        }

        public static long Sigprocmask(Thread* t, ulong how, ulong set, ulong oldSet, ulong sigsetSize)
        {
            if (sigsetSize != SigsetBytes) return -Errno.EINVAL;
            ulong old = t->SignalMask;
            if (set != 0)
            {
                ulong wanted;
                if (UserMemory.ReadU64(t->Process, set, out wanted) != 0) return -Errno.EFAULT;
                switch (how)
                {
                    case 0: t->SignalMask |= wanted; break;       // SIG_BLOCK
                    case 1: t->SignalMask &= ~wanted; break;      // SIG_UNBLOCK
                    case 2: t->SignalMask = wanted; break;        // SIG_SETMASK
                    default: return -Errno.EINVAL;
                }
                t->SignalMask &= ~Signals.Unblockable;
            }
            if (oldSet != 0 && UserMemory.CopyOut(t->Process, oldSet, (byte*)&old, 8) != 0) return -Errno.EFAULT;
            return 0;
        }

        // rt_sigsuspend(mask, size): waits with `mask` until a signal runs a handler (or ends the
        // process), then -EINTR; the handler's frame carries the old mask for sigreturn to restore
        // (Signals.PushFrame), and if no handler runs the old mask comes back at once.
        public static long Sigsuspend(Thread* t, ulong mask, ulong sigsetSize)
        {
            if (sigsetSize != SigsetBytes) return -Errno.EINVAL;
            ulong wanted;
            if (UserMemory.ReadU64(t->Process, mask, out wanted) != 0) return -Errno.EFAULT;
            t->SavedMask = t->SignalMask;
            t->HasSavedMask = true;
            t->SignalMask = wanted & ~Signals.Unblockable;
            if ((t->PendingSignals & (~t->SignalMask | Signals.Unblockable)) != 0) return -Errno.EINTR;
            t->Interruptible = true;
            Blocking.Block(t, ThreadState.Sleeping, null, null, 0);   // only a signal (Signals.Post) ends it
            return -Errno.EINTR;
        }

        // tgkill(tgid, tid, sig), tkill(tid, sig): `tid` is a Linux tid (LinuxThreadIds.cs) of the
        // caller's own process (threads of others are not reachable: ESRCH). As kernel/signal.c
        // (do_tkill, do_send_specific): a tgid or tid ≤ 0 is EINVAL, then the lookup (ESRCH), then
        // the signal number (EINVAL).
        public static long Tgkill(Thread* t, ulong tgid, ulong tid, ulong signal)
        {
            if (!LinuxThreadIds.IsValidTarget(tgid) || !LinuxThreadIds.IsValidTarget(tid)) return -Errno.EINVAL;
            if ((uint)tgid != Signals.VisiblePid(t->Process)) return -Errno.ESRCH;
            return Tkill(t, tid, signal);
        }

        public static long Tkill(Thread* t, ulong tid, ulong signal)
        {
            if (!LinuxThreadIds.IsValidTarget(tid)) return -Errno.EINVAL;
            Thread* target = ThreadIdCalls.Find(t->Process, (uint)tid);
            if (target == null) return -Errno.ESRCH;
            if (signal > LinuxState.Signals) return -Errno.EINVAL;
            if (signal != 0) Signals.Post(target, (int)signal, Signals.SI_TKILL, Signals.VisiblePid(t->Process));
            return 0;
        }

        public static long Kill(Thread* t, ulong pid, ulong signal)
        {
            Process* p = t->Process;
            bool self = pid == Signals.VisiblePid(p) || (p->Personality == null && (pid == 0 || pid == p->Id));
            // Any other pid (another process, a process group, -1) is posix's to resolve.
            if (!self && p->Personality != null) return Forwarding.Forward(t);
            if (signal > LinuxState.Signals) return -Errno.EINVAL;
            if (!self) return -Errno.ESRCH;
            if (signal == 0) return 0;
            PostToProcess(p, (int)signal, Signals.SI_USER, Signals.VisiblePid(p), 0);
            return 0;
        }

        // A process-directed signal goes to the first thread that does not block it (or the first
        // thread, where it stays pending). If that thread is `served` — waiting in the forwarded call
        // whose server posts the signal (kill(0, sig) reaching the caller's own group) — its call is
        // not cancelled: the signal comes with the reply, as Linux delivers it on the way out of kill.
        public static void PostToProcess(Process* p, int signal, int code, ulong senderPid, int status, Thread* served = null,
            bool keepForwardedCalls = false)
        {
            Thread* target = p->Threads;
            if (target == null) return;
            for (Thread* c = p->Threads; c != null; c = c->ProcessNext)
                if ((c->SignalMask & Signals.Bit(signal)) == 0) { target = c; break; }
            bool interrupt = target != served && !(keepForwardedCalls && Forwarding.IsWaiting(target));
            Signals.Post(target, signal, code, senderPid, status, interrupt);
        }
    }
}
