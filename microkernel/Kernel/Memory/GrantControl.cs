// Making and revoking grants (Memory/Grant.cs). A grant maps `pages` pages that the source
// process owns, starting at SourceAddress, into the target at TargetAddress: read-only, or
// read-write if the source pages are writable. The target's mappings are not Owned, so nothing
// the target does frees them; revocation (explicit, on closing the grant's handle, or at the
// source's death) unmaps them from the target if it is still alive — only the entries that still show
// the grant's frames (the target may have unmapped and reused the range). A source page that fork left
// copy-on-write gets its own frame first, so the two processes keep seeing the same bytes.
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Syscalls;

namespace Biscuit.Kernel.Memory
{
    public static unsafe class GrantControl
    {
        public const ulong MaxPages = 1024;

        public static long Create(Process* source, Process* target, ulong sourceAddress, ulong pages, ulong targetAddress, bool writable, out Grant* made)
        {
            made = null;
            if (pages == 0 || pages > MaxPages) return -Errno.EINVAL;
            if ((sourceAddress | targetAddress) % 4096 != 0) return -Errno.EINVAL;
            if (!UserMemory.RangeIsUser(sourceAddress, pages * 4096) || !UserMemory.RangeIsUser(targetAddress, pages * 4096)
                || sourceAddress == 0 || targetAddress == 0) return -Errno.EFAULT;
            if (target->State != ProcessState.Alive) return -Errno.ESRCH;
            // Every source page must be present, user, owned by the source (not itself a grant or
            // device memory) and, for a writable grant, writable; every target page must be free.
            for (ulong i = 0; i < pages; i++)
            {
                ulong frame;
                PageFlags flags;
                if (!source->Space.Translate(sourceAddress + i * 4096, out frame, out flags)) return -Errno.EFAULT;
                if ((flags & PageFlags.User) == 0 || (flags & PageFlags.Owned) == 0) return -Errno.EFAULT;
                // A frame fork left shared must be the source's own before another process sees it:
                // else the source's next write would copy it away from the grant (CopyOnWrite.cs).
                if (CopyOnWrite.NeedsResolving(frame, flags))
                {
                    if (CopyOnWrite.Resolve(source, sourceAddress + i * 4096) != CopyOnWriteResult.Resolved) return -Errno.ENOMEM;
                    source->Space.Translate(sourceAddress + i * 4096, out frame, out flags);
                }
                if (writable && (flags & PageFlags.Writable) == 0) return -Errno.EACCES;
                if (target->Space.Translate(targetAddress + i * 4096, out frame, out flags)) return -Errno.EEXIST;
            }
            Grant* g = (Grant*)BootMemory.Pool(PoolKind.Grants)->Take();
            if (g == null) return -Errno.ENOMEM;
            PageFlags mapFlags = PageFlags.User | PageFlags.NoExecute | PageFlags.Granted
                | (writable ? PageFlags.Writable | PageFlags.GrantWritable : PageFlags.None);
            for (ulong i = 0; i < pages; i++)
            {
                ulong frame;
                PageFlags flags;
                source->Space.Translate(sourceAddress + i * 4096, out frame, out flags);
                if (target->Space.Map(targetAddress + i * 4096, frame, mapFlags) != MapResult.Ok)
                {
                    UnmapFrom(source, sourceAddress, target, targetAddress, i);
                    BootMemory.Pool(PoolKind.Grants)->Give((byte*)g);
                    return -Errno.ENOMEM;
                }
            }
            g->Source = source;
            g->Target = target;
            g->TargetId = target->Id;
            g->SourceAddress = sourceAddress;
            g->TargetAddress = targetAddress;
            g->Pages = pages;
            g->Writable = writable;
            g->Mapped = true;
            g->SourceNext = source->Grants;
            source->Grants = g;
            made = g;
            return 0;
        }

        // Unmaps the grant from its target (if still alive); with `free`, also unlinks and frees it.
        public static void Revoke(Grant* g, bool free)
        {
            if (g->Mapped && g->Target->Id == g->TargetId && g->Target->State == ProcessState.Alive)
                UnmapFrom(g->Source, g->SourceAddress, g->Target, g->TargetAddress, g->Pages);
            g->Mapped = false;
            if (!free) return;
            Grant** link = &g->Source->Grants;
            while (*link != null && *link != g) link = &(*link)->SourceNext;
            if (*link == g) *link = g->SourceNext;
            BootMemory.Pool(PoolKind.Grants)->Give((byte*)g);
        }

        // Removes from the target the entries that still show the grant: Granted, not Owned, and the
        // source's frame at the same offset (present, or kept behind the target's PROT_NONE). The
        // target may have unmapped the range and mapped something else there since (its own memory,
        // or another grant): that stays.
        private static void UnmapFrom(Process* source, ulong sourceAddress, Process* target, ulong address, ulong pages)
        {
            for (ulong i = 0; i < pages; i++)
            {
                ulong va = address + i * 4096, shown, granted;
                PageFlags flags, sourceFlags;
                if (target->Space.StateOf(va, out shown, out flags) == PageState.Unmapped || shown == 0) continue;
                if ((flags & PageFlags.Granted) == 0 || (flags & PageFlags.Owned) != 0) continue;
                if (source->Space.StateOf(sourceAddress + i * 4096, out granted, out sourceFlags) == PageState.Unmapped || granted != shown) continue;
                target->Space.Clear(va, out flags);
                if ((flags & PageFlags.Present) != 0) Cpu.InvalidatePage(va);
            }
        }
    }
}
