// Frames that belong to a process (its program, stack, anonymous and DMA memory): taken from the
// frame pool and counted against the process, so `sysinfo` can report its real use and quotas can
// be enforced. Every owned frame is mapped with PageFlags.Owned and given back here, or by
// PageTable.ReleaseUserHalf when the process dies (which resets the count). A frame shared by fork
// (MAP_SHARED|MAP_ANONYMOUS) is owned by each process that maps it, counted in each, and freed by
// the frame pool when its last holder gives it back (FramePool share counts).
// The servers' reserve (issue 8 item 6, "the kernel keeps a reserve so that mm can always run"):
// an application (a process with a personality) is never given one of the last ServerReserveFrames
// free frames; servers (mm, which must run to end the hog, and the servers it asks to shrink) and
// the kernel's own tables may use them. mm acts at 1/64 of memory free, above the reserve, so the
// reserve is what is left when an application outruns mm's polling.
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Processes;

namespace Biscuit.Kernel.Memory
{
    public static unsafe class UserFrames
    {
        // True if `p` may be charged `frames` more frames (its budget is its page quota; 0: none).
        public static bool WithinQuota(Process* p, ulong frames) =>
            p->MemoryBudget == 0 || (p->OwnedFrames + frames) * 4096 <= p->MemoryBudget;

        // mmap's overcommit check (Linux/MemoryMapCalls.cs): a mapping of `pages` that could never
        // be backed within the quota, however little else the process held, is refused up front;
        // anything smaller is committed lazily and held to the quota page by page at fault time.
        public static bool AdmitsMapping(Process* p, ulong pages) =>
            p->MemoryBudget == 0 || pages <= p->MemoryBudget / 4096;

        // 1/256 of physical memory (4 MiB of 1 GiB): frames only servers and the kernel may take.
        public static ulong ServerReserveFrames => BootMemory.Frames->TotalFrames / 256;

        // True if `p` may take a free frame now: a server always (while any is free), an
        // application only above the servers' reserve.
        public static bool MayTakeFrame(Process* p) =>
            p->Personality == null || BootMemory.Frames->FreeFrames > ServerReserveFrames;

        // True when `p` was refused a frame only because of the reserve (for the console line).
        public static bool StoppedByReserve(Process* p) =>
            p->Personality != null && BootMemory.Frames->FreeFrames != 0 && !MayTakeFrame(p);

        // A zeroed frame charged to `p`, or 0 if physical memory (for an application: above the
        // servers' reserve) or its budget is exhausted.
        public static ulong Take(Process* p) => Take(p, out _);

        // The same, with the TSC cycles the zeroing took (FaultCensus).
        public static ulong Take(Process* p, out ulong zeroCycles)
        {
            zeroCycles = 0;
            if (!WithinQuota(p, 1) || !MayTakeFrame(p)) return 0;
            ulong frame = BootMemory.Frames->Take();
            if (frame == 0) return 0;
            ulong before = Cpu.ReadTimestampCounter();
            Internal.Runtime.Memory.Zero(KernelImage.PhysicalToVirtual(frame), 4096);
            zeroCycles = Cpu.ReadTimestampCounter() - before;
            p->OwnedFrames++;
            return frame;
        }

        // One more holder of a frame another process owns too (fork's shared pages), charged to `p`
        // like a frame of its own. False (nothing changed) if `p`'s budget or the share count is full.
        public static bool TakeShare(Process* p, ulong frame)
        {
            if (!WithinQuota(p, 1)) return false;
            if (!BootMemory.Frames->Share(frame)) return false;
            p->OwnedFrames++;
            return true;
        }

        // Gives a frame back (for a shared one: drops this holder; the last holder frees it).
        public static void Give(Process* p, ulong frame)
        {
            BootMemory.Frames->Give(frame);
            if (p->OwnedFrames > 0) p->OwnedFrames--;
        }

        // Frames taken in bulk (program image, stack) are charged after the fact.
        public static void Charge(Process* p, ulong frames) => p->OwnedFrames += frames;
    }
}
