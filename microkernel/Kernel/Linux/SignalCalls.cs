// rt_sigaction, rt_sigprocmask, rt_sigreturn, tgkill, tkill, kill — the system-call side of
// Linux/Signals.cs. Signals travel within a process here; between processes they are the
// `posix` server's business (issue 7), so kill() of another pid is ESRCH.
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

        private static Thread* FindThread(Process* p, ulong tid)
        {
            for (Thread* t = p->Threads; t != null; t = t->ProcessNext)
                if (t->Id == tid) return t;
            return null;
        }

        public static long Tgkill(Thread* t, ulong tgid, ulong tid, ulong signal)
        {
            if (tgid != t->Process->Id) return -Errno.ESRCH;
            return Tkill(t, tid, signal);
        }

        public static long Tkill(Thread* t, ulong tid, ulong signal)
        {
            if (signal > LinuxState.Signals) return -Errno.EINVAL;
            Thread* target = FindThread(t->Process, tid);
            if (target == null) return -Errno.ESRCH;
            if (signal != 0) Signals.Post(target, (int)signal, Signals.SI_TKILL, t->Process->Id);
            return 0;
        }

        public static long Kill(Thread* t, ulong pid, ulong signal)
        {
            if (signal > LinuxState.Signals) return -Errno.EINVAL;
            if (pid != 0 && pid != t->Process->Id) return -Errno.ESRCH;
            if (signal == 0) return 0;
            // A process-directed signal goes to the first thread that does not block it.
            Thread* target = t->Process->Threads;
            for (Thread* c = t->Process->Threads; c != null; c = c->ProcessNext)
                if ((c->SignalMask & Signals.Bit((int)signal)) == 0) { target = c; break; }
            Signals.Post(target, (int)signal, Signals.SI_USER, t->Process->Id);
            return 0;
        }
    }
}
