// Where every interrupt and CPU exception lands after interrupts.S has saved the registers.
//   - An exception in ring 3 kills only the faulting process: one console line (process, vector,
//     address, RIP) and its death watchers are told (issue 4 turns these into signals).
//   - An exception in ring 0 is a kernel bug or a deliberate test fault: reported, machine stopped.
//   - IRQ 0 is the timer: ticks, time slices, timeouts. Other lines go to the notification a
//     driver bound them to (Devices/IrqLines.cs), masked until the driver acknowledges.
// Returns the frame to resume: once the scheduler runs, the thread it picks (entering from ring 3
// or from the idle loop); during boot, the interrupted code itself.
// Invariant: runs with interrupts off (interrupt gates), to completion.
using System.Runtime.InteropServices;
using Biscuit.Kernel.Devices;
using Biscuit.Kernel.Diagnostics;
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
            ThreadControl.ReleaseDeferred();
            ulong vector = frame->Vector;
            if (vector < FirstIrqVector)
            {
                if (!frame->FromUserMode || Scheduler.Current == null)
                    FaultReport.ReportAndStop(frame);
                KillFaultingProcess(frame);
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

        private static void KillFaultingProcess(InterruptFrame* frame)
        {
            Process* p = Scheduler.Current->Process;
            Console.Write("biscuit: process ");
            Console.WriteDecimal(p->Id);
            Console.Write(" (");
            ProcessControl.WriteName(p);
            Console.Write(") killed: ");
            Console.Write(FaultReport.Mnemonic(frame->Vector));
            if (frame->Vector == Idt.PageFaultVector)
            {
                Console.Write(" at ");
                Console.WriteHex(Cpu.ReadCr2());
            }
            Console.Write(", rip ");
            Console.WriteHex(frame->Rip);
            Console.Write(", error code ");
            Console.WriteHex(frame->ErrorCode);
            Console.NewLine();
            ProcessControl.Exit(p, SignalFor(frame->Vector));
        }

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
