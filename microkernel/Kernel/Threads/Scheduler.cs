// The scheduler: preemptive, priority-based round robin for user threads on one CPU.
//   - Priorities 0 (lowest) to 7; servers and drivers run above applications (DESIGN.md §3).
//   - The highest-priority ready thread runs; threads of equal priority share the CPU in time
//     slices of SliceTicks timer ticks, in FIFO order.
//   - Every kernel entry ends in Resume(), which picks the thread to return to and switches the
//     CPU to it: TSS.RSP0 and the syscall stack (its kernel stack), the x87/SSE area pointer, CR3
//     (its address space), FS base (its TLS). With nothing ready, the idle frame runs `hlt`.
// Invariants: Current is Running and on no queue; every Ready thread is on the queue of its
// priority; the kernel is single-threaded with interrupts off, which guards all of this.
using System.Runtime;
using System.Runtime.CompilerServices;
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Ipc;

namespace Biscuit.Kernel.Threads
{
    public static unsafe class Scheduler
    {
        public const int Priorities = 8;
        public const byte SliceTicks = 10;   // 10 ms
        public const byte ApplicationPriority = 2, ServerPriority = 5, MaxPriority = Priorities - 1;

        private struct Queues { public fixed byte Bytes[Priorities * 16]; }   // ThreadQueue[Priorities]
        private static Queues s_queues;
        private static Thread* s_current;
        private static ulong s_loadedSpace;      // CR3 now loaded
        private static ulong s_switches;         // context switches (statistics)

        public static Thread* Current => s_current;
        public static bool Started;              // set once, when boot hands the CPU to the first thread

        // Boot is over: leave the boot stack for the first thread (or the idle loop). Never returns.
        public static void Start()
        {
            Started = true;
            Cpu.ResumeFirst(Resume());
        }
        public static ulong Switches => s_switches;

        private static ThreadQueue* QueueOf(int priority)
        {
            fixed (byte* b = s_queues.Bytes) return (ThreadQueue*)b + priority;
        }

        // Makes a thread runnable (it joins the tail of its priority's queue).
        public static void MakeReady(Thread* t)
        {
            t->State = ThreadState.Ready;
            QueueOf(t->Priority)->Enqueue(t);
        }

        // Takes a Ready thread off its run queue (it is about to block, die or change priority).
        public static void Unready(Thread* t)
        {
            if (t->State == ThreadState.Ready) QueueOf(t->Priority)->Remove(t);
        }

        // The current thread stops running (it blocked or died); Resume will pick another.
        public static void CurrentStops()
        {
            s_current = null;
        }

        // Gives up the rest of the current thread's slice.
        public static void Yield()
        {
            if (s_current != null) s_current->SliceLeft = 0;
        }

        // Called on every timer tick taken while a user thread runs.
        public static void OnTick()
        {
            if (s_current != null && s_current->SliceLeft > 0) s_current->SliceLeft--;
        }

        // Picks the thread to return to and loads its context; returns the frame to resume.
        public static InterruptFrame* Resume()
        {
            while (true)
            {
                Thread* t = s_current;
                if (t != null)
                {
                    if (t->State != ThreadState.Running) t = null;
                    else if (t->SliceLeft == 0 || HigherThan(t->Priority))
                    {
                        MakeReady(t);
                        t = null;
                    }
                }
                if (t == null)
                {
                    t = TakeHighest();
                    if (t == null)
                    {
                        s_current = null;
                        CpuAccounting.Charge(null);
                        return IdleFrame();
                    }
                    t->State = ThreadState.Running;
                    t->SliceLeft = SliceTicks;
                    if (t != s_current) s_switches++;
                }
                s_current = t;
                // Signals are delivered on the way back to ring 3; a default action may end the
                // whole process (and this thread with it): then choose again.
                if (t->Process->Injections != 0 && !Processes.FaultInjection.BeforeReturnToUser(t)) continue;
                if (t->PendingSignals != 0 && !Linux.Signals.DeliverPending(t)) continue;
                Load(t);
                if (t->PagerMark != 0) Memory.PagerCensus.Runs(t);
                CpuAccounting.Charge(t);
                return t->Frame;
            }
        }

        private static bool HigherThan(int priority)
        {
            for (int p = Priorities - 1; p > priority; p--)
                if (!QueueOf(p)->IsEmpty) return true;
            return false;
        }

        private static Thread* TakeHighest()
        {
            for (int p = Priorities - 1; p >= 0; p--)
            {
                Thread* t = QueueOf(p)->Dequeue();
                if (t != null) return t;
            }
            return null;
        }

        private static void Load(Thread* t)
        {
            Gdt.TaskStateSegment->Rsp0 = t->KernelStackTop;
            CpuState.KernelStackTop = t->KernelStackTop;
            CpuState.FpuArea = (ulong)t->FpuArea;
            ulong root = t->Process->Space.Root;
            if (root != s_loadedSpace)
            {
                Cpu.WriteCr3(root);
                s_loadedSpace = root;
            }
            Cpu.WriteMsr(Cpu.MsrFsBase, t->FsBase);
        }

        // A fresh ring-0 frame at the top of the idle stack that resumes idle_loop with
        // interrupts on. Interrupts taken while idle push their frame at the same place.
        private static InterruptFrame* IdleFrame()
        {
            KernelLayout* layout = KernelImage.Layout;
            InterruptFrame* f = (InterruptFrame*)(layout->BootStackTop - (ulong)sizeof(InterruptFrame));
            *f = default;
            f->Rip = CpuState.IdleLoopAddress;
            f->Cs = Gdt.KernelCode;
            f->Rflags = 0x202;                     // IF set, reserved bit 1
            f->Rsp = layout->BootStackTop;
            f->Ss = Gdt.KernelData;
            return f;
        }

        // An address space is about to be freed: if the CPU is using it, move to the kernel's own
        // (whose upper half is the same), so no freed table is ever walked by the MMU.
        public static void LeaveSpace(ulong root)
        {
            if (s_loadedSpace != root) return;
            Cpu.WriteCr3(Memory.KernelAddressSpace.Root);
            s_loadedSpace = Memory.KernelAddressSpace.Root;
        }
    }
}
