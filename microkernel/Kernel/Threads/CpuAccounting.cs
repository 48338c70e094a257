// Where the CPU's time goes, per process (issue 11 item 4): every cycle between two returns to user
// mode is charged to the process whose thread ran before the kernel was entered — its user time and
// the kernel's work on its behalf (system calls, its page faults, interrupts that arrived while it ran)
// — or to the idle loop. Charged once per kernel exit (Scheduler.Resume), so the cost is one RDTSC
// (Intel SDM Vol. 2B RDTSC; the TSC is invariant on the CPUs QEMU models, Vol. 3B §18.17.1).
// cpu_census copies the figures out; reading them needs no capability (like /proc/stat on Linux).
// Invariant: s_charged is the thread last resumed in ring 3 (null: idle); a thread or process that
// died meanwhile is charged only if its slot is still a live process (a few cycles at a death may
// go uncharged, never to freed memory's new owner as a write into a free slot).
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Syscalls;

namespace Biscuit.Kernel.Threads
{
    public static unsafe class CpuAccounting
    {
        private static Thread* s_charged;       // the thread whose time runs now (null: idle)
        private static ulong s_since;           // TSC at the last charge
        public static ulong IdleCycles;         // cycles with no thread to run

        // Charges the time since the last call to whoever ran, then starts charging `next` (null: idle).
        public static void Charge(Thread* next)
        {
            ulong now = Cpu.ReadTimestampCounter();
            ulong elapsed = s_since == 0 ? 0 : now - s_since;
            s_since = now;
            Thread* t = s_charged;
            s_charged = next;
            if (t == null) { IdleCycles += elapsed; return; }
            Process* p = t->Process;
            if (p != null && p->State != ProcessState.Free) p->RunCycles += elapsed;
        }

        private struct CensusEntry
        {
            public ulong Id, RunCycles, SystemCalls, IpcCalls, Flags;
            public fixed byte Name[Process.NameBytes];
        }

        public const ulong FlagApplication = 1, FlagInit = 2, MaxEntries = 4096;

        // cpu_census(buffer, max_entries): entries of 72 bytes — first the idle loop (id 0, "idle",
        // its cycles), then every live process in pool order: id, cycles run, system calls, IPC calls,
        // flags (1: an application, 2: init), name. The count written; EINVAL (0 or > 4096), EFAULT.
        public static long Census(Thread* t, ulong buffer, ulong maxEntries)
        {
            if (maxEntries == 0 || maxEntries > MaxEntries) return -Errno.EINVAL;
            if (!UserMemory.Accessible(t->Process, buffer, maxEntries * (ulong)sizeof(CensusEntry), write: true)) return -Errno.EFAULT;
            Charge(t);   // bring the caller's own figure up to now
            CensusEntry e = default;
            e.RunCycles = IdleCycles;
            e.Name[0] = (byte)'i'; e.Name[1] = (byte)'d'; e.Name[2] = (byte)'l'; e.Name[3] = (byte)'e';
            long r = UserMemory.CopyOut(t->Process, buffer, (byte*)&e, (ulong)sizeof(CensusEntry));
            if (r != 0) return r;
            ulong written = 1;
            SlotPool* pool = BootMemory.Pool(PoolKind.Processes);
            for (ulong i = 0; i < pool->Capacity && written < maxEntries; i++)
            {
                Process* p = (Process*)pool->TakenSlot(i);
                if (p == null || p->State != ProcessState.Alive) continue;
                e.Id = p->Id;
                e.RunCycles = p->RunCycles;
                e.SystemCalls = p->SystemCalls;
                e.IpcCalls = p->IpcCalls;
                e.Flags = (p->Personality != null ? FlagApplication : 0) | (p == ProcessControl.Init ? FlagInit : 0);
                for (int b = 0; b < Process.NameBytes; b++) e.Name[b] = p->Name[b];
                r = UserMemory.CopyOut(t->Process, buffer + written * (ulong)sizeof(CensusEntry), (byte*)&e, (ulong)sizeof(CensusEntry));
                if (r != 0) return r;
                written++;
            }
            return (long)written;
        }
    }
}
