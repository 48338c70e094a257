// process_inject (0x872): faults injected into a process on purpose, so that tests and init can
// check what restarts survive (issue 9; MINIX 3's fault-injection campaigns). Kinds:
//   Fault        — the next return of one of its threads to ring 3 from a system call takes a page
//                  fault at address 0, as a null dereference in native code right after that call
//                  would (read, page not present). The fault then sticks to that thread and
//                  instruction, as a faulting instruction does: a runtime whose SIGSEGV handler
//                  restores the default action and returns (the .NET runtime does for faults
//                  outside managed code) faults again there and dies of SIGSEGV. The kernel's
//                  normal path (Signals.HardwareFault) delivers it: a handler, or death.
//   Hang         — none of its threads is scheduled again until it is killed (process_kill; no
//                  signal is delivered to it, SIGKILL included): each thread that would return to
//                  ring 3 is set aside (Suspended) instead; a call it received is never answered,
//                  so a heartbeat with a deadline finds it.
//   CorruptReply — the next reply it sends with at least one payload byte arrives with every
//                  payload byte inverted (XOR 0xFF): the client's decoder must refuse it.
//   Exhaust      — its memory budget is frozen at the frames it owns now: its heap cannot grow
//                  by one page. The next frame it needs (a GC committing a fresh region, a new
//                  thread stack) is over its quota, and the quota rule applies as to any process:
//                  a demand-zero fault kills it with SIGKILL (PageFaults.cs), an mmap or
//                  memory_map is ENOMEM. Whoever holds its handle can lift the budget again
//                  (process_set_limits); a new instance gets its budget from init anew.
// A wild write is not a kind: process_write (0x81A) already writes any user page of a process the
// caller holds with Control, at an address the caller chooses, which is all the kernel could add.
// Invariants: injection state lives in the Process (zeroed when its slot is taken) and dies with it;
// nothing here allocates or touches kernel memory other than the target's own frame and IPC buffer.
// Guarded by the kernel being single-threaded with interrupts off.
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Capabilities;
using Biscuit.Kernel.Ipc;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Processes
{
    internal static unsafe class FaultInjection
    {
        public const ulong KindFault = 1, KindHang = 2, KindCorruptReply = 3, KindExhaust = 4;
        // Process.Injections bits.
        public const byte FaultPending = 1, FaultArmed = 2, Hung = 4, CorruptPending = 8;
        private const ulong SyscallVector = 256;              // entry.S: the frame of a system call
        private const ulong NotPresentUserRead = 4;           // #PF error code: U/S set, W/R and P clear (SDM Vol. 3A §5.7)

        // process_inject(process, kind): 0, or EBADF (not a process handle), EPERM (no Control),
        // EINVAL (unknown kind), ESRCH (the process is dead).
        public static long Inject(Thread* t, ulong process, ulong kind)
        {
            Capability* c;
            long error = HandleCalls.Lookup(t, process, CapabilityType.Process, Rights.Control, out c);
            if (error != 0) return error;
            Process* p = (Process*)c->Object;
            if (kind < KindFault || kind > KindExhaust) return -Errno.EINVAL;
            if (!p->IsAlive) return -Errno.ESRCH;
            if (kind == KindExhaust) p->MemoryBudget = (p->OwnedFrames > 0 ? p->OwnedFrames : 1) * 4096;   // 0 would mean "no budget"
            else if (kind == KindFault) p->Injections |= FaultPending;
            else if (kind == KindHang) p->Injections |= Hung;
            else p->Injections |= CorruptPending;
            return 0;
        }

        // Called by the scheduler just before `t` (Current, Running) returns to ring 3, only when its
        // process has an injection. Returns false if `t` must not return now (set aside, or dead).
        public static bool BeforeReturnToUser(Thread* t)
        {
            Process* p = t->Process;
            if ((p->Injections & Hung) != 0)
            {
                t->State = ThreadState.Suspended;             // no queue: only its process's death frees it
                Scheduler.CurrentStops();
                return false;
            }
            InterruptFrame* f = t->Frame;
            if (f->Vector != SyscallVector) return true;
            if ((p->Injections & FaultPending) != 0)
            {
                p->Injections = (byte)((p->Injections & ~FaultPending) | FaultArmed);
                p->InjectedFaultThread = t->Id;
                p->InjectedFaultRip = f->Rip;
            }
            else if ((p->Injections & FaultArmed) == 0 || p->InjectedFaultThread != t->Id || p->InjectedFaultRip != f->Rip)
                return true;
            InterruptFrame fault = *f;                        // the registers stay; only the cause is made up
            fault.Vector = Idt.PageFaultVector;
            fault.ErrorCode = NotPresentUserRead;
            Linux.Signals.HardwareFault(t, &fault, 0);
            return p->IsAlive;                                // no handler: the process is gone
        }

        // Called by Endpoint.Reply after the server's reply was copied into the caller's buffer.
        public static void AfterReply(Thread* server, Thread* caller)
        {
            Process* p = server->Process;
            if ((p->Injections & CorruptPending) == 0) return;
            MessageHeader* m = MessageTransfer.HeaderOf(caller);
            if (m->Length == 0) return;
            p->Injections &= unchecked((byte)~CorruptPending);
            byte* payload = (byte*)m + MessageHeader.HeaderBytes;
            for (ulong i = 0; i < m->Length; i++) payload[i] ^= 0xFF;
        }
    }
}
