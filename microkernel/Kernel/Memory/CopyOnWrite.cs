// Copy-on-write (issue 8): after fork, parent and child map the same private frames read-only,
// marked PageFlags.CopyOnWrite, with one FramePool share per extra holder (AddressSpaceCopy.cs).
// The first write by either one faults (Intel SDM Vol. 3A §4.7: error code P=1, W/R=1) and lands
// here: if another holder still has the frame, the writer gets a copy of its own; if it is the
// last holder (the others copied or exited), the page is simply made writable again.
// The same step is taken before the kernel itself writes into such a page for the process
// (UserMemory, process_write, grants), so no write ever reaches a frame another process sees.
// TLB (SDM Vol. 3A §4.10.4.1-2): the entry changes frame or gains write access, so the page's
// translation is invalidated with INVLPG (harmless when `p`'s space is not the one in CR3: its
// stale entries, if any, went with the last CR3 load — no PCIDs, one CPU, nothing to shoot down).
// Accounting: a process is charged for each frame it holds, shared or not (like Linux's RSS), so a
// copy changes no charge (one share given back, one frame taken) and cannot exceed the quota; it
// can only find physical memory exhausted, which is reported to the caller.
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Processes;

namespace Biscuit.Kernel.Memory
{
    public enum CopyOnWriteResult { NotCopyOnWrite, Resolved, OutOfFrames }

    public static unsafe class CopyOnWrite
    {
        public static ulong Faults;          // write faults on copy-on-write pages (statistics, system-wide)
        public static ulong PagesCopied;     // of which needed a copy (the rest were the last holder)

        // True if the present page `flags` describe holds a private frame that another address
        // space holds too, or is marked CopyOnWrite: a write must go through Resolve first.
        public static bool NeedsResolving(ulong frame, PageFlags flags) =>
            (flags & PageFlags.CopyOnWrite) != 0
            || ((flags & (PageFlags.Owned | PageFlags.Shared)) == PageFlags.Owned && BootMemory.Frames->ExtraHoldersOf(frame) > 0);

        // Gives `p` a frame of its own at `page` (present) if it shares one, keeping the page's
        // permissions (a CopyOnWrite page becomes writable). NotCopyOnWrite: nothing to do.
        public static CopyOnWriteResult Resolve(Process* p, ulong page)
        {
            page &= ~0xFFFUL;
            ulong frame;
            PageFlags flags;
            if (p->Space.StateOf(page, out frame, out flags) != PageState.Present || !NeedsResolving(frame, flags))
                return CopyOnWriteResult.NotCopyOnWrite;
            PageFlags kept = flags & (PageFlags.Writable | PageFlags.User | PageFlags.NoExecute | PageFlags.Owned);
            if (BootMemory.Frames->ExtraHoldersOf(frame) > 0)
            {
                ulong copy = UserFrames.MayTakeFrame(p) ? BootMemory.Frames->Take() : 0;   // the servers' reserve (UserFrames.cs)
                if (copy == 0) return CopyOnWriteResult.OutOfFrames;
                Internal.Runtime.Memory.Move(KernelImage.PhysicalToVirtual(copy), KernelImage.PhysicalToVirtual(frame), 4096);
                p->Space.Replace(page, copy, kept);
                BootMemory.Frames->Give(frame);      // drops this holder's share; the charge moves to the copy
                PagesCopied++;
                p->CopiesOnWrite++;
            }
            else p->Space.Protect(page, kept);      // the last holder: writable again, no copy
            Cpu.InvalidatePage(page);
            return CopyOnWriteResult.Resolved;
        }
    }
}
