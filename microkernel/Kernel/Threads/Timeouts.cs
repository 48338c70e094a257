// Timeouts of blocked threads (IPC with a deadline, sleep). A thread with WakeTick != 0 is on the
// list; each timer tick expires those whose tick has come. The list is unordered: it holds at
// most one entry per thread, and the thread pool is bounded.
using Biscuit.Kernel.Time;


namespace Biscuit.Kernel.Threads
{
    public static unsafe class Timeouts
    {
        public const ulong Forever = ulong.MaxValue;
        private static Thread* s_head;   // list through Thread.TimeoutNext

        // Converts a timeout in milliseconds to a wake tick; Forever means none (0).
        public static ulong DeadlineFor(ulong milliseconds)
        {
            if (milliseconds == Forever) return 0;
            ulong ticks = (milliseconds * Ticks.Hz + 999) / 1000;
            if (ticks == 0) ticks = 1;
            return Ticks.Count + ticks;
        }

        public static void Arm(Thread* t, ulong wakeTick)
        {
            if (wakeTick == 0) return;
            t->WakeTick = wakeTick;
            t->TimeoutNext = s_head;
            s_head = t;
        }

        public static void Disarm(Thread* t)
        {
            if (t->WakeTick == 0) return;
            t->WakeTick = 0;
            t->WakeNanoseconds = 0;
            Thread* previous = null;
            for (Thread* c = s_head; c != null; previous = c, c = c->TimeoutNext)
            {
                if (c != t) continue;
                if (previous == null) s_head = c->TimeoutNext; else previous->TimeoutNext = c->TimeoutNext;
                c->TimeoutNext = null;
                return;
            }
        }

        // Wakes every thread whose deadline has passed.
        public static void Expire(ulong now)
        {
            Thread* t = s_head;
            while (t != null)
            {
                Thread* next = t->TimeoutNext;
                if (t->WakeTick <= now)
                {
                    // Ticks and the clock programs read can drift apart under emulation: a sleep
                    // ends only when the clock says so too ("at least as long as asked").
                    if (t->WakeNanoseconds != 0 && Clock.MonotonicNanoseconds() < t->WakeNanoseconds) t->WakeTick = now + 1;
                    else Blocking.TimedOut(t);
                }
                t = next;
            }
        }
    }
}
