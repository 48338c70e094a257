// Putting the current thread to sleep on a queue, and waking a blocked thread with a result.
// A blocked thread's system-call result is written into RAX of its saved frame when it wakes;
// that is all "returning from a blocking call" means in a kernel that never blocks inside itself.
using Biscuit.Kernel.Ipc;
using Biscuit.Kernel.Syscalls;

namespace Biscuit.Kernel.Threads
{
    public static unsafe class Blocking
    {
        // Blocks the current thread in `state` on `queue` (may be null, e.g. sleeping or waiting
        // for a reply) until woken or until `wakeTick` (0 = never).
        public static void Block(Thread* t, ThreadState state, ThreadQueue* queue, void* on, ulong wakeTick)
        {
            t->State = state;
            t->BlockedOn = on;
            if (queue != null) queue->Enqueue(t);
            Timeouts.Arm(t, wakeTick);
            if (t == Scheduler.Current) Scheduler.CurrentStops();
        }

        // The result that means "run the system call again" (Linux's ERESTARTSYS): the frame is
        // rewound to the SYSCALL instruction (2 bytes, 0F 05) with the call's number back in RAX;
        // the argument registers are still as the caller left them.
        public const long Restart = long.MinValue;

        // Wakes a blocked thread; `result` becomes the return value of its system call.
        public static void Wake(Thread* t, long result)
        {
            if (t->Queue != null) t->Queue->Remove(t);
            Timeouts.Disarm(t);
            t->BlockedOn = null;
            t->Interruptible = false;
            if (t->PagerFault) { Memory.PagerFaults.Complete(t, result); return; }   // a page fault's registers are not a call's
            if (t->Forwarding) result = Linux.Forwarding.Complete(t, result);
            if (result == Restart)
            {
                t->Frame->Rax = t->SyscallNumber;
                t->Frame->Rip -= 2;
            }
            else t->Frame->Rax = (ulong)result;
            Scheduler.MakeReady(t);
        }

        // A deadline passed: the call fails with ETIMEDOUT (a sleep simply ends).
        public static void TimedOut(Thread* t)
        {
            if (t->State == ThreadState.BlockedReply && t->ServedBy != null)
            {
                // The server still owes the reply; it will find nobody to deliver it to.
                if (t->ServedBy->ReplyTo == t)
                {
                    t->ServedBy->ReplyTo = null;
                    t->ServedBy->ReplyAbandoned = true;
                }
                t->ServedBy = null;
            }
            Wake(t, t->State == ThreadState.Sleeping ? 0 : -Errno.ETIMEDOUT);
        }
    }
}
