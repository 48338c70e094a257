// Where the cycles of a demand-zero page fault go (issue 8's benchmark: "measure and report where
// the time goes"). For every first touch of committed anonymous memory served from ring 3, the
// kernel adds the time-stamp-counter cycles of each phase of its own path:
//   entry   InterruptDispatch's first line to the start of DemandPaging.Serve (the stub's register
//           saves before it are not seen: they are in what user space measures and we do not);
//   lookup  the page's state and permission checks in the page table;
//   frame   taking a frame from the frame pool and charging it to the process;
//   zero    zeroing it (4 KiB);
//   map     writing the page-table entry (and any table page it needs) and INVLPG;
//   exit    from there until the scheduler hands back the frame to resume (iretq follows).
// A program that times its own touches (tests/guest/ipcbench.c) subtracts the sum to find the
// hardware's exception entry and iretq plus the assembly stub.
// RDTSC is not serializing (Intel SDM Vol. 2B, RDTSC): a phase may borrow a few cycles from its
// neighbour; the sums over thousands of faults are what is reported.
// Invariants: counters only grow (no reset: readers take differences); nothing allocates; faults
// served for the kernel's own copies (UserMemory) or copy-on-write are not counted. Guarded by the
// kernel being single-threaded with interrupts off.
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Memory
{
    public struct FaultCensusFigures
    {
        public ulong Faults, EntryCycles, LookupCycles, FrameCycles, ZeroCycles, MapCycles, ExitCycles;
    }

    public static unsafe class FaultCensus
    {
        private static FaultCensusFigures totals;
        // The fault being served now: timestamps DemandPaging.Serve took (valid while pending).
        private static bool pending;
        private static ulong servedFrom, checkedAt, frameAt, zeroCycles, mappedAt;

        // Interrupts.Dispatch, before a user page fault is handled: nothing is pending yet.
        public static void BeginUserFault() => pending = false;

        // DemandPaging.Serve, on success: its phase boundaries.
        public static void Served(ulong start, ulong checkedTsc, ulong frameTsc, ulong zero, ulong mappedTsc)
        {
            servedFrom = start; checkedAt = checkedTsc; frameAt = frameTsc; zeroCycles = zero; mappedAt = mappedTsc;
            pending = true;
        }

        // PagerCensus, right after DemandPaging.Serve mapped a page for the pager: the phase
        // boundaries it took, which then belong to the pager's census, not to this one.
        public static void TakeServed(out ulong start, out ulong checkedTsc, out ulong frameTsc, out ulong zero, out ulong mappedTsc)
        {
            start = servedFrom; checkedTsc = checkedAt; frameTsc = frameAt; zero = zeroCycles; mappedTsc = mappedAt;
            pending = false;
        }

        // Interrupts.Dispatch, once the frame to resume is chosen: counts the fault if it was a
        // demand-zero one served by DemandPaging. `entered` is the dispatcher's first timestamp.
        public static void EndUserFault(ulong entered, ulong resumedAt)
        {
            if (!pending) return;
            pending = false;
            totals.Faults++;
            totals.EntryCycles += servedFrom - entered;
            totals.LookupCycles += checkedAt - servedFrom;
            totals.FrameCycles += frameAt - checkedAt - zeroCycles;
            totals.ZeroCycles += zeroCycles;
            totals.MapCycles += mappedAt - frameAt;
            totals.ExitCycles += resumedAt - mappedAt;
        }

        // memory_fault_census(buffer) (0x858): the seven counters, 56 bytes, in the order of
        // FaultCensusFigures. 0, or EFAULT. Anyone may ask: the figures name no process.
        public static long Read(Thread* t, ulong buffer)
        {
            FaultCensusFigures copy = totals;
            return UserMemory.CopyOut(t->Process, buffer, (byte*)&copy, (ulong)sizeof(FaultCensusFigures));
        }
    }
}
