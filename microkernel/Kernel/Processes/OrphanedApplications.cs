// orphans_kill (0x87D; issue 9, item 3): ends every application whose personality server died.
// An application's non-core Linux calls go to its personality endpoint (process_set_personality);
// when the process serving that endpoint dies, its state — the application's descriptor table, its
// pid, its parentage — dies with it and cannot be rebuilt, and every forwarded call fails with EIO
// until someone receives on the endpoint again, which nobody will: posix makes a fresh personality
// endpoint at every start. MINIX 3's answer, which issue 9 adopts, is to end those applications
// cleanly so that they can be started again (the restarted posix starts its first program anew).
// "Orphaned" is the endpoint's own record (Endpoint.Orphaned): its receiving process died and no
// process has received on it since. init calls this when a server dies (servers/init/init.c).
// Authority: the device manager with Control, as for memory_oom_kill — the caller holds no handle
// to these processes (the dead server created them), so only system authority can end them.
// Invariants: only processes with a personality (applications) whose endpoint is orphaned are
// touched; never the caller; nothing allocates; the pool is walked by slot, so a process freed by
// an earlier Exit is skipped. Guarded by the kernel being single-threaded with interrupts off.
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Capabilities;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Processes
{
    internal static unsafe class OrphanedApplications
    {
        private const int SIGKILL = 9;

        // orphans_kill(authority): the number of applications ended with SIGKILL. EBADF (not a
        // device manager handle), EPERM (no Control).
        public static long KillAll(Thread* t, ulong authority)
        {
            Capability* c;
            long error = HandleCalls.Lookup(t, authority, CapabilityType.DeviceManager, Rights.Control, out c);
            if (error != 0) return error;
            SlotPool* pool = BootMemory.Pool(PoolKind.Processes);
            long ended = 0;
            for (ulong i = 0; i < pool->Capacity; i++)
            {
                Process* p = (Process*)pool->TakenSlot(i);
                if (p == null || p == t->Process || p->State != ProcessState.Alive) continue;
                if (p->Personality == null || !p->Personality->Orphaned) continue;
                ProcessControl.Exit(p, SIGKILL);
                ended++;
            }
            return ended;
        }
    }
}
