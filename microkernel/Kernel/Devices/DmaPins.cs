// dma_pin and dma_unpin (Syscalls.md 0x86D, 0x86E): a driver DMAs into pages another process
// granted it (issue 5 item 3: the disk reads straight into fs's data window, which fs shares onward
// with posix). The driver names a range of its own address space that is a writable grant it
// received; the kernel answers the frames' physical addresses and pins them.
//
// The rule followed: without an IOMMU (Intel VT-d is absent under QEMU's default machine and not
// programmed here) a bus-mastering device can write to any physical address, so the kernel's pin is
// the only thing that keeps a DMA target from being freed and handed to someone else while the
// device may still write it (the hazard VT-d's DMA remapping, VT-d spec §3, exists to remove). So:
//  * a pin holds one share of each frame (FramePool share counts): the granter's unmap, its
//    revocation of the grant, or its death each drop only their own holding; the frame is freed
//    by the last holder, which is the pin when the pin outlives them;
//  * a pin ends when its driver unpins it or when its device claims end (the process dies):
//    DeviceClaims.ReleaseAllOf calls ReleaseAllOf here after bus mastering is off (PCI Local Bus
//    Specification 3.0 §6.2.2), so no device can still be writing a frame when it is released;
//  * only a device-claiming process may pin (EPERM), only pages present as a Granted, not Owned,
//    entry (EINVAL: its own memory has dma_alloc; EFAULT: nothing mapped), granted writable
//    (EACCES: the device may write them).
// A pinned frame keeps its share count above zero, so a granter whose page is private (not
// MAP_SHARED) gets it copied away from the pin at its next fork or grant of that page
// (CopyOnWrite.NeedsResolving): a granter that wants DMA coherence grants MAP_SHARED memory (fs does).
// Invariants: s_owner[i] != 0 exactly when slot i is a pin; its frames are s_frames[i*MaxPages ..
// + s_pages[i]), each holding one share taken by Pin; pin ids are slot + 1. The kernel is not
// preemptive, so each call runs alone.
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Devices
{
    public static unsafe class DmaPins
    {
        public const int MaxPins = 16;
        public const int MaxPages = 256;        // 1 MiB: a data window

        private struct Owners { public fixed ulong Values[MaxPins]; }
        private struct PageCounts { public fixed ulong Values[MaxPins]; }
        private struct FrameLists { public fixed ulong Values[MaxPins * MaxPages]; }
        private static Owners s_owner;          // process Id holding each pin; 0 = free slot
        private static PageCounts s_pages;      // pages of each pin
        private static FrameLists s_frames;     // the pinned frames' physical addresses, per slot

        // dma_pin(address, pages, physical_out): pins the granted pages at `address` and writes
        // their physical addresses (u64 each) at `physical_out`; returns the pin id (> 0).
        public static long Pin(Thread* t, ulong address, ulong pages, ulong physicalOut)
        {
            Process* p = t->Process;
            if (!DeviceClaims.HoldsAny(p)) return -Errno.EPERM;
            if (pages == 0 || pages > MaxPages || address % 4096 != 0) return -Errno.EINVAL;
            if (address == 0 || !UserMemory.RangeIsUser(address, pages * 4096) || !UserMemory.RangeIsUser(physicalOut, pages * 8))
                return -Errno.EFAULT;
            int slot = -1;
            for (int i = 0; i < MaxPins && slot < 0; i++)
                if (s_owner.Values[i] == 0) slot = i;
            if (slot < 0) return -Errno.ENOMEM;
            ulong* frames = FramesOf(slot);
            for (ulong i = 0; i < pages; i++)
            {
                ulong frame;
                PageFlags flags;
                if (!p->Space.Translate(address + i * 4096, out frame, out flags) || (flags & PageFlags.User) == 0) return -Errno.EFAULT;
                if ((flags & PageFlags.Granted) == 0 || (flags & PageFlags.Owned) != 0) return -Errno.EINVAL;
                if ((flags & PageFlags.GrantWritable) == 0) return -Errno.EACCES;
                frames[i] = frame & ~0xFFFUL;
            }
            long r = UserMemory.CopyOut(p, physicalOut, (byte*)frames, pages * 8);
            if (r != 0) return r;
            for (ulong i = 0; i < pages; i++)
                if (!BootMemory.Frames->Share(frames[i]))
                {
                    for (ulong j = 0; j < i; j++) BootMemory.Frames->Give(frames[j]);
                    return -Errno.ENOMEM;
                }
            s_owner.Values[slot] = p->Id;
            s_pages.Values[slot] = pages;
            Pinned += pages;
            return slot + 1;
        }

        // dma_unpin(pin): gives the pin's shares back (a frame nobody else holds is freed).
        public static long Unpin(Thread* t, ulong pin)
        {
            if (pin == 0 || pin > MaxPins || s_owner.Values[pin - 1] != t->Process->Id || t->Process->Id == 0) return -Errno.EINVAL;
            Release((int)pin - 1);
            return 0;
        }

        /// <summary>Ends every pin `p` holds (its device claims ended: bus mastering is off).</summary>
        public static void ReleaseAllOf(Process* p)
        {
            if (p->Id == 0) return;
            for (int i = 0; i < MaxPins; i++)
                if (s_owner.Values[i] == p->Id) Release(i);
        }

        /// <summary>Pages pinned now (for diagnostics).</summary>
        public static ulong Pinned;

        private static void Release(int slot)
        {
            ulong* frames = FramesOf(slot);
            ulong pages = s_pages.Values[slot];
            for (ulong i = 0; i < pages; i++) BootMemory.Frames->Give(frames[i]);
            Pinned -= pages;
            s_owner.Values[slot] = 0;
            s_pages.Values[slot] = 0;
        }

        private static ulong* FramesOf(int slot)
        {
            fixed (ulong* all = s_frames.Values) return all + slot * MaxPages;
        }
    }
}
