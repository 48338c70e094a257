// Signal delivery, Linux x86-64 style (arch/x86/kernel/signal.c, uapi/asm/sigcontext.h):
//   - a signal is made pending on a thread (tgkill, kill, a hardware fault); a thread blocked in
//     an interruptible wait (futex, sleep, pipe) is woken with EINTR (or restarted: SA_RESTART);
//   - just before the kernel returns to a thread in ring 3, one deliverable signal is taken:
//     ignored, its default action (terminate the process, or ignore), or a handler — for which an
//     rt_sigframe is pushed on the thread's own stack below the 128-byte red zone: the return
//     address (sa_restorer), a ucontext (flags, link, stack, sigcontext with every register, the
//     trap number, error code and CR2, the pointer to the x87/SSE state, the old mask) and a
//     siginfo; then the x87/SSE state (fxsave format) 64-byte aligned. The handler runs with
//     RDI = signal, RSI = &siginfo, RDX = &ucontext, RSP 8 modulo 16 as after a call;
//   - rt_sigreturn restores the context from that ucontext, refusing anything a user could use
//     to escape ring 3 (selectors are forced, flags filtered, RIP and RSP must be user addresses,
//     MXCSR's reserved bits cleared so the FXRSTOR cannot fault in the kernel).
// A hardware fault whose signal is blocked, ignored or unhandled kills the process (as Linux forces).
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Diagnostics;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Linux
{
    internal static unsafe class Signals
    {
        public const int SIGILL = 4, SIGTRAP = 5, SIGBUS = 7, SIGFPE = 8, SIGKILL = 9, SIGSEGV = 11, SIGPIPE = 13,
            SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23, SIGWINCH = 28;
        public const ulong SA_SIGINFO = 4, SA_ONSTACK = 0x0800_0000, SA_RESTORER = 0x0400_0000, SA_RESTART = 0x1000_0000,
            SA_NODEFER = 0x4000_0000, SA_RESETHAND = 0x8000_0000;
        public const int SI_USER = 0, SI_KERNEL = 0x80, SI_TKILL = -6;
        public const int InfoSlots = 32;          // the standard signals 1..31 keep who sent them (siginfo)
        public const ulong Unblockable = (1UL << (SIGKILL - 1)) | (1UL << (SIGSTOP - 1));
        private const ulong Ignore = 1, Default = 0;
        private const int UcontextBytes = 304, SiginfoBytes = 128, FpuBytes = 512;

        public static ulong Bit(int signal) => 1UL << (signal - 1);

        // The pid a Linux program sees for `p`: the one its personality gave it, else the kernel id.
        public static ulong VisiblePid(Process* p) => p->LinuxPid != 0 ? p->LinuxPid : p->Id;

        private static bool IgnoredByDefault(int s) =>
            s == SIGCHLD || s == SIGURG || s == SIGWINCH || s == SIGCONT || s == SIGSTOP || s == SIGTSTP || s == SIGTTIN || s == SIGTTOU;

        // Makes `signal` pending on `t`; an interruptible wait ends with EINTR (or a restart).
        // A standard signal already pending is not queued twice (Linux: one siginfo per standard
        // signal); its sender is the first one's. `interrupt` false leaves a wait alone (the signal is
        // delivered when the thread next returns to ring 3).
        public static void Post(Thread* t, int signal, int code, ulong senderPid, int status = 0, bool interrupt = true)
        {
            SignalAction* a = t->Process->Linux->Action(signal);
            if (a->Handler == Ignore || (a->Handler == Default && IgnoredByDefault(signal))) return;
            if (signal < InfoSlots && (t->PendingSignals & Bit(signal)) == 0)
            {
                t->SignalCode[signal] = (short)code;
                t->SignalSender[signal] = (int)senderPid;
                if (signal == SIGCHLD) t->ChildStatus = status;
            }
            t->PendingSignals |= Bit(signal);
            if ((t->SignalMask & Bit(signal)) != 0 && (Bit(signal) & Unblockable) == 0) return;
            if (!interrupt) return;
            if (Forwarding.IsWaiting(t)) { Forwarding.Interrupt(t); return; }
            if (t->Interruptible && t->State != ThreadState.Ready && t->State != ThreadState.Running)
                Blocking.Wake(t, t->State == ThreadState.BlockedPipe && (a->Flags & SA_RESTART) != 0 ? Blocking.Restart : -Errno.EINTR);
        }

        // A CPU exception in ring 3: the signal, si_code and address Linux would give.
        public static void HardwareFault(Thread* t, InterruptFrame* f, ulong cr2)
        {
            int signal = Interrupts.SignalFor(f->Vector), code;
            ulong address;
            switch (f->Vector)
            {
                case 14: address = cr2; code = (f->ErrorCode & 1) != 0 ? 2 : 1; break;   // SEGV_ACCERR : SEGV_MAPERR
                case 0: address = f->Rip; code = 1; break;                                // FPE_INTDIV
                case 16: case 19: address = f->Rip; code = 0; break;
                case 6: address = f->Rip; code = 2; break;                                // ILL_ILLOPN
                case 17: address = f->Rip; code = 1; break;                               // BUS_ADRALN
                case 3: case 1: address = f->Rip; code = 1; break;                        // TRAP_BRKPT
                default: address = 0; code = SI_KERNEL; break;                            // #GP and others
            }
            SignalAction* a = t->Process->Linux->Action(signal);
            bool handled = a->Handler != Default && a->Handler != Ignore && (t->SignalMask & Bit(signal)) == 0;
            if (!handled)
            {
                Report(t->Process, f, cr2);
                ProcessControl.Exit(t->Process, signal);
                return;
            }
            t->PendingSignals |= Bit(signal);
            t->FaultAddress = address;
            t->FaultCode = code;
            t->FaultVector = (int)f->Vector;
            t->FaultError = f->ErrorCode;
        }

        private static void Report(Process* p, InterruptFrame* f, ulong cr2)
        {
            Console.Write("biscuit: process ");
            Console.WriteDecimal(p->Id);
            Console.Write(" (");
            ProcessControl.WriteName(p);
            Console.Write(") killed: ");
            Console.Write(FaultReport.Mnemonic(f->Vector));
            if (f->Vector == Idt.PageFaultVector) { Console.Write(" at "); Console.WriteHex(cr2); }
            Console.Write(", rip ");
            Console.WriteHex(f->Rip);
            Console.Write(", error code ");
            Console.WriteHex(f->ErrorCode);
            Console.NewLine();
        }

        // Called just before returning to `t` in ring 3. Returns false if the thread is gone (its
        // process was terminated by a signal's default action).
        public static bool DeliverPending(Thread* t)
        {
            while (true)
            {
                ulong deliverable = t->PendingSignals & (~t->SignalMask | Unblockable);
                if (deliverable == 0)
                {
                    // rt_sigsuspend ended without a handler to run: its mask ends here.
                    if (t->HasSavedMask) { t->SignalMask = t->SavedMask; t->HasSavedMask = false; }
                    return true;
                }
                int signal = LowestBit(deliverable) + 1;
                t->PendingSignals &= ~Bit(signal);
                SignalAction* a = t->Process->Linux->Action(signal);
                if (signal == SIGKILL || (a->Handler == Default && !IgnoredByDefault(signal)))
                {
                    ProcessControl.Exit(t->Process, signal);
                    return false;
                }
                if (a->Handler == Ignore || a->Handler == Default) continue;
                if (!PushFrame(t, signal, a))
                {
                    Console.Write("biscuit: cannot deliver signal ");
                    Console.WriteDecimal((ulong)signal);
                    Console.WriteLine(": bad user stack or no SA_RESTORER");
                    ProcessControl.Exit(t->Process, SIGSEGV);
                    return false;
                }
                return true;
            }
        }

        private static int LowestBit(ulong v)
        {
            int n = 0;
            while ((v & 1) == 0) { v >>= 1; n++; }
            return n;
        }

        private static bool PushFrame(Thread* t, int signal, SignalAction* a)
        {
            if ((a->Flags & SA_RESTORER) == 0 || a->Restorer == 0) return false;
            InterruptFrame* f = t->Frame;
            ulong sp = f->Rsp - 128;                       // skip the red zone
            sp = (sp - FpuBytes) & ~63UL;
            ulong fpstate = sp;
            sp -= 8 + UcontextBytes + SiginfoBytes;
            sp = (sp & ~15UL) - 8;                         // the handler sees RSP = 8 (mod 16)
            ulong uc = sp + 8, info = uc + UcontextBytes;

            byte* frame = stackalloc byte[8 + UcontextBytes + SiginfoBytes];
            Internal.Runtime.Memory.Zero(frame, 8 + UcontextBytes + SiginfoBytes);
            *(ulong*)frame = a->Restorer;
            byte* u = frame + 8;
            *(ulong*)(u + 0) = 0x6;                        // UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS
            *(int*)(u + 24) = 2;                           // uc_stack.ss_flags = SS_DISABLE
            ulong* g = (ulong*)(u + 40);                   // sigcontext: r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags
            g[0] = f->R8; g[1] = f->R9; g[2] = f->R10; g[3] = f->R11; g[4] = f->R12; g[5] = f->R13; g[6] = f->R14; g[7] = f->R15;
            g[8] = f->Rdi; g[9] = f->Rsi; g[10] = f->Rbp; g[11] = f->Rbx; g[12] = f->Rdx; g[13] = f->Rax; g[14] = f->Rcx;
            g[15] = f->Rsp; g[16] = f->Rip; g[17] = f->Rflags;
            *(ushort*)(u + 40 + 144) = (ushort)f->Cs;
            *(ushort*)(u + 40 + 150) = (ushort)f->Ss;
            bool fault = t->FaultVector >= 0 && signal == t->FaultSignal();
            g[19] = fault ? t->FaultError : 0;             // err
            g[20] = fault ? (ulong)t->FaultVector : 0;     // trapno
            // The mask sigreturn restores: rt_sigsuspend's saved one if the handler interrupts it.
            ulong restoredMask = t->HasSavedMask ? t->SavedMask : t->SignalMask;
            g[21] = restoredMask;                          // oldmask
            g[22] = fault && t->FaultVector == 14 ? t->FaultAddress : 0;   // cr2
            g[23] = fpstate;
            *(ulong*)(u + 296) = restoredMask;             // uc_sigmask
            byte* si = frame + 8 + UcontextBytes;
            *(int*)(si + 0) = signal;
            if (fault)
            {
                *(int*)(si + 8) = t->FaultCode;
                *(ulong*)(si + 16) = t->FaultAddress;
            }
            else if (signal < InfoSlots)
            {
                *(int*)(si + 8) = t->SignalCode[signal];   // si_code: SI_USER, SI_TKILL, CLD_EXITED...
                *(int*)(si + 16) = t->SignalSender[signal];   // si_pid; si_uid is left 0
                if (signal == SIGCHLD) *(int*)(si + 24) = t->ChildStatus;   // si_status
            }
            else
            {
                *(int*)(si + 8) = SI_TKILL;
                *(int*)(si + 16) = (int)VisiblePid(t->Process);
            }
            if (UserMemory.CopyOut(t->Process, sp, frame, 8 + UcontextBytes + SiginfoBytes) != 0) return false;
            if (UserMemory.CopyOut(t->Process, fpstate, t->FpuArea, FpuBytes) != 0) return false;
            if (fault) t->FaultVector = -1;
            t->Process->SignalsHandled++;
            t->HasSavedMask = false;                       // the frame carries it now

            t->SignalMask |= a->Mask | ((a->Flags & SA_NODEFER) != 0 ? 0 : Bit(signal));
            t->SignalMask &= ~Unblockable;
            if ((a->Flags & SA_RESETHAND) != 0) { a->Handler = Default; a->Flags = 0; }
            f->Rip = a->Handler;
            f->Rsp = sp;
            f->Rdi = (ulong)signal;
            f->Rsi = info;
            f->Rdx = uc;
            f->Rax = 0;
            f->Rflags &= ~(0x400UL | 0x100UL);             // DF and TF clear in the handler
            return true;
        }

        // rt_sigreturn: the ucontext is at the user RSP (the handler's `ret` popped the restorer).
        public static long Return(Thread* t)
        {
            InterruptFrame* f = t->Frame;
            byte* u = stackalloc byte[UcontextBytes];
            if (UserMemory.CopyIn(t->Process, u, f->Rsp, UcontextBytes) != 0) return ForceSegv(t);
            ulong* g = (ulong*)(u + 40);
            ulong rip = g[16], rsp = g[15];
            if (rip >= UserMemory.UserTop || rsp >= UserMemory.UserTop) return ForceSegv(t);
            ulong fpstate = g[23];
            if (fpstate != 0)
            {
                byte* fpu = stackalloc byte[FpuBytes];
                if (UserMemory.CopyIn(t->Process, fpu, fpstate, FpuBytes) != 0) return ForceSegv(t);
                *(uint*)(fpu + 24) &= 0xFFFF;              // MXCSR reserved bits must be zero
                Internal.Runtime.Memory.Move(t->FpuArea, fpu, FpuBytes);
            }
            f->R8 = g[0]; f->R9 = g[1]; f->R10 = g[2]; f->R11 = g[3]; f->R12 = g[4]; f->R13 = g[5]; f->R14 = g[6]; f->R15 = g[7];
            f->Rdi = g[8]; f->Rsi = g[9]; f->Rbp = g[10]; f->Rbx = g[11]; f->Rdx = g[12]; f->Rcx = g[14];
            f->Rsp = rsp;
            f->Rip = rip;
            // Arithmetic flags, DF and AC come back; IF is forced on, IOPL and the rest stay 0.
            f->Rflags = (g[17] & 0x40CD5UL) | 0x202UL;
            f->Cs = Gdt.UserCode;
            f->Ss = Gdt.UserData;
            t->SignalMask = *(ulong*)(u + 296) & ~Unblockable;
            return (long)g[13];                            // RAX as it was
        }

        private static long ForceSegv(Thread* t)
        {
            ProcessControl.Exit(t->Process, SIGSEGV);
            return 0;
        }
    }
}
