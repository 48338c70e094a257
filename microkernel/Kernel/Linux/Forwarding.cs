// Forwarding an application's Linux calls to its personality server (issue 7; Syscalls.md
// "Forwarded Linux calls"). A process with a personality endpoint has the kernel answer only the
// core set (ForwardingRules.IsCore); every other call becomes an ipc_call the kernel makes on the thread's behalf:
//   label   LabelTag | number  ("LNX\0" in the high 32 bits)
//   badge   the badge of the personality capability (set by process_set_personality)
//   payload number, arg0..arg5, kernel_process_id, thread_id (the Linux tid, LinuxThreadIds.cs), flags (0): 80 bytes, little-endian
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
        // Sends `t`'s current system call to its process's personality and blocks it; the result
        // arrives in RAX when it is woken (Complete or Interrupt).
        public static long Forward(Thread* t)
        {
            Process* p = t->Process;
            // The personality died and no restarted one has taken its endpoint over: fail now
            // rather than wait (a call already waiting when it died gets -EIO the same way).
            if (p->Personality->Orphaned) return -Errno.EIO;
            t->Forwarding = true;
            p->IpcCalls++;
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
            Arch.X64.InterruptFrame* f = t->Frame;
            ulong* args = stackalloc ulong[6];
            args[0] = f->Rdi; args[1] = f->Rsi; args[2] = f->Rdx; args[3] = f->R10; args[4] = f->R8; args[5] = f->R9;
            ForwardingRules.WriteMessage(MessageTransfer.HeaderOf(t), t->SyscallNumber, args, t->Process->Id, ThreadIdCalls.TidOf(t));
        }

        // Called by Blocking.Wake for a forwarding thread: `ipcResult` 0 means the reply is in its
        // IPC buffer; any IPC failure (server died, endpoint abandoned) is -EIO for the application.
        public static long Complete(Thread* t, long ipcResult)
        {
            t->Forwarding = false;
            return ipcResult != 0 ? -Errno.EIO : ForwardingRules.ReadReply(MessageTransfer.HeaderOf(t));
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
