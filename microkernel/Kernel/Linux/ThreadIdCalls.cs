// The kernel's side of Linux thread ids (numbering rules: LinuxThreadIds.cs): gettid,
// set_tid_address, finding a thread by its Linux tid (tkill, tgkill), and the CLONE_CHILD_SETTID
// word of a forked child, written when process_start runs it — after posix has told the kernel the
// child's pid (process_set_pid), so that the tid glibc caches in its thread control block from that
// word is the pid gettid answers. Everything Linux code and the personality see is a Linux tid
// (forwarded-call messages and process_fork too); kernel thread ids stay with the native calls.
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Linux
{
    internal static unsafe class ThreadIdCalls
    {
        public static ulong TidOf(Thread* t) => LinuxThreadIds.Of(t->IsLeader, Signals.VisiblePid(t->Process), t->Id);

        // The thread of `p` whose Linux tid is `tid`, or null.
        public static Thread* Find(Process* p, ulong tid)
        {
            for (Thread* t = p->Threads; t != null; t = t->ProcessNext)
                if (TidOf(t) == tid) return t;
            return null;
        }

        // set_tid_address(tidptr): the word CHILD_CLEARTID clears at exit; returns the caller's tid.
        public static long SetTidAddress(Thread* t, ulong clearAddress)
        {
            t->ClearChildTid = clearAddress;
            return (long)TidOf(t);
        }

        // process_start of a process_fork child: its CLONE_CHILD_SETTID word receives its Linux tid.
        // process_fork wrote the word once already (so that a bad address failed the fork and the
        // page is the child's own), which makes this write one that cannot fail for want of memory;
        // it still can if the personality made the page read-only since (process_mprotect): then
        // -EFAULT, and nothing changes (the child stays unstarted).
        public static long WriteForkedChildTid(Thread* t)
        {
            if (t->ChildTidAtStart == 0) return 0;
            uint tid = (uint)TidOf(t);
            if (UserMemory.CopyOut(t->Process, t->ChildTidAtStart, (byte*)&tid, 4) != 0) return -Syscalls.Errno.EFAULT;
            t->ChildTidAtStart = 0;
            return 0;
        }
    }
}
