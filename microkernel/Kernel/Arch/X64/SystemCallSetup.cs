// Enables SYSCALL/SYSRET and points it at entry.S (Intel SDM Vol. 3A §5.8.8 "Fast System Calls in
// 64-Bit Mode"; Vol. 2B SYSCALL): IA32_EFER.SCE, IA32_STAR (kernel CS at bits 32-47; bits 48-63 the
// base from which SYSRET derives user CS/SS, matching Gdt's order), IA32_LSTAR (the entry point) and
// IA32_FMASK (RFLAGS bits cleared on entry: IF so the kernel runs with interrupts off, TF, DF, AC).
using System.Runtime;
using System.Runtime.CompilerServices;

namespace Biscuit.Kernel.Arch.X64
{
    internal static class SystemCallSetup
    {
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_syscall_entry_address")]
        private static extern ulong EntryAddress();

        public static void Enable()
        {
            Cpu.WriteMsr(Cpu.MsrEfer, Cpu.ReadMsr(Cpu.MsrEfer) | 1);
            Cpu.WriteMsr(Cpu.MsrStar, ((ulong)(Gdt.UserCode32 & ~3) << 48) | ((ulong)Gdt.KernelCode << 32));
            Cpu.WriteMsr(Cpu.MsrLstar, EntryAddress());
            Cpu.WriteMsr(Cpu.MsrFmask, 0x200 | 0x100 | 0x400 | 0x4_0000);
        }
    }
}
