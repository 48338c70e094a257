// Forwarding an application's Linux calls to its personality server (issue 7; Syscalls.md
// "Forwarded Linux calls"). A process with a personality endpoint has the kernel answer only the
// core set (IsCore); every other call becomes an ipc_call the kernel makes on the thread's behalf:
//   label   LabelTag | number  ("LNX\0" in the high 32 bits)
//   badge   the badge of the personality capability (set by process_set_personality)
//   payload number, arg0..arg5, kernel_process_id, thread_id, flags (0): 80 bytes, little-endian
// The reply's first 8 payload bytes are the thread's RAX; a shorter reply, or the server's death,
// gives -EIO. An unblocked signal ends the wait with -EINTR (Interrupt): the server then finds
// ipc_reply_pending = 0 and its late reply answers ESRCH.
// Invariants: Thread.Forwarding is true exactly while the thread waits in a forwarded call; the
// message is (re)written from the thread's saved registers, which live on its kernel stack, each
// time it is copied (MessageTransfer.Copy), so another thread of the application writing the
// user-visible IPC buffer page cannot change what the server receives. Nothing here allocates.
using Biscuit.Kernel.Ipc;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Linux
{
    internal static unsafe class Forwarding
    {
        public const ulong LabelTag = 0x4C4E_5800_0000_0000;
        public const uint PayloadBytes = 80, ReplyBytes = 8;
        private const ulong CloneVm = 0x100;

        // The core set the kernel answers itself even for an application (DESIGN.md §4, issue 7).
        // mmap is core only for anonymous memory and clone only for threads (CLONE_VM).
        public static bool IsCore(ulong number, ulong a0, ulong a3)
        {
            switch (number)
            {
                case 9: return MemoryMapCalls.IsAnonymous(a3);                  // mmap
                case 56: return (a0 & CloneVm) != 0;                           // clone
                case 10: case 11: case 12: case 28: case 149: case 150:         // mprotect munmap brk madvise mlock munlock
                case 13: case 14: case 15: case 131:                            // rt_sigaction rt_sigprocmask rt_sigreturn sigaltstack
                case 35: case 228: case 229: case 230: case 96: case 201:       // nanosleep clock_* gettimeofday time
                case 39: case 186:                                              // getpid gettid
                case 60: case 231: case 158: case 218: case 273: case 334:      // exit exit_group arch_prctl set_tid_address set_robust_list rseq
                case 202: case 24: case 204:                                    // futex sched_yield sched_getaffinity
                case 62: case 200: case 234:                                    // kill tkill tgkill
                case 99: case 63: case 97: case 302: case 318: case 324:        // sysinfo uname getrlimit prlimit64 getrandom membarrier
                    return true;
                default:
                    return false;
            }
        }

        // Sends `t`'s current system call to its process's personality and blocks it; the result
        // arrives in RAX when it is woken (Complete or Interrupt).
        public static long Forward(Thread* t)
        {
            Process* p = t->Process;
            t->Forwarding = true;
            Fill(t);
            long error = Endpoint.Call(t, p->Personality, p->PersonalityBadge, 0);
            if (error != 0)
            {
                t->Forwarding = false;
                return -Errno.EIO;
            }
            return 0;   // blocked; this value is not used (SyscallDispatch writes RAX only for a running thread)
        }

        // Writes the forwarded call's message into `t`'s IPC buffer from its saved registers.
        public static void Fill(Thread* t)
        {
            MessageHeader* m = MessageTransfer.HeaderOf(t);
            m->Label = LabelTag | (t->SyscallNumber & 0xFFFF_FFFF);
            m->Length = PayloadBytes;
            m->HandleCount = 0;
            ulong* w = (ulong*)((byte*)m + MessageHeader.HeaderBytes);
            Arch.X64.InterruptFrame* f = t->Frame;
            w[0] = t->SyscallNumber;
            w[1] = f->Rdi; w[2] = f->Rsi; w[3] = f->Rdx; w[4] = f->R10; w[5] = f->R8; w[6] = f->R9;
            w[7] = t->Process->Id;
            w[8] = t->Id;
            w[9] = 0;
        }

        // Called by Blocking.Wake for a forwarding thread: `ipcResult` 0 means the reply is in its
        // IPC buffer; any IPC failure (server died, endpoint abandoned) is -EIO for the application.
        public static long Complete(Thread* t, long ipcResult)
        {
            t->Forwarding = false;
            if (ipcResult != 0) return -Errno.EIO;
            MessageHeader* m = MessageTransfer.HeaderOf(t);
            if (m->Length < ReplyBytes) return -Errno.EIO;
            return *(long*)((byte*)m + MessageHeader.HeaderBytes);
        }

        // A signal the thread does not block arrived while it waits in a forwarded call: the wait
        // ends with -EINTR; a server already holding the call is told through ipc_reply_pending.
        public static void Interrupt(Thread* t)
        {
            if (t->ServedBy != null)
            {
                Thread* server = t->ServedBy;
                if (server->ReplyTo == t)
                {
                    server->ReplyTo = null;
                    server->ReplyAbandoned = true;
                }
                t->ServedBy = null;
            }
            t->Forwarding = false;
            Blocking.Wake(t, -Errno.EINTR);
        }

        public static bool IsWaiting(Thread* t) =>
            t->Forwarding && (t->State == ThreadState.BlockedSend || t->State == ThreadState.BlockedReply);
    }
}
