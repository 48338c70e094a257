// memory_map, memory_unmap (anonymous memory the process owns), grant_create (to a process, to the
// caller being served, or to the server behind an endpoint).
// memory_map is all-or-nothing: on any failure the pages mapped so far are unmapped and freed.
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Capabilities;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Syscalls
{
    internal static unsafe class MemoryCalls
    {
        public const ulong MaxPagesPerCall = 64 * 1024;   // 256 MiB

        private static long CheckRange(ulong address, ulong pages)
        {
            if (pages == 0 || pages > MaxPagesPerCall) return -Errno.EINVAL;
            if (address % 4096 != 0) return -Errno.EINVAL;
            if (address == 0 || !UserMemory.RangeIsUser(address, pages * 4096)) return -Errno.EFAULT;
            if (address >= ThreadControl.IpcBufferRegion && address < ProcessControl.StackTop) return -Errno.EFAULT;
            return 0;
        }

        public static long Map(Thread* t, ulong address, ulong pages, ulong writable)
        {
            long error = CheckRange(address, pages);
            if (error != 0) return error;
            PageTable* space = &t->Process->Space;
            if (!UserMemory.PagesFree(t->Process, address, pages)) return -Errno.EEXIST;
            PageFlags flags = PageFlags.User | PageFlags.NoExecute | PageFlags.Owned | (writable != 0 ? PageFlags.Writable : PageFlags.None);
            for (ulong i = 0; i < pages; i++)
            {
                ulong frame = UserFrames.Take(t->Process);
                if (frame == 0 || space->Map(address + i * 4096, frame, flags) != MapResult.Ok)
                {
                    if (frame != 0) UserFrames.Give(t->Process, frame);
                    Unmap(t, address, i);
                    return -Errno.ENOMEM;
                }
            }
            return 0;
        }

        // Unmaps pages the process owns (frames freed) — not granted or device pages.
        public static long Unmap(Thread* t, ulong address, ulong pages)
        {
            if (pages == 0) return 0;
            long error = CheckRange(address, pages);
            if (error != 0) return error;
            PageTable* space = &t->Process->Space;
            for (ulong i = 0; i < pages; i++)
            {
                ulong frame;
                PageFlags flags;
                ulong va = address + i * 4096;
                if (!space->Translate(va, out frame, out flags) || (flags & PageFlags.Owned) == 0) continue;
                if (GrantsCover(t->Process, va)) return -Errno.EBUSY;
            }
            for (ulong i = 0; i < pages; i++)
            {
                ulong frame;
                PageFlags flags;
                ulong va = address + i * 4096;
                if (!space->Translate(va, out frame, out flags) || (flags & PageFlags.Owned) == 0) continue;
                space->Unmap(va, out frame);
                Cpu.InvalidatePage(va);
                UserFrames.Give(t->Process, frame);
            }
            return 0;
        }

        // A page another process can see through a grant must stay until the grant is revoked.
        public static bool GrantsCover(Process* p, ulong va)
        {
            for (Grant* g = p->Grants; g != null; g = g->SourceNext)
                if (g->Mapped && va >= g->SourceAddress && va < g->SourceAddress + g->Pages * 4096) return true;
            return false;
        }

        public static long CreateGrant(Thread* t, ulong process, ulong sourceAddress, ulong pages, ulong targetAddress, ulong writable)
        {
            Process* target;
            long error;
            if (process == 0)
            {
                // Process 0: the caller this thread owes a reply to — it asked for the pages by
                // calling (a driver grants its DMA buffers to the client that connects).
                if (t->ReplyTo == null) return -Errno.ESRCH;
                target = t->ReplyTo->Process;
            }
            else
            {
                Capability* c;
                error = HandleCalls.Lookup(t, process, CapabilityType.None, 0, out c);
                if (error != 0) return error;
                if (c->Type == CapabilityType.Endpoint) return CreateGrantToServer(t, c, sourceAddress, pages, targetAddress, writable);
                error = HandleCalls.Lookup(t, process, CapabilityType.Process, Rights.Control, out c);
                if (error != 0) return error;
                target = (Process*)c->Object;
            }
            return Make(t, target, sourceAddress, pages, targetAddress, writable);
        }

        // An endpoint handle (with Send) names the server receiving on it now: a client grants its pages
        // to a server it calls (fs lends its data window to blk, which pins it for DMA: Devices/DmaPins.cs).
        // The server did not ask for them, so they may land only where the server has nothing at all — no
        // page-table entry and no mmap region, not even a PROT_NONE reservation (EEXIST): its own
        // allocations never reach such pages (mmap skips ranges with entries), so nothing the server
        // owns or will own can be replaced by the client's memory.
        private static long CreateGrantToServer(Thread* t, Capability* c, ulong sourceAddress, ulong pages, ulong targetAddress, ulong writable)
        {
            if ((c->Rights & Rights.Send) == 0) return -Errno.EPERM;
            Ipc.Endpoint* ep = (Ipc.Endpoint*)c->Object;
            Process* target = ep->Owner;
            if (target == null || ep->Orphaned || target->Id != ep->OwnerId || target->State != ProcessState.Alive) return -Errno.ESRCH;
            if (pages == 0 || pages > GrantControl.MaxPages || targetAddress % 4096 != 0) return -Errno.EINVAL;
            if (!UserMemory.RangeIsUser(targetAddress, pages * 4096)) return -Errno.EFAULT;
            if (target->Map != null && target->Map->Overlaps(targetAddress, pages * 4096)) return -Errno.EEXIST;
            if (target->Space.AnyEntryIn(targetAddress, targetAddress + pages * 4096)) return -Errno.EEXIST;
            return Make(t, target, sourceAddress, pages, targetAddress, writable);
        }

        private static long Make(Thread* t, Process* target, ulong sourceAddress, ulong pages, ulong targetAddress, ulong writable)
        {
            long error;
            if (target == t->Process) return -Errno.EINVAL;
            if (targetAddress >= ThreadControl.IpcBufferRegion && targetAddress < ProcessControl.StackTop) return -Errno.EFAULT;
            Grant* g;
            error = GrantControl.Create(t->Process, target, sourceAddress, pages, targetAddress, writable != 0, out g);
            if (error != 0) return error;
            // One handle, no Transfer or Duplicate: the grant's life is its source's to end.
            uint h = t->Process->HandleTable->Insert(CapabilityType.Grant, Rights.Control, g, 0);
            if (h == 0) { GrantControl.Revoke(g, free: true); return -Errno.EMFILE; }
            return h;
        }
    }
}
