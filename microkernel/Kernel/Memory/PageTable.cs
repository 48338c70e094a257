// One x86-64 4-level page table (PML4 -> PDPT -> PD -> PT), edited through the kernel's window on
// physical memory. Maps 4 KiB and 2 MiB pages, unmaps, and translates.
// Hardware rules followed (Intel SDM Vol. 3A §5.5 "4-Level Paging", Tables 5-15..5-20):
//   bits 12..51 of an entry hold the physical address; bit 0 P, 1 R/W, 2 U/S, 7 PS (large page in
//   a PD entry), 63 XD (no-execute, needs IA32_EFER.NXE). Access is the AND of R/W and U/S and the OR
//   of XD over the walk, so intermediate entries are made writable (and user where the leaf is
//   user) and leaves carry the real permissions.
// Invariants: virtual page 0 is never mapped (null dereferences fault); addresses are canonical;
// a failed Map leaves no half-built mapping visible (intermediate tables may remain, empty); frames
// for tables come from the FramePool and running out is a result, not a panic; an Owned private
// frame with another holder is never mapped writable (WriteProtectIfShared: copy-on-write, issue 8).
// Pure data-structure code: compiled into the kernel and into the host unit tests.
namespace Biscuit.Kernel.Memory
{
    public enum PageFlags : ulong
    {
        None = 0, Present = 1, Writable = 2, User = 4, WriteThrough = 8, CacheDisable = 16,
        Accessed = 32, Dirty = 64, Large = 128, Global = 256, NoExecute = 1UL << 63,
        // Bits 9-11 are ignored by the MMU and left to software (SDM Vol. 3A Table 5-20).
        Owned = 1 << 9,      // the frame belongs to this address space: freed when it is unmapped
        // In a not-present entry (P = 0) the MMU ignores every other bit (SDM Vol. 3A §5.5, Figure
        // 5-11 "not present"), so software keeps the state of committed-but-untouched memory there:
        Lazy = 1 << 10,      // no frame yet: the first touch gets a zeroed one with the flags kept here
        NoAccess = 1 << 11,  // PROT_NONE: any touch faults; a frame, if any, is kept (address bits)
        // Bits 52-58 of a leaf are ignored by the MMU too (SDM Vol. 3A Table 5-20; 59-62 as well
        // while CR4.PKE is 0), in present and not-present entries alike:
        Shared = 1UL << 52,  // MAP_SHARED|MAP_ANONYMOUS: fork shares the frame instead of copying it
        // A present private page that its owner may write but whose frame another address space
        // holds too (fork, issue 8): R/W is clear so the first write faults (SDM Vol. 3A §4.7, error
        // code P=1 W/R=1) and Memory/CopyOnWrite.cs gives the writer a frame of its own.
        CopyOnWrite = 1UL << 53,
        // A page another process granted (Memory/GrantControl.cs): never Owned, so nothing the holder
        // does frees it; munmap of such a page is told to the holder's personality afterwards (posix
        // keeps shared file mappings that way), and revocation removes only entries that carry it.
        Granted = 1UL << 54,
        // A Granted page the granter allowed to be written: mprotect may make it writable again; without
        // it, mprotect(PROT_WRITE) is EACCES (Linux: a shared mapping of a file opened read-only).
        GrantWritable = 1UL << 55,
    }

    // What a page-table entry says about one virtual page.
    public enum PageState { Unmapped, Present, Lazy, NoAccess }

    public enum MapResult { Ok, NotAligned, NonCanonical, NullPage, AlreadyMapped, OutOfFrames, NotMapped, LargePageInTheWay }

    // Physical memory seen through a linear window: virtual = physical + Offset.
    public unsafe struct PhysicalWindow
    {
        public ulong Offset;
        public PhysicalWindow(ulong offset) { Offset = offset; }
        public ulong* Table(ulong physical) => (ulong*)(physical + Offset);
    }

    public unsafe struct PageTable
    {
        public const ulong PageSize = 4096, LargePageSize = 2UL << 20;
        private const ulong AddressMask = 0x000F_FFFF_FFFF_F000;

