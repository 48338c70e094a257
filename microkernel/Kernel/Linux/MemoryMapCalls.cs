// mmap (anonymous), munmap, mprotect, madvise, brk, mlock: the memory part of the Linux core ABI.
// Reservations cost nothing: a PROT_NONE mapping is only an AddressMap entry; committing (mmap or
// mprotect with access) writes Lazy page-table entries; a frame arrives on first touch
// (Memory/DemandPaging.cs). MAP_SHARED|MAP_ANONYMOUS pages carry PageFlags.Shared, which fork
// (Processes/ProcessFork.cs) reads to share their frames rather than copy them. File mappings are not the kernel's business (ENODEV): `posix`
// provides them (MAP_SHARED as pages it grants: munmap of Granted pages is passed on to it afterwards).
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Linux
{
    internal static unsafe class MemoryMapCalls
    {
        public const ulong MmapBottom = 0x0000_1000_0000_0000, MmapTop = 0x0000_7E00_0000_0000;
        public const ulong BreakLimit = 1UL << 30;
        private const ulong ProtRead = 1, ProtWrite = 2, ProtExec = 4;
        private const ulong MapShared = 1, MapPrivate = 2, MapFixed = 0x10, MapAnonymous = 0x20, MapPopulate = 0x8000, MapNoReserve = 0x4000,
            MapFixedNoReplace = 0x10_0000;
        private const ulong Page = 4096;

        private static PageFlags FlagsFor(ulong prot) =>
            PageFlags.User | ((prot & ProtWrite) != 0 ? PageFlags.Writable : PageFlags.None)
            | ((prot & ProtExec) != 0 ? PageFlags.None : PageFlags.NoExecute);

        private static bool Aligned(ulong v) => (v & (Page - 1)) == 0;

        public static long Mmap(Thread* t, ulong address, ulong length, ulong prot, ulong flags, ulong fd, ulong offset) =>
            Mmap(t->Process, address, length, prot, flags);

        // mmap of anonymous memory in `p`: the calling process, or one a personality server builds
        // (process_mmap). Linux semantics and errors (mm/mmap.c): EINVAL, ENOMEM, EEXIST, ENODEV.
        public static long Mmap(Process* p, ulong address, ulong length, ulong prot, ulong flags)
        {
            if (length == 0 || length > MmapTop) return -Errno.EINVAL;
            length = (length + Page - 1) & ~(Page - 1);
            if ((prot & ~(ProtRead | ProtWrite | ProtExec)) != 0) return -Errno.EINVAL;
            if ((flags & (MapShared | MapPrivate)) == 0) return -Errno.EINVAL;
            if ((flags & MapAnonymous) == 0) return -Errno.ENODEV;
            // Linux's overcommit heuristic (mm/util.c __vm_enough_memory, OVERCOMMIT_GUESS) with the
            // process's page quota as its RAM: an accounted mapping larger than all of it is ENOMEM.
            bool accounted = (flags & MapNoReserve) == 0 && ((flags & MapShared) != 0 || (prot & ProtWrite) != 0);
            if (accounted && !UserFrames.AdmitsMapping(p, length / Page)) return -Errno.ENOMEM;
            bool fixedAddress = (flags & (MapFixed | MapFixedNoReplace)) != 0;
            if (fixedAddress)
            {
                if (!Aligned(address)) return -Errno.EINVAL;
                if (address < Page || !UserMemory.RangeIsUser(address, length)) return -Errno.ENOMEM;
                if ((flags & MapFixedNoReplace) != 0 && (p->Map->Overlaps(address, length) || AnyPageUsed(p, address, length)))
                    return -Errno.EEXIST;
                long r = Unmap(p, address, length);
                if (r != 0) return r;
            }
            else
            {
                ulong hint = address & ~(Page - 1);
                if (hint >= MmapBottom && hint + length <= MmapTop && !p->Map->Overlaps(hint, length) && !AnyPageUsed(p, hint, length))
                    address = hint;
                else
                {
                    address = FindFree(p, length);
                    if (address == 0) return -Errno.ENOMEM;
                }
            }
            if (!p->Map->Add(address, length)) return -Errno.ENOMEM;
            if (prot != 0)
            {
                // MAP_SHARED|MAP_ANONYMOUS: every page carries Shared (fork shares its frame, and
                // mprotect keeps the mark); frames still come on first touch. A PROT_NONE mapping
                // writes no entry at all (reservations stay free), so it has no mark to keep.
                PageFlags shared = (flags & MapShared) != 0 ? PageFlags.Shared : PageFlags.None;
                long r = Commit(p, address, length, FlagsFor(prot) | shared);
                if (r != 0) { Unmap(p, address, length); return r; }
                if ((flags & MapPopulate) != 0)
                    for (ulong va = address; va < address + length; va += Page) DemandPaging.FaultIn(p, va, false, false);
            }
            return (long)address;
        }

        // The highest gap in [MmapBottom, MmapTop) that neither the address map nor the page table uses.
        private static ulong FindFree(Process* p, ulong length)
        {
            ulong top = MmapTop;
            for (int attempts = 0; attempts < 64; attempts++)
            {
                ulong candidate = p->Map->FindFreeTopDown(length, MmapBottom, top);
                if (candidate == 0) return 0;
                if (!AnyPageUsed(p, candidate, length)) return candidate;
                top = candidate;      // something was mapped there by other means: look lower
            }
            return 0;
        }

        private static bool AnyPageUsed(Process* p, ulong address, ulong length) =>
            p->Space.AnyEntryIn(address, address + length);

        // Writes Lazy entries for [address, address+length): frames come on first touch.
        private static long Commit(Process* p, ulong address, ulong length, PageFlags flags)
        {
            for (ulong va = address; va < address + length; va += Page)
                if (p->Space.SetNotPresent(va, 0, flags | PageFlags.Lazy) != MapResult.Ok) return -Errno.ENOMEM;
            return 0;
        }

        // munmap. Pages another process granted (Granted: posix's shared file mappings) are unmapped
        // like any other, never freed (they are not Owned); then, for an application, the call goes on
        // to its personality (Forwarding.cs), which learns that its mapping is gone (it writes the
        // pages back and revokes its grants) and answers the call — 0.
        public static long Munmap(Thread* t, ulong address, ulong length)
        {
            if (!Aligned(address) || length == 0) return -Errno.EINVAL;
            length = (length + Page - 1) & ~(Page - 1);
            if (!UserMemory.RangeIsUser(address, length)) return -Errno.EINVAL;
            Process* p = t->Process;
            bool granted = AnyGranted(p, address, length);
            long r = Unmap(p, address, length);
            if (r != 0 || !granted || p->Personality == null) return r;
            long forwarded = Forwarding.Forward(t);
            return forwarded < 0 ? 0 : forwarded;   // no personality to tell (it died): the unmap stands
        }

        private static bool AnyGranted(Process* p, ulong address, ulong length)
        {
            if (!p->Space.AnyEntryIn(address, address + length)) return false;   // skips empty spans fast
            for (ulong va = address; va < address + length; va += Page)
            {
                ulong frame;
                PageFlags flags;
                if (p->Space.StateOf(va, out frame, out flags) != PageState.Unmapped && (flags & PageFlags.Granted) != 0) return true;
            }
            return false;
        }

        // Frees every owned frame in the range and forgets it. Granted pages make it EBUSY.
        private static long Unmap(Process* p, ulong address, ulong length)
        {
            for (ulong va = address; va < address + length; va += Page)
                if (MemoryCalls.GrantsCover(p, va)) return -Errno.EBUSY;
            if (!p->Map->Remove(address, length)) return -Errno.ENOMEM;
            for (ulong va = address; va < address + length; va += Page)
            {
                PageFlags flags;
                ulong frame = p->Space.Clear(va, out flags);
                if (frame != 0 && (flags & PageFlags.Owned) != 0) UserFrames.Give(p, frame);
                if ((flags & PageFlags.Present) != 0) Cpu.InvalidatePage(va);
            }
            return 0;
        }

        public static long Mprotect(Thread* t, ulong address, ulong length, ulong prot) => Mprotect(t->Process, address, length, prot);

        public static long Mprotect(Process* p, ulong address, ulong length, ulong prot)
        {
            if (!Aligned(address)) return -Errno.EINVAL;
            if ((prot & ~(ProtRead | ProtWrite | ProtExec)) != 0) return -Errno.EINVAL;
            length = (length + Page - 1) & ~(Page - 1);
            if (!UserMemory.RangeIsUser(address, length)) return -Errno.ENOMEM;
            // Every page must be mapped somehow: by mmap (the address map) or by the loader. A page
            // granted read-only cannot become writable (Linux mm/mprotect.c: EACCES without VM_MAYWRITE).
            for (ulong va = address; va < address + length; va += Page)
            {
                ulong f;
                PageFlags fl;
                PageState st = p->Space.StateOf(va, out f, out fl);
                if (!p->Map->Covers(va, Page) && st == PageState.Unmapped) return -Errno.ENOMEM;
                if ((prot & ProtWrite) != 0 && (fl & PageFlags.Granted) != 0 && (fl & PageFlags.GrantWritable) == 0) return -Errno.EACCES;
            }
            PageFlags target = FlagsFor(prot);
            for (ulong va = address; va < address + length; va += Page)
            {
                ulong frame;
                PageFlags flags;
                PageState state = p->Space.StateOf(va, out frame, out flags);
                PageFlags owned = flags & (PageFlags.Owned | PageFlags.Shared | PageFlags.Granted | PageFlags.GrantWritable);   // kept whatever the protection
                MapResult r = MapResult.Ok;
                if (state == PageState.Present || (state == PageState.NoAccess && frame != 0))
                {
                    if (prot == 0) r = p->Space.SetNotPresent(va, frame, target | owned | PageFlags.NoAccess);
                    else if (state == PageState.Present) r = p->Space.Protect(va, target | owned);
                    else { p->Space.Clear(va, out flags); r = p->Space.Map(va, frame, target | owned); }
                }
                else if (prot == 0)
                {
                    if (state != PageState.Unmapped) r = p->Space.SetNotPresent(va, 0, target | owned | PageFlags.Lazy | PageFlags.NoAccess);
                }
                else r = p->Space.SetNotPresent(va, 0, target | owned | PageFlags.Lazy);
                if (r != MapResult.Ok) return -Errno.ENOMEM;
                Cpu.InvalidatePage(va);
            }
            return 0;
        }

        public static long Madvise(Thread* t, ulong address, ulong length, ulong advice)
        {
            const ulong Normal = 0, Random = 1, Sequential = 2, WillNeed = 3, DontNeed = 4, Free = 8,
                HugePage = 14, NoHugePage = 15, DontDump = 16, DoDump = 17;
            if (!Aligned(address)) return -Errno.EINVAL;
            length = (length + Page - 1) & ~(Page - 1);
            if (!UserMemory.RangeIsUser(address, length)) return -Errno.EINVAL;
            switch (advice)
            {
                case DontNeed:
                case Free:
                    Discard(t->Process, address, length);
                    return 0;
                case Normal: case Random: case Sequential: case WillNeed: case HugePage: case NoHugePage: case DontDump: case DoDump:
                    return 0;
                default:
                    return -Errno.EINVAL;
            }
        }

        // MADV_DONTNEED: owned frames go back; the pages read as zero on the next touch. A Shared
        // page keeps its frame (as Linux keeps a shared mapping's data in its shmem object).
        private static void Discard(Process* p, ulong address, ulong length)
        {
            for (ulong va = address; va < address + length; va += Page)
            {
                ulong frame;
                PageFlags flags;
                PageState state = p->Space.StateOf(va, out frame, out flags);
                if ((flags & PageFlags.Owned) == 0 || (flags & PageFlags.Shared) != 0 || frame == 0 || MemoryCalls.GrantsCover(p, va)) continue;
                if (state != PageState.Present && state != PageState.NoAccess) continue;
                p->Space.Clear(va, out flags);
                PageFlags keep = flags & (PageFlags.Writable | PageFlags.User | PageFlags.NoExecute | PageFlags.NoAccess);
                p->Space.SetNotPresent(va, 0, keep | PageFlags.Lazy);
                UserFrames.Give(p, frame);
                Cpu.InvalidatePage(va);
            }
        }

        public static long Brk(Thread* t, ulong requested)
        {
            Process* p = t->Process;
            LinuxState* l = p->Linux;
            if (l->BreakStart == 0) return (long)l->BreakEnd;   // process_start with brk_base 0: no brk heap
            if (requested < l->BreakStart || requested > l->BreakStart + BreakLimit) return (long)l->BreakEnd;
            ulong oldTop = (l->BreakEnd + Page - 1) & ~(Page - 1), newTop = (requested + Page - 1) & ~(Page - 1);
            if (newTop > oldTop)
            {
                if (p->Map->Overlaps(oldTop, newTop - oldTop) || AnyPageUsed(p, oldTop, newTop - oldTop)) return (long)l->BreakEnd;
                if (!p->Map->Add(oldTop, newTop - oldTop)) return (long)l->BreakEnd;
                if (Commit(p, oldTop, newTop - oldTop, PageFlags.User | PageFlags.Writable | PageFlags.NoExecute) != 0)
                {
                    Unmap(p, oldTop, newTop - oldTop);
                    return (long)l->BreakEnd;
                }
            }
            else if (newTop < oldTop) Unmap(p, newTop, oldTop - newTop);
            l->BreakEnd = requested;
            return (long)requested;
        }

        // mlock: bring every committed page in now (nothing is ever paged out).
        public static long Mlock(Thread* t, ulong address, ulong length)
        {
            ulong start = address & ~(Page - 1), end = (address + length + Page - 1) & ~(Page - 1);
            if (!UserMemory.RangeIsUser(start, end - start)) return -Errno.ENOMEM;
            for (ulong va = start; va < end; va += Page)
            {
                ulong f;
                PageFlags fl;
                PageState state = t->Process->Space.StateOf(va, out f, out fl);
                if (state == PageState.Lazy && !DemandPaging.FaultIn(t->Process, va, false, false)) return -Errno.ENOMEM;
                if (state == PageState.Unmapped && !t->Process->Map->Covers(va, Page)) return -Errno.ENOMEM;
            }
            return 0;
        }
    }
}
