// Where every interrupt and CPU exception lands after interrupts.S has saved the registers.
// Exceptions (vectors 0-31) taken in ring 0 are kernel bugs or deliberate test faults: they are
// reported (Diagnostics/FaultReport.cs) and the machine stops. Vectors 32-47 are the legacy PIC's
// IRQs: the timer is handled here; other IRQ lines are masked until a driver asks for them.
// Invariant: runs with interrupts off (interrupt gates), to completion.
using System.Runtime.InteropServices;
using Biscuit.Kernel.Diagnostics;
using Biscuit.Kernel.Time;

namespace Biscuit.Kernel.Arch.X64
{
    internal static unsafe class Interrupts
    {
        public const int FirstIrqVector = 32;

        [UnmanagedCallersOnly(EntryPoint = "InterruptDispatch")]
        private static void Dispatch(InterruptFrame* frame)
        {
            ulong vector = frame->Vector;
            if (vector < FirstIrqVector)
            {
                FaultReport.ReportAndStop(frame);
                return;
            }

            int irq = (int)(vector - FirstIrqVector);
            if (irq == Pic.SpuriousMasterIrq && !Pic.IsInService(irq))
                return;                                  // spurious: no EOI (8259A datasheet)
            if (irq == Pit.Irq)
                Ticks.OnTimerInterrupt();
            Pic.EndOfInterrupt(irq);
        }
    }
}
