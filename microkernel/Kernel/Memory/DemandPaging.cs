// Committed memory gets its frame on first touch: a page whose entry is Lazy (PageTable.cs) is
// given a zeroed frame with the permissions kept in the entry, when the access is one those
// permissions allow. This is what makes `mmap` reservations and commits cost nothing until used.
// Called from the page-fault handler (PageFaults.cs) for user faults and from UserMemory for
// kernel copies (FaultCensus counts only the former). A frame is charged to the process (UserFrames): its quota can refuse it.
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Processes;

namespace Biscuit.Kernel.Memory
{
    public enum FaultInResult { Mapped, NotLazy, NotPermitted, OverQuota, OutOfFrames }

    public static unsafe class DemandPaging
    {
        public static ulong FaultsServed;   // statistics, system-wide

        // Returns true if the page is now present and the access may be retried.
        public static bool FaultIn(Process* p, ulong address, bool write, bool execute) =>
            Serve(p, address, write, execute) == FaultInResult.Mapped;

        // The same, saying why not.
        public static FaultInResult Serve(Process* p, ulong address, bool write, bool execute)
        {
            ulong start = Cpu.ReadTimestampCounter();
            ulong page = address & ~0xFFFUL, frame;
            PageFlags flags;
            if (p->Space.StateOf(page, out frame, out flags) != PageState.Lazy) return FaultInResult.NotLazy;
            if (write && (flags & PageFlags.Writable) == 0) return FaultInResult.NotPermitted;
            if (execute && (flags & PageFlags.NoExecute) != 0) return FaultInResult.NotPermitted;
            if (!UserFrames.WithinQuota(p, 1)) return FaultInResult.OverQuota;
            ulong checkedAt = Cpu.ReadTimestampCounter();
            frame = UserFrames.Take(p, out ulong zeroCycles);
            if (frame == 0) return FaultInResult.OutOfFrames;
            ulong frameAt = Cpu.ReadTimestampCounter();
            PageFlags mapFlags = (flags & (PageFlags.Writable | PageFlags.User | PageFlags.NoExecute | PageFlags.Shared)) | PageFlags.Owned;
            if (p->Space.Map(page, frame, mapFlags) != MapResult.Ok)
            {
                UserFrames.Give(p, frame);
                return FaultInResult.OutOfFrames;    // a page-table frame was missing
            }
            Cpu.InvalidatePage(page);
            FaultCensus.Served(start, checkedAt, frameAt, zeroCycles, Cpu.ReadTimestampCounter());
            FaultsServed++;
            p->PageFaults++;
            return FaultInResult.Mapped;
        }
    }
}
