// Where the cycles of a demand-zero fault served by the user-space pager go (issue 8's benchmark,
// the pager option: "where the mm path's time goes"), beside FaultCensus.cs for the kernel's own
// path. For each fault the pager answered with a zeroed page, the kernel adds the TSC cycles of:
//   entry     InterruptDispatch's first line to the IPC call to the pager made (the page's state
//             and permission checks included);
//   to pager  the call made to the pager's thread running again in ring 3 with the message (the
//             rendezvous or queueing, the scheduler's switch to mm, and its address space);
//   decision  from there to the start of memory_page_supply: mm's own code (decode, policy,
//             counting) and its system-call entry;
//   check     memory_page_supply's checks and DemandPaging's lookup;
//   frame     the frame pool and the charge; zero: zeroing 4 KiB; map: the PTE and INVLPG;
//   resume    from the page mapped to the faulting thread running again (mm's return to ring 3,
//             its next ipc_recv and the switch back).
// The hardware's exception entry and iretq are outside, as for FaultCensus: a program timing its
// own touches finds them by difference.
// Invariants: counters only grow; a thread's marks (Thread.PagerTimes) are written in order while
// its fault is in flight; Thread.PagerMark says which resume the scheduler must time
// (PagerThreadRuns: a pager thread just given a fault; FaultingThreadRuns: a supplied thread).
// Guarded by the kernel being single-threaded with interrupts off; nothing allocates.
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Memory
{
    public struct PagerCensusFigures
    {
        public ulong Forwarded, Supplied, Signalled, ServedByKernel, Registrations, Fallbacks;
        public ulong EntryCycles, ToPagerCycles, DecisionCycles, CheckCycles, FrameCycles, ZeroCycles, MapCycles, ResumeCycles;
    }

    internal static unsafe class PagerCensus
    {
        // Indices into Thread.PagerTimes.
        public const int Entered = 0, Sent = 1, PagerRuns = 2, SupplyAt = 3, CheckedAt = 4, FrameAt = 5, ZeroCycles = 6, MappedAt = 7;
        public const int Marks = 8;
        public const byte PagerThreadRuns = 1, FaultingThreadRuns = 2;

        private static PagerCensusFigures s_totals;

        // MessageTransfer.Copy, when a fault is delivered to `pager`: time its next run.
        public static void Delivered(Thread* pager) => pager->PagerMark = PagerThreadRuns;

        // PagerFaults.Supply, once the page is mapped: the phases DemandPaging took, and the wait
        // for the faulting thread to run again.
        public static void Supplied(Thread* t, ulong supplyAt)
        {
            FaultCensus.TakeServed(out ulong servedFrom, out ulong checkedAt, out ulong frameAt, out ulong zero, out ulong mappedAt);
            t->PagerTimes[SupplyAt] = supplyAt;
            t->PagerTimes[CheckedAt] = checkedAt;
            t->PagerTimes[FrameAt] = frameAt;
            t->PagerTimes[ZeroCycles] = zero;
            t->PagerTimes[MappedAt] = mappedAt;
            t->PagerMark = FaultingThreadRuns;
        }

        // Scheduler.Resume, when it is about to run a thread with a mark.
        public static void Runs(Thread* t)
        {
            ulong now = Cpu.ReadTimestampCounter();
            byte mark = t->PagerMark;
            t->PagerMark = 0;
            if (mark == PagerThreadRuns)
            {
                Thread* faulting = t->ReplyTo;
                if (faulting != null && faulting->PagerFault && faulting->PagerTimes[PagerRuns] == 0)
                    faulting->PagerTimes[PagerRuns] = now;
                return;
            }
            ulong* m = t->PagerTimes;
            if (m[PagerRuns] != 0 && m[Sent] != 0)
            {
                s_totals.EntryCycles += m[Sent] - m[Entered];
                s_totals.ToPagerCycles += m[PagerRuns] - m[Sent];
                s_totals.DecisionCycles += m[SupplyAt] - m[PagerRuns];
                s_totals.CheckCycles += m[CheckedAt] - m[SupplyAt];
                s_totals.FrameCycles += m[FrameAt] - m[CheckedAt] - m[ZeroCycles];
                s_totals.ZeroCycles += m[ZeroCycles];
                s_totals.MapCycles += m[MappedAt] - m[FrameAt];
                s_totals.ResumeCycles += now - m[MappedAt];
                s_totals.Supplied++;
            }
            for (int i = 0; i < Marks; i++) m[i] = 0;
        }

        // memory_pager_census(buffer) (0x85B): fourteen u64, 112 bytes, in the order of
        // PagerCensusFigures: faults sent to the pager, faults it supplied that were timed, faults it
        // answered with a signal, faults the kernel served after the pager failed them, pager
        // registrations and fallbacks; then the cycles of each phase, summed over the timed faults.
        // 0, or EFAULT. Anyone may ask: the figures name no process.
        public static long Read(Thread* t, ulong buffer)
        {
            PagerCensusFigures copy = s_totals;
            copy.Forwarded = PagerFaults.Forwarded;
            copy.Signalled = PagerFaults.Signalled;
            copy.ServedByKernel = PagerFaults.ServedByKernel;
            copy.Registrations = Pager.Registrations;
            copy.Fallbacks = Pager.Fallbacks;
            return UserMemory.CopyOut(t->Process, buffer, (byte*)&copy, (ulong)sizeof(PagerCensusFigures));
        }
    }
}