        private FramePool* _frames;       // where table frames come from and go back to
        private PhysicalWindow _window;
        private ulong _root;              // physical address of the PML4

        public ulong Root => _root;

        public static MapResult Create(FramePool* frames, PhysicalWindow window, out PageTable table)
        {
            table = default;
            ulong root = frames->Take();
            if (root == 0) return MapResult.OutOfFrames;
            Zero(window.Table(root));
            table._frames = frames;
            table._window = window;
            table._root = root;
            return MapResult.Ok;
        }

        // A user address space: a new PML4 whose upper half (entries 256-511) points at the same
        // tables as `kernel`, so the kernel is mapped identically in every address space. The
        // kernel's upper-level tables never change after boot, which keeps the copies valid.
        public static MapResult CreateUser(FramePool* frames, PhysicalWindow window, ulong kernelRoot, out PageTable table)
        {
            MapResult r = Create(frames, window, out table);
            if (r != MapResult.Ok) return r;
            ulong* mine = window.Table(table._root), theirs = window.Table(kernelRoot);
            for (int i = 256; i < 512; i++) mine[i] = theirs[i];
            return MapResult.Ok;
        }

        // Frees the lower half: every table below the PML4 and every leaf frame marked Owned;
        // then the PML4 itself. Frames not Owned (shared grants, device memory) are left alone.
        // Returns the number of frames given back.
        public ulong ReleaseUserHalf()
        {
            ulong released = 0;
            ulong* pml4 = _window.Table(_root);
            for (int i = 0; i < 256; i++)
            {
                if ((pml4[i] & (ulong)PageFlags.Present) == 0) continue;
                released += ReleaseTable(pml4[i] & AddressMask, 2);
                pml4[i] = 0;
            }
            _frames->Give(_root);
            _root = 0;
            return released + 1;
        }

        private ulong ReleaseTable(ulong table, int level)
        {
            ulong released = 0;
            ulong* entries = _window.Table(table);
            for (int i = 0; i < 512; i++)
            {
                ulong e = entries[i];
                if (level == 0 && (e & (ulong)PageFlags.Present) == 0)
                {
                    // A PROT_NONE page may still own its frame.
                    if ((e & (ulong)PageFlags.NoAccess) != 0 && (e & (ulong)PageFlags.Owned) != 0 && (e & AddressMask) != 0)
                    {
                        _frames->Give(e & AddressMask);
                        released++;
                    }
                    continue;
                }
                if ((e & (ulong)PageFlags.Present) == 0) continue;
                bool leaf = level == 0 || (e & (ulong)PageFlags.Large) != 0;
                if (!leaf) released += ReleaseTable(e & AddressMask, level - 1);
                else if ((e & (ulong)PageFlags.Owned) != 0 && level == 0)
                {
                    _frames->Give(e & AddressMask);
                    released++;
                }
            }
            _frames->Give(table);
            return released + 1;
        }

        // The state of the 4 KiB page at `virtualAddress`, with its entry's flags and frame (0 if none).
        // Flags are the owner's permissions: a CopyOnWrite page reads as Writable (Translate, in
        // contrast, reports what the MMU sees).
        public PageState StateOf(ulong virtualAddress, out ulong frame, out PageFlags flags)
        {
            frame = 0;
            flags = PageFlags.None;
            ulong* entry = LeafEntry(virtualAddress);
            if (entry == null || *entry == 0) return PageState.Unmapped;
            frame = *entry & AddressMask;
            flags = (PageFlags)(*entry & ~AddressMask);
            // The owner's view: a copy-on-write page is writable (CopyOnWrite stays set to say how).
            if ((flags & PageFlags.CopyOnWrite) != 0) flags |= PageFlags.Writable;
            if ((*entry & (ulong)PageFlags.Present) != 0) return PageState.Present;
            if ((*entry & (ulong)PageFlags.NoAccess) != 0) return PageState.NoAccess;
            if ((*entry & (ulong)PageFlags.Lazy) != 0) return PageState.Lazy;
            return PageState.Unmapped;
        }

