// The kernel's clock: a count of timer interrupts since the timer started, at Hz per second.
// Invariant: only the timer interrupt handler increments Count (interrupts are off in the kernel,
// so readers see a consistent value).
using Biscuit.Kernel.Arch.X64;

namespace Biscuit.Kernel.Time
{
    internal static class Ticks
    {
        public const uint Hz = 1000;
        private static ulong s_count;   // written by OnTimerInterrupt only

        public static ulong Count => s_count;

        public static void Start()
        {
            Pit.Start(Hz);
            Pic.Unmask(Pit.Irq);
        }

        public static void OnTimerInterrupt() => s_count++;
    }
}
