// An application's demand-zero fault served by a user-space pager (issue 8 option; DESIGN.md §6;
// Syscalls.md 0x859-0x85A). While a pager is registered (Pager.cs):
//   1. a not-present fault of an application (a process with a personality) on a page the kernel
//      would serve itself — Lazy, and the access its permissions allow — blocks the faulting
//      thread and becomes an IPC call to the pager, as a forwarded Linux call does
//      (Linux/Forwarding.cs): the message (PagerRules) is written straight into the pager's IPC
//      buffer when it is delivered, so the application's own IPC buffer page is never touched;
//   2. the pager answers with memory_page_supply (Supply below) on the thread that received the
//      call: a zeroed frame (taken, charged and mapped by DemandPaging.Serve: the quota and the
//      servers' reserve still apply), SIGKILL for the process, or SIGSEGV for the thread; the
//      thread is then woken (Blocking.Wake -> Complete) and retries the access, or takes its signal;
//   3. anything else ends the wait in Complete: the pager's death, an abandoned call or a timeout
//      (Pager.AnswerBoundMilliseconds) — the kernel serves the fault itself, and for a death or a
//      timeout drops the pager (one console line) —; a plain ipc_reply without a supply is the
//      pager's refusal: SIGSEGV.
// What stays in the kernel, always: copy-on-write faults (CopyOnWrite.cs: a present page, not a
// first touch) and the kernel's own faults on user memory (UserMemory copies for system calls). A
// system call cannot block halfway through a copy in this kernel — each entry runs to completion
// (DESIGN.md §3) — so sending those to a pager would mean restarting the call; they are served
// here, as before, and are counted by the kernel, not by mm.
// Invariants: Thread.PagerFault is true exactly while the thread waits for the pager's answer;
// the pager thread's ReplyTo names it (Endpoint.Call/Receive) until Supply or the end of the wait
// clears it; the kernel checks every supply against that fault (PagerRules.CheckSupply). Nothing
// here allocates.
using Biscuit.Kernel.Ipc;
using Biscuit.Kernel.Linux;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Memory
{
    internal static unsafe class PagerFaults
    {
        // The wake-up result that means "the pager answered through memory_page_supply": the
        // thread is ready and nothing is written into its registers.
        public const long Supplied = long.MinValue + 1;

        public static ulong Forwarded, SuppliedZero, Signalled, ServedByKernel;   // statistics (PagerCensus)

        // PageFaults.Handle, for a not-present fault in ring 3: true if the fault went to the pager
        // (the thread is blocked until it answers); false if the kernel must serve it as usual.
        public static bool TryForward(Thread* t, ulong address, bool write, bool execute, ulong enteredTsc)
        {
            Process* p = t->Process;
            if (p->Personality == null) return false;    // servers, and mm itself, are paged by the kernel
            Endpoint* pager = Pager.Endpoint(out ulong badge);
            if (pager == null) return false;
            ulong frame;
            PageFlags flags;
            if (p->Space.StateOf(address & ~0xFFFUL, out frame, out flags) != PageState.Lazy) return false;
            if (write && (flags & PageFlags.Writable) == 0) return false;
            if (execute && (flags & PageFlags.NoExecute) != 0) return false;
            for (int i = 0; i < PagerCensus.Marks; i++) t->PagerTimes[i] = 0;
            t->PagerFault = true;
            t->PagerAddress = address;
            t->PagerAccess = PagerRules.Access(write, execute);
            t->PagerTimes[PagerCensus.Entered] = enteredTsc;
            long error = Endpoint.Call(t, pager, badge, Timeouts.DeadlineFor(Pager.AnswerBoundMilliseconds));
            if (error != 0)
            {
                t->PagerFault = false;
                Pager.Drop("a call to it failed");
                return false;
            }
            t->PagerTimes[PagerCensus.Sent] = Arch.X64.Cpu.ReadTimestampCounter();
            Forwarded++;
            return true;
        }

        // MessageTransfer.Copy, when the sender is a thread waiting for the pager: the fault's
        // message, from the kernel's own record of it.
        public static void WriteMessage(Thread* t, MessageHeader* into)
        {
            Process* p = t->Process;
            PagerRules.WriteMessage(into, p->Id, t->Id, t->PagerAddress, t->PagerAccess, t->Frame->Rip, p->OwnedFrames,
                p->MemoryBudget / 4096, Boot.BootMemory.Frames->FreeFrames, UserFrames.ServerReserveFrames);
        }

        // memory_page_supply(process_id, address, action) (0x85A), by the pager thread that received
        // the fault: 0 once the thread is resumed (or its process killed); ESRCH if this thread owes
        // no fault answer; EINVAL for an unknown action, another process or another page (nothing
        // changes), or a page that is no longer a first touch and not present (it was unmapped
        // meanwhile: the thread retries and takes the signal that deserves); ENOMEM if the kernel
        // refused the frame (quota: the process is killed; no free frame: SIGSEGV).
        public static long Supply(Thread* pager, ulong processId, ulong address, ulong actionValue)
        {
            ulong supplyAt = Arch.X64.Cpu.ReadTimestampCounter();
            Thread* t = pager->ReplyTo;
            if (t == null || !t->PagerFault) return -Errno.ESRCH;
            SupplyAction action = PagerRules.ActionOf(actionValue);
            if (action == SupplyAction.Invalid) return -Errno.EINVAL;
            long error = PagerRules.CheckSupply(t->Process->Id, t->PagerAddress, processId, address);
            if (error != 0) return error;
            pager->ReplyTo = null;
            t->ServedBy = null;
            Process* p = t->Process;
            if (action == SupplyAction.Kill)
            {
                Signalled++;
                PageFaults.Report(p, t->PagerAddress, "killed (SIGKILL) by its pager");
                ProcessControl.Exit(p, PageFaults.SIGKILL);
                return 0;
            }
            if (action == SupplyAction.Segv)
            {
                Signalled++;
                Segv(t, waiting: true);
                return 0;
            }
            FaultInResult r = DemandPaging.Serve(p, t->PagerAddress, (t->PagerAccess & PagerRules.AccessWrite) != 0,
                                                 (t->PagerAccess & PagerRules.AccessExecute) != 0);
            if (r == FaultInResult.Mapped)
            {
                SuppliedZero++;
                PagerCensus.Supplied(t, supplyAt);
                Blocking.Wake(t, Supplied);
                return 0;
            }
            return Refused(t, r, waiting: true);
        }

        // The kernel would not map the page: say why, as its own path would. `waiting`: the thread
        // still waits for the pager (Supply); otherwise the wait already ended (Complete).
        private static long Refused(Thread* t, FaultInResult r, bool waiting)
        {
            Process* p = t->Process;
            if (r == FaultInResult.OverQuota)
            {
                PageFaults.KillOverQuota(p, t->PagerAddress);
                return -Errno.ENOMEM;
            }
            if (r == FaultInResult.OutOfFrames)
            {
                PageFaults.ReportOutOfFrames(p, t->PagerAddress);
                Segv(t, waiting);
                return -Errno.ENOMEM;
            }
            ulong frame;
            PageFlags flags;
            bool present = p->Space.StateOf(t->PagerAddress & ~0xFFFUL, out frame, out flags) == PageState.Present;
            Ready(t, waiting);      // NotLazy / NotPermitted: the retry finds what is there now
            return present ? 0 : -Errno.EINVAL;
        }

        // Blocking.Wake for a thread waiting for the pager: `result` is Supplied (ready it) or why
        // the wait ended without a supply.
        public static void Complete(Thread* t, long result)
        {
            t->PagerFault = false;
            if (result == Supplied)
            {
                Scheduler.MakeReady(t);
                return;
            }
            t->PagerMark = 0;
            if (result == 0)
            {
                // A plain ipc_reply: the pager refused the page. The fault is the program's error.
                Signalled++;
                Segv(t, waiting: false);
                return;
            }
            if (result == -Errno.ETIMEDOUT) Pager.Drop("it did not answer a page fault within 1000 ms");
            else if (result != -Errno.ECANCELED) Pager.Drop("its server died");
            ServedByKernel++;
            FaultInResult r = DemandPaging.Serve(t->Process, t->PagerAddress, (t->PagerAccess & PagerRules.AccessWrite) != 0,
                                                 (t->PagerAccess & PagerRules.AccessExecute) != 0);
            if (r == FaultInResult.Mapped || r == FaultInResult.NotLazy || r == FaultInResult.NotPermitted)
                Scheduler.MakeReady(t);    // retry the access: a page now there runs, anything else faults again
            else Refused(t, r, waiting: false);
        }

        // The fault becomes the thread's SIGSEGV (its handler, or the process's end), as in ring 3.
        private static void Segv(Thread* t, bool waiting)
        {
            Process* p = t->Process;
            Signals.HardwareFault(t, t->Frame, t->PagerAddress);
            if (p->State == ProcessState.Alive) Ready(t, waiting);   // else the thread died with its process
        }

        // Lets the thread run again: through Blocking.Wake (which comes back to Complete) while it
        // still waits for the pager, or straight onto the run queue once the wait has ended.
        private static void Ready(Thread* t, bool waiting)
        {
            if (waiting) Blocking.Wake(t, Supplied);
            else Scheduler.MakeReady(t);
        }
    }
}
