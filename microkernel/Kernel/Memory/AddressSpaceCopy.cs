// Fork's copy of a user address space (issue 7; copy-on-write since issue 8; Syscalls.md
// `process_fork`). The parent's user half is walked entry by entry (PageTable.NextUserEntry) and
// rebuilt in the child's empty space:
//   - a present private page the parent owns: the same frame with one more holder (FramePool share
//     counts), charged to the child too, and mapped read-only in both spaces — PageTable marks a
//     writable one CopyOnWrite, and the first write by either side copies it (CopyOnWrite.cs);
//   - a page the parent has granted to another process, or a PROT_NONE page that keeps a frame: an
//     eager copy (a new frame charged to the child), so that the grant keeps seeing the parent's
//     writes and no hidden frame is shared;
//   - a Shared page (MAP_SHARED|MAP_ANONYMOUS): the same frame with one more holder, writable in
//     both; a Shared page that has no frame yet gets one in the parent first, so that the two
//     processes see one page from then on;
//   - a committed page never touched (Lazy, no frame): the same Lazy entry — still free until used;
//   - a page the parent does not own (granted by another process, device registers, IPC buffers,
//     2 MiB leaves): not inherited.
// TLB: the parent's writable entries lose R/W. Intel SDM Vol. 3A §4.10.4.1: MOV to CR3 invalidates
// every non-global translation, so when the parent's space is the one loaded (posix is normally
// the caller, and its own space is loaded) CR3 is reloaded after the walk; otherwise its next load
// does it (no PCIDs, one CPU).
// All or nothing: a shortage (frames, the child's budget, page-table frames, a share count) returns
// -ENOMEM; the caller then discards the child's space, which gives every frame and share it holds
// back. Parent pages already write-protected stay so until their next write, which finds no other
// holder and just makes them writable again. Frames given to the parent's untouched Shared pages
// stay the parent's (it would have got them on first touch). Nothing here allocates from a heap.
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Syscalls;

namespace Biscuit.Kernel.Memory
{
    public static unsafe class AddressSpaceCopy
    {
        private const PageFlags Permissions = PageFlags.Writable | PageFlags.User | PageFlags.NoExecute;
        private const PageFlags Kept = Permissions | PageFlags.Owned | PageFlags.Shared | PageFlags.Lazy | PageFlags.NoAccess;

        // Copies `parent`'s user half into `child`'s (empty) one. 0 or -ENOMEM.
        public static long Copy(Process* parent, Process* child)
        {
            ulong va = 0, frame;
            PageFlags flags;
            bool large;
            while (parent->Space.NextUserEntry(va, out va, out frame, out flags, out large))
            {
                ulong next = va + (large ? PageTable.LargePageSize : PageTable.PageSize);
                long r = large ? 0 : CopyPage(parent, child, va, frame, flags);
                if (r != 0) return r;
                va = next;
            }
            ulong root = parent->Space.Root;
            if ((Cpu.ReadCr3() & ~0xFFFUL) == root) Cpu.WriteCr3(Cpu.ReadCr3());
            return 0;
        }

        private static long CopyPage(Process* parent, Process* child, ulong va, ulong frame, PageFlags flags)
        {
            bool present = (flags & PageFlags.Present) != 0;
            if ((flags & PageFlags.Shared) != 0)
            {
                if (frame == 0 && !GiveParentItsFrame(parent, va, flags, out frame, out flags)) return -Errno.ENOMEM;
                if (!UserFrames.TakeShare(child, frame)) return -Errno.ENOMEM;
                return Install(child, va, frame, flags, (flags & PageFlags.Present) != 0);
            }
            if (frame == 0)   // Lazy, or PROT_NONE never touched: the entry alone
                return child->Space.SetNotPresent(va, 0, flags & Kept) == MapResult.Ok ? 0 : -Errno.ENOMEM;
            if ((flags & PageFlags.Owned) == 0) return 0;   // granted, device or IPC-buffer page: not inherited
            if (present && !MemoryCalls.GrantsCover(parent, va)) return ShareCopyOnWrite(parent, child, va, frame, flags);
            ulong copy = UserFrames.Take(child);
            if (copy == 0) return -Errno.ENOMEM;
            Internal.Runtime.Memory.Move(KernelImage.PhysicalToVirtual(copy), KernelImage.PhysicalToVirtual(frame), 4096);
            return Install(child, va, copy, flags, present);
        }

        // The child holds the parent's frame too; both map it read-only (PageTable write-protects an
        // Owned private frame that has another holder), with the owner's permissions kept.
        private static long ShareCopyOnWrite(Process* parent, Process* child, ulong va, ulong frame, PageFlags flags)
        {
            if (!UserFrames.TakeShare(child, frame)) return -Errno.ENOMEM;
            PageFlags owner = flags & (Permissions | PageFlags.Owned);
            if ((flags & PageFlags.CopyOnWrite) != 0) owner |= PageFlags.Writable;   // already shared: still the owner's to write
            if (parent->Space.Protect(va, owner) != MapResult.Ok)
            {
                UserFrames.Give(child, frame);
                return -Errno.ENOMEM;
            }
            return Install(child, va, frame, owner, present: true);
        }

        // Maps a frame the child now holds (one it was charged for); on failure gives it back.
        private static long Install(Process* child, ulong va, ulong frame, PageFlags flags, bool present)
        {
            MapResult r = present
                ? child->Space.Map(va, frame, flags & (Permissions | PageFlags.Owned | PageFlags.Shared))
                : child->Space.SetNotPresent(va, frame, (flags & Kept & ~PageFlags.Lazy) | PageFlags.Owned);
            if (r == MapResult.Ok) return 0;
            UserFrames.Give(child, frame);
            return -Errno.ENOMEM;
        }

        // A Shared page the parent has not touched yet gets its frame now (zeroed, charged to the
        // parent), present with its permissions, or kept behind PROT_NONE.
        private static bool GiveParentItsFrame(Process* parent, ulong va, PageFlags flags, out ulong frame, out PageFlags now)
        {
            now = flags;
            frame = UserFrames.Take(parent);
            if (frame == 0) return false;
            MapResult r;
            if ((flags & PageFlags.NoAccess) != 0)
            {
                now = (flags & Kept & ~PageFlags.Lazy) | PageFlags.Owned;
                r = parent->Space.SetNotPresent(va, frame, now);
            }
            else
            {
                now = (flags & (Permissions | PageFlags.Shared)) | PageFlags.Owned | PageFlags.Present;
                r = parent->Space.Map(va, frame, now & ~PageFlags.Present);
            }
            if (r == MapResult.Ok) return true;
            UserFrames.Give(parent, frame);
            frame = 0;
            return false;
        }
    }
}
