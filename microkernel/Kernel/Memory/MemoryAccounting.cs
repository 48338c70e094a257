// memory_info and memory_set_quota (issue 8; Syscalls.md "Memory"): what a process holds and may
// hold, for the holder of its handle — the `mm` server's figures and its lever.
//   - resident pages: the frames charged to the process (UserFrames), a frame shared by fork
//     counted in every holder, as Linux's RSS counts it; shared pages: those of them that another
//     process holds too (a walk of its page table: FramePool share counts);
//   - the faults served for it (demand-zero and copy-on-write) and the frames copied for it;
//   - its page quota (its memory budget: UserFrames refuses a frame beyond it, PageFaults kills a
//     process that faults beyond it, sysinfo reports it as the process's RAM);
//   - system-wide: free, used and total frames, copy-on-write faults and copies, demand-zero
//     faults, quota kills.
// Reading needs only the handle (any rights); setting the quota needs Control, as process_kill.
// Neither call allocates; the walk costs what is mapped, not the size of the address space.
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Capabilities;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Memory
{
    internal static unsafe class MemoryAccounting
    {
        // The layout of memory_info's answer (u64 fields, in this order).
        private struct MemoryInfoBlock
        {
            public ulong ResidentPages, SharedPages, PageFaults, CopiesOnWrite, QuotaPages;
            public ulong FreeFrames, UsedFrames, TotalFrames;
            public ulong CopyOnWriteFaults, PagesCopied, DemandZeroFaults, QuotaKills;
        }

        // memory_info(process, buffer, length): process 0 is the caller. Fills up to `length` bytes
        // of MemoryInfoBlock; returns the count. EBADF, ESRCH (dead), EFAULT.
        public static long Info(Thread* t, ulong process, ulong buffer, ulong length)
        {
            Process* p;
            long error = Target(t, process, 0, out p);
            if (error != 0) return error;
            MemoryInfoBlock info;
            info.ResidentPages = p->OwnedFrames;
            info.SharedPages = SharedPagesOf(p);
            info.PageFaults = p->PageFaults;
            info.CopiesOnWrite = p->CopiesOnWrite;
            info.QuotaPages = p->MemoryBudget / 4096;
            info.TotalFrames = BootMemory.Frames->TotalFrames;
            info.FreeFrames = BootMemory.Frames->FreeFrames;
            info.UsedFrames = info.TotalFrames - info.FreeFrames;
            info.CopyOnWriteFaults = CopyOnWrite.Faults;
            info.PagesCopied = CopyOnWrite.PagesCopied;
            info.DemandZeroFaults = DemandPaging.FaultsServed;
            info.QuotaKills = PageFaults.QuotaKills;
            ulong n = length < (ulong)sizeof(MemoryInfoBlock) ? length : (ulong)sizeof(MemoryInfoBlock);
            long r = UserMemory.CopyOut(t->Process, buffer, (byte*)&info, n);
            return r < 0 ? r : (long)n;
        }

        // memory_set_quota(process, pages): at least the pages it holds now, at least 1, at most
        // every frame of the machine (else EINVAL). EBADF, EPERM (no Control), ESRCH.
        public static long SetQuota(Thread* t, ulong process, ulong pages)
        {
            Process* p;
            long error = Target(t, process, Rights.Control, out p);
            if (error != 0) return error;
            if (pages == 0 || pages < p->OwnedFrames || pages > BootMemory.Frames->TotalFrames) return -Errno.EINVAL;
            p->MemoryBudget = pages * 4096;
            return 0;
        }

        private static long Target(Thread* t, ulong process, uint rights, out Process* p)
        {
            p = t->Process;
            if (process == 0) return 0;
            Capability* c;
            long error = HandleCalls.Lookup(t, process, CapabilityType.Process, rights, out c);
            if (error != 0) return error;
            p = (Process*)c->Object;
            return p->State == ProcessState.Alive ? 0 : -Errno.ESRCH;
        }

        private static ulong SharedPagesOf(Process* p)
        {
            ulong va = 0, frame, count = 0;
            PageFlags flags;
            bool large;
            while (p->Space.NextUserEntry(va, out va, out frame, out flags, out large))
            {
                if (!large && frame != 0 && (flags & PageFlags.Owned) != 0 && BootMemory.Frames->ExtraHoldersOf(frame) > 0) count++;
                va += large ? PageTable.LargePageSize : PageTable.PageSize;
            }
            return count;
        }
    }
}
