// futex(2) for the threads of one process: FUTEX_WAIT, FUTEX_WAKE, FUTEX_WAIT_BITSET,
// FUTEX_WAKE_BITSET, FUTEX_REQUEUE and FUTEX_CMP_REQUEUE (private or not: all futexes are
// process-private here, shared memory between processes being grants, not futexes).
// Waiters sit on one of Buckets queues chosen by address; each records its process, address and
// bitset. WAIT checks the word and blocks atomically with respect to WAKE (the kernel is
// single-threaded), with a relative (WAIT) or absolute (WAIT_BITSET) timeout, and can be
// interrupted by a signal (EINTR). A thread exiting with CHILD_CLEARTID wakes one waiter.
using Biscuit.Kernel.Ipc;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;
using Biscuit.Kernel.Time;

namespace Biscuit.Kernel.Linux
{
    internal static unsafe class Futex
    {
        private const int Buckets = 64;
        private const int Wait = 0, Wake = 1, Requeue = 3, CmpRequeue = 4, WaitBitset = 9, WakeBitset = 10;
        private const int PrivateFlag = 128, ClockRealtime = 256;
        private const uint MatchAny = 0xFFFF_FFFF;

        private struct Table { public fixed byte Bytes[Buckets * 16]; }
        private static Table s_buckets;   // ThreadQueue[Buckets]

        private static ThreadQueue* BucketOf(ulong address)
        {
            fixed (byte* b = s_buckets.Bytes) return (ThreadQueue*)b + (int)((address >> 2) % Buckets);
        }

        public static long Call(Thread* t, ulong address, ulong operation, ulong value, ulong timeoutOrValue2, ulong address2, ulong value3)
        {
            int op = (int)operation & ~(PrivateFlag | ClockRealtime);
            bool realtime = ((int)operation & ClockRealtime) != 0;
            if ((address & 3) != 0) return -Errno.EINVAL;
            switch (op)
            {
                case Wait: return WaitOn(t, address, (uint)value, timeoutOrValue2, absolute: false, realtime, MatchAny);
                case WaitBitset:
                    if ((uint)value3 == 0) return -Errno.EINVAL;
                    return WaitOn(t, address, (uint)value, timeoutOrValue2, absolute: true, realtime, (uint)value3);
                case Wake: return WakeUp(t->Process, address, (int)value, MatchAny);
                case WakeBitset:
                    if ((uint)value3 == 0) return -Errno.EINVAL;
                    return WakeUp(t->Process, address, (int)value, (uint)value3);
                case Requeue: return RequeueWaiters(t, address, (int)value, (int)timeoutOrValue2, address2, check: false, 0);
                case CmpRequeue: return RequeueWaiters(t, address, (int)value, (int)timeoutOrValue2, address2, check: true, (uint)value3);
                default: return -Errno.ENOSYS;
            }
        }

        private static long WaitOn(Thread* t, ulong address, uint expected, ulong timeout, bool absolute, bool realtime, uint bitset)
        {
            uint current;
            if (UserMemory.ReadU32(t->Process, address, out current) != 0) return -Errno.EFAULT;
            if (current != expected) return -Errno.EAGAIN;
            ulong wakeTick = 0, wakeNs = 0;
            if (timeout != 0)
            {
                long ns = TimeCalls.ReadTimespec(t, timeout, out long error);
                if (error != 0) return error;
                if (absolute) ns -= (long)(realtime ? Clock.RealtimeNanoseconds() : Clock.MonotonicNanoseconds());
                if (ns <= 0) return -Errno.ETIMEDOUT;
                wakeTick = TimeCalls.DeadlineForNanoseconds((ulong)ns);
                wakeNs = Clock.MonotonicNanoseconds() + (ulong)ns;
            }
            t->FutexAddress = address;
            t->FutexBitset = bitset;
            t->Interruptible = true;
            Blocking.Block(t, ThreadState.BlockedFutex, BucketOf(address), null, wakeTick);
            t->WakeNanoseconds = wakeNs;
            return 0;   // a wake-up writes 0, a timeout -ETIMEDOUT, a signal -EINTR
        }

        public static long WakeUp(Process* p, ulong address, int count, uint bitset)
        {
            if (count <= 0) return 0;
            ThreadQueue* q = BucketOf(address);
            int woken = 0;
            Thread* w = q->Head;
            while (w != null && woken < count)
            {
                Thread* next = w->Next;
                if (w->Process == p && w->FutexAddress == address && (w->FutexBitset & bitset) != 0)
                {
                    Blocking.Wake(w, 0);
                    woken++;
                }
                w = next;
            }
            return woken;
        }

        private static long RequeueWaiters(Thread* t, ulong address, int wake, int requeue, ulong target, bool check, uint expected)
        {
            if ((target & 3) != 0) return -Errno.EINVAL;
            if (check)
            {
                uint current;
                if (UserMemory.ReadU32(t->Process, address, out current) != 0) return -Errno.EFAULT;
                if (current != expected) return -Errno.EAGAIN;
            }
            long done = WakeUp(t->Process, address, wake, MatchAny);
            ThreadQueue* from = BucketOf(address), to = BucketOf(target);
            Thread* w = from->Head;
            int moved = 0;
            while (w != null && moved < requeue)
            {
                Thread* next = w->Next;
                if (w->Process == t->Process && w->FutexAddress == address)
                {
                    from->Remove(w);
                    w->FutexAddress = target;
                    to->Enqueue(w);
                    moved++;
                }
                w = next;
            }
            return done + moved;
        }
    }
}
