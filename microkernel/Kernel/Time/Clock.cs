// Wall-clock and monotonic time for clock_gettime and friends. The time-stamp counter is read for
// resolution; its rate is measured once at boot against the PIT (Calibrate), and the wall-clock
// time at boot is read from the CMOS real-time clock (MC146818: registers 0-9 and 0x32 century,
// status B for BCD/binary and 12/24-hour; wait while status A's update-in-progress bit is set).
// Invariants: Monotonic never goes backwards — the TSC is monotonic on one CPU (SDM Vol. 3B §18.17),
// but under emulation a host may move the virtual CPU between host cores whose counters differ, so
// the last value handed out is kept and a smaller reading is answered with it; Realtime = boot
// wall-clock + Monotonic (no adjustment: nothing sets the clock).
using Biscuit.Kernel.Arch.X64;

namespace Biscuit.Kernel.Time
{
    public static unsafe class Clock
    {
        // Written once at boot.
        private static ulong s_tscAtBoot;
        private static ulong s_tscPerSecond = 1_000_000_000;
        private static ulong s_epochSecondsAtBoot;
        private static ulong s_lastMonotonic;   // the largest value MonotonicNanoseconds has answered

        public static ulong TscPerSecond => s_tscPerSecond;
        public static ulong EpochSecondsAtBoot => s_epochSecondsAtBoot;

        // Called with the timer running: counts TSC cycles over `ticks` timer ticks.
        public static void Calibrate(ulong ticks)
        {
            ulong start = Ticks.Count;
            while (Ticks.Count == start) Cpu.WaitForInterrupt();
            ulong t0 = Cpu.ReadTimestampCounter(), first = Ticks.Count;
            while (Ticks.Count < first + ticks) Cpu.WaitForInterrupt();
            ulong t1 = Cpu.ReadTimestampCounter();
            s_tscPerSecond = (t1 - t0) * Ticks.Hz / ticks;
            if (s_tscPerSecond == 0) s_tscPerSecond = 1_000_000_000;
            s_tscAtBoot = t0 - (first * s_tscPerSecond / Ticks.Hz);
            s_epochSecondsAtBoot = ReadRealTimeClock();
            s_lastMonotonic = 0;    // anything answered before calibration used the placeholder rate
        }

        public static ulong MonotonicNanoseconds()
        {
            ulong tsc = Cpu.ReadTimestampCounter();
            ulong cycles = tsc > s_tscAtBoot ? tsc - s_tscAtBoot : 0;   // never a wrapped difference
            ulong seconds = cycles / s_tscPerSecond, rest = cycles % s_tscPerSecond;
            ulong ns = seconds * 1_000_000_000 + rest * 1_000_000_000 / s_tscPerSecond;
            if (ns < s_lastMonotonic) return s_lastMonotonic;
            s_lastMonotonic = ns;
            return ns;
        }

        public static ulong RealtimeNanoseconds() => s_epochSecondsAtBoot * 1_000_000_000 + MonotonicNanoseconds();

        private static byte Cmos(byte register)
        {
            Cpu.OutByte(0x70, register);
            return Cpu.InByte(0x71);
        }

        private static ulong ReadRealTimeClock()
        {
            for (int spins = 0; spins < 100000 && (Cmos(0x0A) & 0x80) != 0; spins++) { }
            byte statusB = Cmos(0x0B);
            bool binary = (statusB & 0x04) != 0, hours24 = (statusB & 0x02) != 0;
            ulong second = Decode(Cmos(0x00), binary), minute = Decode(Cmos(0x02), binary);
            byte rawHour = Cmos(0x04);
            ulong hour = Decode((byte)(rawHour & 0x7F), binary);
            if (!hours24 && (rawHour & 0x80) != 0) hour = (hour % 12) + 12;
            ulong day = Decode(Cmos(0x07), binary), month = Decode(Cmos(0x08), binary), year = Decode(Cmos(0x09), binary);
            ulong century = Decode(Cmos(0x32), binary);
            year += century >= 19 && century <= 30 ? century * 100 : 2000;
            return DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
        }

        private static ulong Decode(byte value, bool binary) => binary ? value : (ulong)((value >> 4) * 10 + (value & 0xF));

        // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
        public static ulong DaysFromCivil(ulong y, ulong m, ulong d)
        {
            long year = (long)y - (m <= 2 ? 1 : 0);
            long era = (year >= 0 ? year : year - 399) / 400;
            long yoe = year - era * 400;
            long doy = (153 * ((long)m + (m > 2 ? -3 : 9)) + 2) / 5 + (long)d - 1;
            long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
            return (ulong)(era * 146097 + doe - 719468);
        }
    }
}
