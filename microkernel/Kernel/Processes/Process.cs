// A process: an address space (its own PML4, whose upper half is the kernel's), a handle table,
// its threads, its personality endpoint (issue 7: where an application's non-core Linux calls
// are forwarded; null for servers), and what happens when it ends: its exit status (Linux wait-status encoding) and the
// notifications to signal. A dead process keeps its slot (a zombie) while handles to it remain,
// so its status can still be read; everything else is freed at death.
// Ownership: processes live in the Processes pool; all fields are guarded by the kernel being
// single-threaded with interrupts off.
using Biscuit.Kernel.Capabilities;
using Biscuit.Kernel.Ipc;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Processes
{
    public enum ProcessState : byte { Free = 0, Alive, Zombie }

    public unsafe struct Process
    {
        public const int NameBytes = 32, MaxWatchers = 4;

        public ulong Id;
        public ProcessState State;
        public byte MaxPriority;              // no thread of this process may run above it
        public int ThreadCount;
        public Thread* Threads;               // list through Thread.ProcessNext
        public int Handles;                   // capabilities naming this process, held anywhere
        public int WaitStatus;                // Linux encoding: exit code << 8, or the signal number
        public PageTable Space;
        public HandleTable* HandleTable;      // from the HandleTables pool
        public ulong NextIpcBuffer;           // where the next thread's IPC buffer is mapped
        public Grant* Grants;                 // grants this process made (list through Grant.SourceNext)
        public AddressMap* Map;               // what mmap has handed out (AddressMaps pool)
        public Linux.LinuxState* Linux;       // signal actions, file descriptors, brk (LinuxStates pool)
        public ulong OwnedFrames;             // frames this process owns (for sysinfo and quotas)
        public ulong MemoryBudget;            // bytes it may use (its page quota), reported by sysinfo
        public ulong PageFaults;              // demand-zero and copy-on-write faults served (Memory/PageFaults.cs)
        public ulong CopiesOnWrite;           // frames copied for it by copy-on-write (Memory/CopyOnWrite.cs)
        public ulong RunCycles;               // TSC cycles its threads ran, user and kernel time (Threads/CpuAccounting.cs)
        public ulong SystemCalls;             // system calls its threads made (SyscallDispatch)
        public ulong IpcCalls;                // IPC calls its threads made, forwarded Linux calls included
        public ulong SignalsHandled;          // signal frames pushed to its handlers (statistics)
        public int DevicesReleased;           // PCI claims ended by its death (Exit; for the death report)
        public bool Started;                  // has had a first thread (spawned, or process_start done)
        public Endpoint* Personality;         // where its non-core Linux calls go (null: a server); holds one count
        public ulong PersonalityBadge;        // the badge of the personality capability (names it to posix)
        public ulong LinuxPid;                // the pid its personality gave it (process_set_pid): getpid's answer; 0 = Id
        public byte Injections;               // faults injected on purpose (FaultInjection.cs bits), 0 normally
        public ulong InjectedFaultThread, InjectedFaultRip;   // where an injected fault sticks (FaultInjection.cs)
        public fixed byte Name[NameBytes];
        public fixed ulong WatcherObjects[MaxWatchers];   // Notification*
        public fixed ulong WatcherBits[MaxWatchers];

        public bool IsAlive => State == ProcessState.Alive;
    }
}
