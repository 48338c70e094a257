// Frames that belong to a process (its program, stack, anonymous and DMA memory): taken from the
// frame pool and counted against the process, so `sysinfo` can report its real use and quotas can
// be enforced. Every owned frame is mapped with PageFlags.Owned and given back here, or by
// PageTable.ReleaseUserHalf when the process dies (which resets the count).
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

        public static void Give(Process* p, ulong frame)
        {
            BootMemory.Frames->Give(frame);
            if (p->OwnedFrames > 0) p->OwnedFrames--;
        }

        // Frames taken in bulk (program image, stack) are charged after the fact.
        public static void Charge(Process* p, ulong frames) => p->OwnedFrames += frames;
    }
}