        // Writes a not-present entry (Lazy and/or NoAccess with the flags to use later), creating
        // tables as needed; `frame` is kept for a NoAccess page that still owns one.
        public MapResult SetNotPresent(ulong virtualAddress, ulong frame, PageFlags flags)
        {
            if ((virtualAddress & (PageSize - 1)) != 0 || (frame & (PageSize - 1)) != 0) return MapResult.NotAligned;
            if (!IsCanonical(virtualAddress)) return MapResult.NonCanonical;
            if (virtualAddress < PageSize) return MapResult.NullPage;
            ulong* pt;
            MapResult walk = Walk(virtualAddress, flags, 3, out pt);
            if (walk != MapResult.Ok) return walk;
            pt[Index(virtualAddress, 0)] = frame | ((ulong)flags & ~(ulong)PageFlags.Present);
            return MapResult.Ok;
        }

        // Clears the entry of `virtualAddress` whatever its state; returns the frame it held (0 if
        // none) and its flags, so the caller can free an Owned frame.
        public ulong Clear(ulong virtualAddress, out PageFlags flags)
        {
            flags = PageFlags.None;
            ulong* entry = LeafEntry(virtualAddress);
            if (entry == null || *entry == 0) return 0;
            ulong frame = *entry & AddressMask;
            flags = (PageFlags)(*entry & ~AddressMask);
            *entry = 0;
            return frame;
        }

        // True if any page in [start, end) has a non-zero entry (present or not). Skips whole
        // 512 GiB / 1 GiB / 2 MiB spans whose upper-level entry is absent, so it is fast over the
        // huge, mostly empty ranges mmap searches.
        public bool AnyEntryIn(ulong start, ulong end)
        {
            ulong va = start & ~(PageSize - 1);
            while (va < end)
            {
                ulong* table = _window.Table(_root);
                bool descended = true;
                for (int level = 3; level >= 1; level--)
                {
                    ulong e = table[Index(va, level)];
                    ulong span = 1UL << (12 + 9 * level);
                    if ((e & (ulong)PageFlags.Present) == 0)
                    {
                        va = (va & ~(span - 1)) + span;   // nothing mapped in this whole span
                        descended = false;
                        break;
                    }
                    if ((e & (ulong)PageFlags.Large) != 0) return true;
                    table = _window.Table(e & AddressMask);
                }
                if (!descended) continue;
                if (table[Index(va, 0)] != 0) return true;
                va += PageSize;
            }
            return false;
        }

        public const ulong UserHalfEnd = 0x0000_8000_0000_0000;

        // The first non-zero leaf entry of the user half at or above `from` (present or not): its
        // page's address, its frame (0 if none) and its flags. A 2 MiB leaf is reported with
        // `large` set (its address and frame 2 MiB aligned). Absent upper-level spans are skipped
        // whole, so walking a sparse address space costs what is mapped, not its size. False when
        // nothing remains. Callers continue from virtualAddress + the page's size.
        public bool NextUserEntry(ulong from, out ulong virtualAddress, out ulong frame, out PageFlags flags, out bool large)
        {
            virtualAddress = frame = 0;
            flags = PageFlags.None;
            large = false;
            ulong va = from & ~(PageSize - 1);
            while (va < UserHalfEnd)
            {
                ulong* table = _window.Table(_root);
                bool descended = true;
                for (int level = 3; level >= 1; level--)
                {
                    ulong e = table[Index(va, level)];
                    ulong span = 1UL << (12 + 9 * level);
                    if ((e & (ulong)PageFlags.Present) == 0)
                    {
                        va = (va & ~(span - 1)) + span;
                        descended = false;
                        break;
                    }
                    if ((e & (ulong)PageFlags.Large) != 0)
                    {
                        virtualAddress = va & ~(span - 1);
                        frame = e & AddressMask & ~(span - 1);
                        flags = (PageFlags)(e & ~AddressMask);
                        large = true;
                        return true;
                    }
                    table = _window.Table(e & AddressMask);
                }
                if (!descended) continue;
                ulong leaf = table[Index(va, 0)];
                if (leaf != 0)
                {
                    virtualAddress = va;
                    frame = leaf & AddressMask;
                    flags = (PageFlags)(leaf & ~AddressMask);
                    return true;
                }
                va += PageSize;
            }
            return false;
        }

