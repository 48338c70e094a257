// memory_census and memory_oom_kill (issue 8; Syscalls.md "Memory"): what the `mm` server needs to
// run the out-of-memory policy over processes it was never given handles to (applications are
// created by posix). Both take the device manager capability as the proof of system authority:
// init holds it and hands a copy only to the servers its manifest marks `devices` (mm is one).
//   - memory_census lists every live process: id, resident pages, quota, faults served, pages
//     copied on write, flags (an application — it has a personality —, init) and name;
//   - memory_oom_kill ends one application with SIGKILL and logs it with the numbers. The kernel
//     refuses to kill a server or init (EPERM): "never a server, never init" is a property of the
//     mechanism, not only of mm's policy.
// Neither allocates; the census walks the process pool's slots.
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Capabilities;
using Biscuit.Kernel.Diagnostics;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Memory
{
    internal static unsafe class MemoryCensus
    {
        public const ulong FlagApplication = 1, FlagInit = 2;
        public static ulong OomKills;        // applications killed through memory_oom_kill (statistics)

        // One process in memory_census's answer (80 bytes).
        private struct CensusEntry
        {
            public ulong Id, ResidentPages, QuotaPages, PageFaults, CopiesOnWrite, Flags;
            public fixed byte Name[Process.NameBytes];
        }

        // memory_census(authority, buffer, max_entries): the number of entries written (at most
        // max_entries, in pool order). EBADF / EPERM (authority), EINVAL (max 0 or > 4096), EFAULT.
        public static long Census(Thread* t, ulong authority, ulong buffer, ulong maxEntries)
        {
            long error = CheckAuthority(t, authority);
            if (error != 0) return error;
            if (maxEntries == 0 || maxEntries > 4096) return -Errno.EINVAL;
            if (!UserMemory.Accessible(t->Process, buffer, maxEntries * (ulong)sizeof(CensusEntry), write: true)) return -Errno.EFAULT;
            SlotPool* pool = BootMemory.Pool(PoolKind.Processes);
            ulong written = 0;
            for (ulong i = 0; i < pool->Capacity && written < maxEntries; i++)
            {
                Process* p = (Process*)pool->TakenSlot(i);
                if (p == null || p->State != ProcessState.Alive) continue;
                CensusEntry e;
                e.Id = p->Id;
                e.ResidentPages = p->OwnedFrames;
                e.QuotaPages = p->MemoryBudget / 4096;
                e.PageFaults = p->PageFaults;
                e.CopiesOnWrite = p->CopiesOnWrite;
                e.Flags = (p->Personality != null ? FlagApplication : 0) | (p == ProcessControl.Init ? FlagInit : 0);
                for (int b = 0; b < Process.NameBytes; b++) e.Name[b] = p->Name[b];
                long r = UserMemory.CopyOut(t->Process, buffer + written * (ulong)sizeof(CensusEntry), (byte*)&e, (ulong)sizeof(CensusEntry));
                if (r != 0) return r;
                written++;
            }
            return (long)written;
        }

        // memory_oom_kill(authority, process_id): 0, the application is dead (SIGKILL). EPERM for a
        // server or init, ESRCH if no live process has that id.
        public static long Kill(Thread* t, ulong authority, ulong processId)
        {
            long error = CheckAuthority(t, authority);
            if (error != 0) return error;
            SlotPool* pool = BootMemory.Pool(PoolKind.Processes);
            for (ulong i = 0; i < pool->Capacity; i++)
            {
                Process* p = (Process*)pool->TakenSlot(i);
                if (p == null || p->State != ProcessState.Alive || p->Id != processId) continue;
                if (p->Personality == null || p == ProcessControl.Init) return -Errno.EPERM;
                OomKills++;
                Console.Write("biscuit: out of memory: process ");
                Console.WriteDecimal(p->Id);
                Console.Write(" (");
                ProcessControl.WriteName(p);
                Console.Write(") killed (SIGKILL) by ");
                ProcessControl.WriteName(t->Process);
                Console.Write("; resident ");
                Console.WriteDecimal(p->OwnedFrames);
                Console.Write(" pages, ");
                Console.WriteDecimal(BootMemory.Frames->FreeFrames);
                Console.Write(" frames free");
                Console.NewLine();
                ProcessControl.Exit(p, PageFaults.SIGKILL);
                return 0;
            }
            return -Errno.ESRCH;
        }

        private static long CheckAuthority(Thread* t, ulong authority)
        {
            Capability* c;
            return HandleCalls.Lookup(t, authority, CapabilityType.DeviceManager, Rights.Control, out c);
        }
    }
}
