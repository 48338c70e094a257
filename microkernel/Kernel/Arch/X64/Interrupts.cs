// Where every interrupt and CPU exception lands after interrupts.S has saved the registers.
//   - An exception in ring 3: a page fault on committed memory gets its frame (demand paging), a
//     write to a copy-on-write page its own copy;
//     anything else becomes the signal Linux would send (SIGSEGV, SIGFPE, ...), delivered to the
//     process's handler, or — without one — it kills only that process with one console line.
//   - An exception in ring 0 is a kernel bug or a deliberate test fault: reported, machine stopped.
//   - IRQ 0 is the timer: ticks, time slices, timeouts. Other lines go to the notification a
//     driver bound them to (Devices/IrqLines.cs), masked until the driver acknowledges.
// Returns the frame to resume: once the scheduler runs, the thread it picks (entering from ring 3
// or from the idle loop); during boot, the interrupted code itself.
// Invariant: runs with interrupts off (interrupt gates), to completion.
using System.Runtime.InteropServices;
using Biscuit.Kernel.Devices;
using Biscuit.Kernel.Diagnostics;
using Biscuit.Kernel.Linux;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Threads;
using Biscuit.Kernel.Time;

namespace Biscuit.Kernel.Arch.X64
{
    internal static unsafe class Interrupts
    {
        public const int FirstIrqVector = 32;

        [UnmanagedCallersOnly(EntryPoint = "InterruptDispatch")]
        private static InterruptFrame* Dispatch(InterruptFrame* frame)
        {
            ulong entered = Cpu.ReadTimestampCounter();   // FaultCensus's "entry" starts here
            ThreadControl.ReleaseDeferred();
            // A page fault (IST2) arrives on the interrupt stack, not the thread's kernel stack:
            // move a user frame to where the thread's saved context always lives.
            Thread* current = Scheduler.Current;
            if (frame->FromUserMode && current != null && frame != current->Frame)
            {
                *current->Frame = *frame;
                frame = current->Frame;
            }
            ulong vector = frame->Vector;
            if (vector < FirstIrqVector)
            {
                if (!frame->FromUserMode || Scheduler.Current == null)
                    FaultReport.ReportAndStop(frame);
                Thread* t = Scheduler.Current;
                ulong cr2 = vector == Idt.PageFaultVector ? Cpu.ReadCr2() : 0;
                // A first touch of committed memory, or a write to a copy-on-write page, is not an
                // error: the kernel's paging mechanism serves it (Memory/PageFaults.cs).
                if (vector == Idt.PageFaultVector)
                {
                    FaultCensus.BeginUserFault();
                    if (PageFaults.Handle(t, cr2, frame->ErrorCode, entered))
                    {
                        InterruptFrame* resume = Scheduler.Resume();
                        FaultCensus.EndUserFault(entered, Cpu.ReadTimestampCounter());
                        return resume;
                    }
                }
                Signals.HardwareFault(t, frame, cr2);
                return Scheduler.Resume();
            }

            int irq = (int)(vector - FirstIrqVector);
            if (irq == Pic.SpuriousMasterIrq && !Pic.IsInService(irq))
                return Continue(frame);                  // spurious: no EOI (8259A datasheet)
            if (irq == Pit.Irq)
            {
                Ticks.OnTimerInterrupt();
                Scheduler.OnTick();
                Timeouts.Expire(Ticks.Count);
            }
            else IrqLines.Deliver(irq);
            Pic.EndOfInterrupt(irq);
            return Continue(frame);
        }

        private static InterruptFrame* Continue(InterruptFrame* frame) =>
            Scheduler.Started ? Scheduler.Resume() : frame;

        // The signal Linux would send for each exception (arch/x86/kernel/traps.c).
        public static int SignalFor(ulong vector) => vector switch
        {
            0 or 16 or 19 => 8,    // SIGFPE
            6 => 4,                // SIGILL
            17 => 7,               // SIGBUS
            1 or 3 => 5,           // SIGTRAP
            _ => 11,               // SIGSEGV
        };
    }
}
