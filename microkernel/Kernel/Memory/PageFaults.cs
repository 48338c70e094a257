// The page-fault path for faults taken in ring 3 (Arch/X64/Interrupts.cs): decides from the error
// code (Intel SDM Vol. 3A §4.7: bit 0 P, 1 W/R, 2 U/S, 4 I/D) which of the kernel's paging
// mechanisms serves the fault:
//   - not present: a committed page's first touch, served by DemandPaging with a zeroed frame —
//     or, for an application while a user-space pager is registered, sent to it (PagerFaults.cs);
//   - present, a write, on a CopyOnWrite page: fork's sharing ends, CopyOnWrite copies the frame;
//   - anything else is the program's error, left to the caller (a signal, Linux/Signals.cs).
// Running out is told apart, as Linux tells its OOM cases apart:
//   - beyond the process's page quota (its memory budget, set by the holder of its handle): the
//     process is killed with SIGKILL, after a console line with the numbers — what Linux's
//     memory-cgroup OOM killer does to a task over memory.max (mm/memcontrol.c, mm/oom_kill.c);
//   - physical memory exhausted (for an application: all but the servers' reserve, UserFrames.cs):
//     the fault is not served and the process gets SIGSEGV (Linux would OOM-kill someone; here
//     the choice of a victim is mm's policy, not the kernel's).
// The kernel never panics for either.
using Biscuit.Kernel.Diagnostics;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Memory
{
    public static unsafe class PageFaults
    {
        public const int SIGKILL = 9;
        public static ulong QuotaKills;      // processes killed over their quota (statistics)

        // True if the fault was served (retry the access) or ended the process; false if the
        // caller must raise the signal the fault deserves.
        // `entered`: the dispatcher's first timestamp (PagerCensus).
        public static bool Handle(Thread* t, ulong address, ulong errorCode, ulong entered)
        {
            Process* p = t->Process;
            bool present = (errorCode & 1) != 0, write = (errorCode & 2) != 0, fetch = (errorCode & 16) != 0;
            if (!present)
            {
                if (PagerFaults.TryForward(t, address, write, fetch, entered)) return true;   // blocked until the pager answers
                FaultInResult r = DemandPaging.Serve(p, address, write, fetch);
                if (r == FaultInResult.Mapped) return true;
                if (r == FaultInResult.OverQuota) { KillOverQuota(p, address); return true; }
                if (r == FaultInResult.OutOfFrames) ReportOutOfFrames(p, address);
                return false;
            }
            if (!write || fetch) return false;
            ulong frame;
            PageFlags flags;
            if (p->Space.StateOf(address & ~0xFFFUL, out frame, out flags) != PageState.Present
                || (flags & PageFlags.CopyOnWrite) == 0) return false;
            CopyOnWrite.Faults++;
            CopyOnWriteResult c = CopyOnWrite.Resolve(p, address);
            if (c == CopyOnWriteResult.Resolved) { p->PageFaults++; return true; }
            if (c == CopyOnWriteResult.OutOfFrames)
                Report(p, address, UserFrames.StoppedByReserve(p) ? "only the servers' reserve is free, no frame for a copy-on-write fault" : "no free frame for a copy-on-write fault");
            return false;
        }

        public static void ReportOutOfFrames(Process* p, ulong address) =>
            Report(p, address, UserFrames.StoppedByReserve(p) ? "only the servers' reserve is free, no frame for a demand-zero fault" : "no free frame for a demand-zero fault");

        public static void KillOverQuota(Process* p, ulong address)
        {
            QuotaKills++;
            Report(p, address, "over its page quota: killed (SIGKILL)");
            ProcessControl.Exit(p, SIGKILL);
        }

        // "biscuit: out of memory: process N (name) at ADDRESS, WHAT; quota Q pages, resident R pages, F frames free"
        public static void Report(Process* p, ulong address, string what)
        {
            Console.Write("biscuit: out of memory: process ");
            Console.WriteDecimal(p->Id);
            Console.Write(" (");
            ProcessControl.WriteName(p);
            Console.Write(") at ");
            Console.WriteHex(address);
            Console.Write(", ");
            Console.Write(what);
            Console.Write("; quota ");
            Console.WriteDecimal(p->MemoryBudget / 4096);
            Console.Write(" pages, resident ");
            Console.WriteDecimal(p->OwnedFrames);
            Console.Write(" pages, ");
            Console.WriteDecimal(Boot.BootMemory.Frames->FreeFrames);
            Console.Write(" frames free");
            Console.NewLine();
        }
    }
}
