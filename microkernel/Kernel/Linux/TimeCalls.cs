// clock_gettime, clock_getres, gettimeofday, time, nanosleep, clock_nanosleep (Time/Clock.cs for
// the clocks). Sleeps have the timer's resolution (1 ms) and always last at least as asked;
// a signal ends them early with EINTR.
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;
using Biscuit.Kernel.Time;

namespace Biscuit.Kernel.Linux
{
    internal static unsafe class TimeCalls
    {
        // Linux clock ids (uapi/linux/time.h).
        private const ulong Realtime = 0, Monotonic = 1, ProcessCpu = 2, ThreadCpu = 3, MonotonicRaw = 4,
            RealtimeCoarse = 5, MonotonicCoarse = 6, Boottime = 7;
        private const ulong TimerAbstime = 1;

        private static long Now(ulong clock, out ulong ns)
        {
            ns = 0;
            switch (clock)
            {
                case Realtime: case RealtimeCoarse: ns = Clock.RealtimeNanoseconds(); return 0;
                case Monotonic: case MonotonicRaw: case MonotonicCoarse: case Boottime:
                case ProcessCpu: case ThreadCpu:    // CPU-time clocks approximated by uptime
                    ns = Clock.MonotonicNanoseconds(); return 0;
                default: return -Errno.EINVAL;
            }
        }

        private static long WriteTimespec(Thread* t, ulong address, ulong ns)
        {
            long* ts = stackalloc long[2];
            ts[0] = (long)(ns / 1_000_000_000);
            ts[1] = (long)(ns % 1_000_000_000);
            return UserMemory.CopyOut(t->Process, address, (byte*)ts, 16);
        }

        // Reads a struct timespec; returns nanoseconds (error set to -EFAULT or -EINVAL when bad).
        public static long ReadTimespec(Thread* t, ulong address, out long error)
        {
            long* ts = stackalloc long[2];
            error = UserMemory.CopyIn(t->Process, (byte*)ts, address, 16);
            if (error != 0) return 0;
            if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1_000_000_000) { error = -Errno.EINVAL; return 0; }
            if (ts[0] > 1_000_000_000) return long.MaxValue / 2;    // centuries: as good as forever
            return ts[0] * 1_000_000_000 + ts[1];
        }

        public static ulong DeadlineForNanoseconds(ulong ns)
        {
            ulong ticks = (ns + (1_000_000_000 / Ticks.Hz) - 1) / (1_000_000_000 / Ticks.Hz);
            return Ticks.Count + (ticks == 0 ? 1 : ticks) + 1;   // +1: the current tick is partly gone
        }

        public static long ClockGettime(Thread* t, ulong clock, ulong address)
        {
            ulong ns;
            long r = Now(clock, out ns);
            return r != 0 ? r : WriteTimespec(t, address, ns);
        }

        public static long ClockGetres(Thread* t, ulong clock, ulong address)
        {
            ulong ns;
            long r = Now(clock, out ns);
            if (r != 0 || address == 0) return r;
            return WriteTimespec(t, address, clock == RealtimeCoarse || clock == MonotonicCoarse ? 1_000_000_000 / Ticks.Hz : 1);
        }

        public static long Gettimeofday(Thread* t, ulong address)
        {
            if (address == 0) return 0;
            ulong ns = Clock.RealtimeNanoseconds();
            long* tv = stackalloc long[2];
            tv[0] = (long)(ns / 1_000_000_000);
            tv[1] = (long)(ns % 1_000_000_000 / 1000);
            return UserMemory.CopyOut(t->Process, address, (byte*)tv, 16);
        }

        public static long Time(Thread* t, ulong address)
        {
            long seconds = (long)(Clock.RealtimeNanoseconds() / 1_000_000_000);
            if (address != 0 && UserMemory.CopyOut(t->Process, address, (byte*)&seconds, 8) != 0) return -Errno.EFAULT;
            return seconds;
        }

        public static long Nanosleep(Thread* t, ulong request) => Sleep(t, Monotonic, 0, request);

        public static long ClockNanosleep(Thread* t, ulong clock, ulong flags, ulong request) => Sleep(t, clock, flags, request);

        private static long Sleep(Thread* t, ulong clock, ulong flags, ulong request)
        {
            ulong now;
            long r = Now(clock, out now);
            if (r != 0) return r;
            long error;
            long ns = ReadTimespec(t, request, out error);
            if (error != 0) return error;
            if ((flags & TimerAbstime) != 0) ns -= (long)now;
            if (ns <= 0) return 0;
            t->Interruptible = true;
            Blocking.Block(t, ThreadState.Sleeping, null, null, DeadlineForNanoseconds((ulong)ns));
            t->WakeNanoseconds = Clock.MonotonicNanoseconds() + (ulong)ns;
            return 0;
        }
    }
}
