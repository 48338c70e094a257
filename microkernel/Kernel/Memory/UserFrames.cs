// Frames that belong to a process (its program, stack, anonymous and DMA memory): taken from the
// frame pool and counted against the process, so `sysinfo` can report its real use and quotas can
// be enforced. Every owned frame is mapped with PageFlags.Owned and given back here, or by
// PageTable.ReleaseUserHalf when the process dies (which resets the count). A frame shared by fork
// (MAP_SHARED|MAP_ANONYMOUS) is owned by each process that maps it, counted in each, and freed by
// the frame pool when its last holder gives it back (FramePool share counts).
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Processes;

namespace Biscuit.Kernel.Memory
{
    public static unsafe class UserFrames
    {
        // A zeroed frame charged to `p`, or 0 if physical memory or its budget is exhausted.
        public static ulong Take(Process* p)
        {
            if (p->MemoryBudget != 0 && (p->OwnedFrames + 1) * 4096 > p->MemoryBudget) return 0;
            ulong frame = BootMemory.Frames->Take();
            if (frame == 0) return 0;
            Internal.Runtime.Memory.Zero(KernelImage.PhysicalToVirtual(frame), 4096);
            p->OwnedFrames++;
            return frame;
        }

        // One more holder of a frame another process owns too (fork's shared pages), charged to `p`
        // like a frame of its own. False (nothing changed) if `p`'s budget or the share count is full.
        public static bool TakeShare(Process* p, ulong frame)
        {
            if (p->MemoryBudget != 0 && (p->OwnedFrames + 1) * 4096 > p->MemoryBudget) return false;
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
