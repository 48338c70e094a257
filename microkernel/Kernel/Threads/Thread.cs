// A thread: the unit the scheduler runs. Each has its own kernel stack (its saved user registers
// sit in an InterruptFrame at the stack's top whenever it is not in ring 3), its own x87/SSE save
// area, its own IPC buffer (a page mapped into its process at IpcBufferUser), a priority, and the
// state of whatever it is blocked on.
// Ownership: threads live in the Threads pool; the scheduler and the IPC code link them through
// Next (one queue at a time: a run queue or one wait queue). All fields are guarded by the kernel
// being single-threaded with interrupts off.
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Ipc;
using Biscuit.Kernel.Processes;

namespace Biscuit.Kernel.Threads
{
    public enum ThreadState : byte
    {
        Free = 0, Ready, Running,
        BlockedSend,        // queued on an endpoint to send or call
        BlockedReceive,     // queued on an endpoint to receive
        BlockedReply,       // called and waiting for the reply
        BlockedNotification,
        Sleeping,
        BlockedFutex,
        BlockedPipe,
        Dead,
        Suspended,          // made by process_fork, not yet run: process_start makes it Ready
    }

    public unsafe struct Thread
    {
        public const int FpuAreaBytes = 512;

        public Thread* Next;                  // link in the one queue this thread is on
        public ThreadQueue* Queue;            // which queue that is (null if none)
        public Thread* ProcessNext;           // link in the process's list of threads
        public Process* Process;
        public ulong Id;
        public ThreadState State;
        public byte Priority;
        public byte SliceLeft;                // timer ticks left in the current time slice

        public byte* KernelStack;             // from the KernelStacks pool
        public ulong KernelStackTop;
        public byte* IpcBuffer;               // kernel's view (physical window) of the IPC buffer page
        public ulong IpcBufferPhysical;
        public ulong IpcBufferUser;           // where the process sees it
        public ulong FsBase;                  // IA32_FS_BASE (thread-local storage), set by arch_prctl
        public ulong ClearChildTid;           // set_tid_address
        public bool IsLeader;                 // its process's first thread: its Linux tid is the pid (Linux/LinuxThreadIds.cs)
        public ulong ChildTidAtStart;         // process_fork's CLONE_CHILD_SETTID: process_start writes the Linux tid here (0: none)

        public ulong SignalMask;              // blocked signals (bit n-1 for signal n)
        public ulong PendingSignals;          // sent to this thread, not yet delivered
        public ulong SavedMask;               // rt_sigsuspend: the mask to restore after the handler
        public bool HasSavedMask;             // SavedMask is set (until the next handler frame or return)
        public fixed int SignalSender[Biscuit.Kernel.Linux.Signals.InfoSlots];   // si_pid of pending signal n (n < InfoSlots)
        public fixed short SignalCode[Biscuit.Kernel.Linux.Signals.InfoSlots];   // its si_code
        public int ChildStatus;               // si_status of a pending SIGCHLD
        public ulong FaultAddress;            // si_addr of a pending hardware-fault signal
        public int FaultCode;                 // its si_code
        public int FaultVector;               // its trap number (-1: none pending)
        public ulong FaultError;              // its error code
        public ulong FutexAddress;            // while BlockedFutex: the word waited on
        public uint FutexBitset;
        public bool Interruptible;            // blocked in a wait a signal may end with EINTR
        public ulong SyscallNumber;           // of the system call in progress (for restarts)

        public ulong WakeTick;                // 0 = no timeout; else the tick at which to give up
        public ulong WakeNanoseconds;         // and, if not 0, not before this monotonic time
        public Thread* TimeoutNext;           // link in the timeout list

        // IPC: what this thread waits for or owes.
        public void* BlockedOn;               // the Endpoint or Notification
        public bool IsCall;                   // queued as call (expects a reply) rather than send
        public ulong SendBadge;               // badge of the capability used to send
        public Thread* ReplyTo;               // caller owed a reply (after receiving a call)
        public Thread* ServedBy;              // the thread whose reply we wait for
        public bool ReplyAbandoned;           // the caller of the last call received gave up (signal, death, timeout)
        public bool Forwarding;               // in a forwarded Linux call (Linux/Forwarding.cs): RAX comes from the reply
        public bool PagerFault;               // waiting for the pager to answer a demand-zero fault (Memory/PagerFaults.cs)
        public byte PagerMark;                // a resume Memory/PagerCensus.cs times (0: none)
        public ulong PagerAddress;            // while PagerFault: the faulting address (CR2)
        public ulong PagerAccess;             // and its access (PagerRules: bit 0 write, bit 1 fetch)
        public fixed ulong PagerTimes[Memory.PagerCensus.Marks];   // the fault's TSC marks (PagerCensus)

        public fixed byte FpuBytes[FpuAreaBytes + 16];   // FpuArea is the aligned part

        // fxsave64 needs a 16-byte aligned 512-byte area (SDM Vol. 1 §10.5.1).
        public byte* FpuArea
        {
            get { fixed (byte* b = FpuBytes) return (byte*)(((ulong)b + 15) & ~15UL); }
        }

        // The signal of the pending hardware fault, if any.
        public int FaultSignal() => FaultVector < 0 ? 0 : Arch.X64.Interrupts.SignalFor((ulong)FaultVector);

        public InterruptFrame* Frame => (InterruptFrame*)(KernelStackTop - (ulong)sizeof(InterruptFrame));
    }
}