        // The PT entry for a 4 KiB page, or null if no page table covers it (or a large page does).
        private ulong* LeafEntry(ulong virtualAddress)
        {
            if (!IsCanonical(virtualAddress)) return null;
            ulong* table = _window.Table(_root);
            for (int level = 3; level >= 1; level--)
            {
                ulong e = table[Index(virtualAddress, level)];
                if ((e & (ulong)PageFlags.Present) == 0 || (e & (ulong)PageFlags.Large) != 0) return null;
                table = _window.Table(e & AddressMask);
            }
            return &table[Index(virtualAddress, 0)];
        }

        // Changes the flags of an existing 4 KiB mapping (keeps its frame). Returns NotMapped if absent.
        public MapResult Protect(ulong virtualAddress, PageFlags flags)
        {
            ulong* entry;
            bool large;
            if (!Find(virtualAddress, out entry, out large)) return MapResult.NotMapped;
            if (large) return MapResult.LargePageInTheWay;
            ulong frame = *entry & AddressMask;
            *entry = frame | (ulong)WriteProtectIfShared(frame, flags & ~PageFlags.CopyOnWrite) | (ulong)PageFlags.Present;
            return MapResult.Ok;
        }

        // Puts `frame` with `flags` in place of the present 4 KiB mapping of `virtualAddress` (a
        // copy-on-write copy); the caller gives the old frame back and flushes the TLB.
        public MapResult Replace(ulong virtualAddress, ulong frame, PageFlags flags)
        {
            ulong* entry;
            bool large;
            if (!Find(virtualAddress, out entry, out large)) return MapResult.NotMapped;
            if (large) return MapResult.LargePageInTheWay;
            if ((frame & ~AddressMask) != 0) return MapResult.NotAligned;
            *entry = frame | (ulong)WriteProtectIfShared(frame, flags & ~PageFlags.CopyOnWrite) | (ulong)PageFlags.Present;
            return MapResult.Ok;
        }

        // The one rule that keeps fork's sharing invisible: a private (not Shared) frame this space
        // owns is never mapped writable while another holder has it too (FramePool share counts);
        // it is mapped read-only and marked CopyOnWrite instead. Every path that makes a user page
        // writable (Map, Protect, Replace) goes through here, so mprotect cannot undo it.
        private PageFlags WriteProtectIfShared(ulong frame, PageFlags flags)
        {
            const PageFlags mask = PageFlags.Owned | PageFlags.Shared | PageFlags.Writable;
            if ((flags & mask) != (PageFlags.Owned | PageFlags.Writable) || _frames->ExtraHoldersOf(frame) == 0) return flags;
            return (flags & ~PageFlags.Writable) | PageFlags.CopyOnWrite;
        }

        public static bool IsCanonical(ulong va) => va < 0x0000_8000_0000_0000 || va >= 0xFFFF_8000_0000_0000;

        public MapResult Map(ulong virtualAddress, ulong physical, PageFlags flags)
        {
            MapResult check = CheckAddresses(virtualAddress, physical, PageSize);
            if (check != MapResult.Ok) return check;
            ulong* pt;
            MapResult walk = Walk(virtualAddress, flags, 3, out pt);
            if (walk != MapResult.Ok) return walk;
            ulong* entry = &pt[Index(virtualAddress, 0)];
            if ((*entry & (ulong)PageFlags.Present) != 0) return MapResult.AlreadyMapped;
            *entry = physical | (ulong)WriteProtectIfShared(physical, flags & ~PageFlags.CopyOnWrite) | (ulong)PageFlags.Present;
            return MapResult.Ok;
        }

