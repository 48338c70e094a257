// The diagnostic printed when the CPU raises an exception in the kernel: vector and its name,
// error code decoded, RIP resolved to a symbol, CR2 for page faults (with a note when it is a
// null pointer or a stack guard page), and the registers. Then the machine stops with
// KernelExitCode.CpuException, never silently resetting.
// Error-code formats: Intel SDM Vol. 3A §7.15 (per-vector) and §5.7 (page-fault error code).
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Boot;

namespace Biscuit.Kernel.Diagnostics
{
    internal static unsafe class FaultReport
    {
        public static string Mnemonic(ulong vector) => vector switch
        {
            0 => "#DE divide error", 1 => "#DB debug", 2 => "NMI", 3 => "#BP breakpoint",
            4 => "#OF overflow", 5 => "#BR bound range", 6 => "#UD invalid opcode",
            7 => "#NM device not available", 8 => "#DF double fault", 10 => "#TS invalid TSS",
            11 => "#NP segment not present", 12 => "#SS stack fault", 13 => "#GP general protection",
            14 => "#PF page fault", 16 => "#MF x87 error", 17 => "#AC alignment check",
            18 => "#MC machine check", 19 => "#XM SIMD exception", 20 => "#VE virtualization",
            21 => "#CP control protection", _ => "reserved vector",
        };

        public static void ReportAndStop(InterruptFrame* frame)
        {
            ulong vector = frame->Vector;
            Console.Write("biscuit: CPU exception ");
            Console.WriteDecimal(vector);
            Console.Write(" (");
            Console.Write(Mnemonic(vector));
            Console.Write(") in ");
            Console.Write(frame->FromUserMode ? "user" : "kernel");
            Console.Write(" mode, error code ");
            Console.WriteHex(frame->ErrorCode);
            if (vector == Idt.PageFaultVector) DescribePageFaultError(frame->ErrorCode);
            Console.NewLine();

            Console.Write("  rip ");
            Console.WriteHex(frame->Rip, 16);
            Console.Write(" in ");
            SymbolTable.WriteLocation(frame->Rip);
            Console.NewLine();

            if (vector == Idt.PageFaultVector)
            {
                ulong cr2 = Cpu.ReadCr2();
                Console.Write("  cr2 ");
                Console.WriteHex(cr2, 16);
                if (cr2 < 4096) Console.Write(" (null pointer dereference: page 0 is never mapped)");
                else if (KernelImage.IsGuardPage(cr2)) Console.Write(" (kernel stack overflow into a guard page)");
                Console.NewLine();
            }
            WriteBacktrace(frame->Rbp);
            WriteRegisters(frame);
            Panic.Stop(KernelExitCode.CpuException);
        }

        // Bit 0 P, 1 W/R, 2 U/S, 3 RSVD, 4 I/D (SDM Vol. 3A §5.7, Figure 5-12).
        private static void DescribePageFaultError(ulong error)
        {
            Console.Write((error & 1) != 0 ? " [protection violation" : " [page not present");
            Console.Write((error & 2) != 0 ? ", write" : ", read");
            if ((error & 16) != 0) Console.Write(", instruction fetch");
            if ((error & 8) != 0) Console.Write(", reserved bit set");
            Console.Write((error & 4) != 0 ? ", user]" : ", supervisor]");
        }

        // Follows the frame-pointer chain (ILC keeps RBP frames: [rbp] = caller's rbp, [rbp+8] =
        // return address), reading only addresses inside the kernel stacks, at most 12 frames.
        private static void WriteBacktrace(ulong rbp)
        {
            for (int depth = 0; depth < 12 && KernelImage.IsOnKernelStack(rbp); depth++)
            {
                ulong returnAddress = ((ulong*)rbp)[1];
                if (returnAddress == 0) break;
                Console.Write("  called from ");
                Console.WriteHex(returnAddress, 16);
                Console.Write(" in ");
                SymbolTable.WriteLocation(returnAddress);
                Console.NewLine();
                ulong next = ((ulong*)rbp)[0];
                if (next <= rbp) break;
                rbp = next;
            }
        }

        private static void WriteRegisters(InterruptFrame* f)
        {
            Register("rax", f->Rax); Register("rbx", f->Rbx); Register("rcx", f->Rcx); Register("rdx", f->Rdx); Console.NewLine();
            Register("rsi", f->Rsi); Register("rdi", f->Rdi); Register("rbp", f->Rbp); Register("rsp", f->Rsp); Console.NewLine();
            Register("r8 ", f->R8); Register("r9 ", f->R9); Register("r10", f->R10); Register("r11", f->R11); Console.NewLine();
            Register("r12", f->R12); Register("r13", f->R13); Register("r14", f->R14); Register("r15", f->R15); Console.NewLine();
            Register("cs ", f->Cs); Register("ss ", f->Ss); Register("rfl", f->Rflags); Register("cr3", Cpu.ReadCr3()); Console.NewLine();
        }

        private static void Register(string name, ulong value)
        {
            Console.Write("  ");
            Console.Write(name);
            Console.Write(" ");
            Console.WriteHexDigits(value, 16);
        }
    }
}