        public MapResult MapLarge(ulong virtualAddress, ulong physical, PageFlags flags)
        {
            MapResult check = CheckAddresses(virtualAddress, physical, LargePageSize);
            if (check != MapResult.Ok) return check;
            ulong* pd;
            MapResult walk = Walk(virtualAddress, flags, 2, out pd);
            if (walk != MapResult.Ok) return walk;
            ulong* entry = &pd[Index(virtualAddress, 1)];
            if ((*entry & (ulong)PageFlags.Present) != 0) return MapResult.AlreadyMapped;
            *entry = physical | (ulong)flags | (ulong)PageFlags.Present | (ulong)PageFlags.Large;
            return MapResult.Ok;
        }

        // Removes the 4 KiB mapping of `virtualAddress`; the caller flushes the TLB.
        public MapResult Unmap(ulong virtualAddress, out ulong physical)
        {
            physical = 0;
            ulong* entry;
            bool large;
            if (!Find(virtualAddress, out entry, out large)) return MapResult.NotMapped;
            if (large) return MapResult.LargePageInTheWay;
            physical = *entry & AddressMask;
            *entry = 0;
            return MapResult.Ok;
        }

        public bool Translate(ulong virtualAddress, out ulong physical, out PageFlags flags)
        {
            physical = 0;
            flags = PageFlags.None;
            ulong* entry;
            bool large;
            if (!Find(virtualAddress, out entry, out large)) return false;
            ulong offsetMask = large ? LargePageSize - 1 : PageSize - 1;
            physical = (*entry & AddressMask & ~offsetMask) | (virtualAddress & offsetMask);
            flags = (PageFlags)(*entry & ~AddressMask);
            return true;
        }

        private MapResult CheckAddresses(ulong virtualAddress, ulong physical, ulong size)
        {
            if ((virtualAddress & (size - 1)) != 0 || (physical & (size - 1)) != 0) return MapResult.NotAligned;
            if (!IsCanonical(virtualAddress)) return MapResult.NonCanonical;
            if (virtualAddress < PageSize) return MapResult.NullPage;
            if ((physical & ~AddressMask) != 0) return MapResult.NotAligned;
            return MapResult.Ok;
        }

        // Walks from the PML4 down to the table at `depth` (3 = PT, 2 = PD), creating tables.
        private MapResult Walk(ulong virtualAddress, PageFlags leafFlags, int depth, out ulong* table)
        {
            table = _window.Table(_root);
            ulong upper = (ulong)PageFlags.Present | (ulong)PageFlags.Writable | ((ulong)leafFlags & (ulong)PageFlags.User);
            for (int level = 3; level > 3 - depth; level--)
            {
                ulong* entry = &table[Index(virtualAddress, level)];
                if ((*entry & (ulong)PageFlags.Present) == 0)
                {
                    ulong frame = _frames->Take();
                    if (frame == 0) return MapResult.OutOfFrames;
                    Zero(_window.Table(frame));
                    *entry = frame | upper;
                }
                else if ((*entry & (ulong)PageFlags.Large) != 0) return MapResult.LargePageInTheWay;
                else *entry |= upper;
                table = _window.Table(*entry & AddressMask);
            }
            return MapResult.Ok;
        }

        private bool Find(ulong virtualAddress, out ulong* leaf, out bool large)
        {
            leaf = null;
            large = false;
            if (!IsCanonical(virtualAddress)) return false;
            ulong* table = _window.Table(_root);
            for (int level = 3; level >= 0; level--)
            {
                ulong* entry = &table[Index(virtualAddress, level)];
                if ((*entry & (ulong)PageFlags.Present) == 0) return false;
                if (level == 0 || (level == 1 && (*entry & (ulong)PageFlags.Large) != 0))
                {
                    leaf = entry;
                    large = level == 1;
                    return true;
                }
                table = _window.Table(*entry & AddressMask);
            }
            return false;
        }

        // level 3 = PML4 index (bits 39..47), 2 = PDPT, 1 = PD, 0 = PT (bits 12..20).
        private static int Index(ulong virtualAddress, int level) => (int)((virtualAddress >> (12 + 9 * level)) & 511);

        private static void Zero(ulong* table)
        {
            for (int i = 0; i < 512; i++) table[i] = 0;
        }
    }
}
