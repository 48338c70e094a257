// Privileged instructions, imported from cpu.S by symbol name. RuntimeImport makes these direct
// calls (no P/Invoke transition). Each is one instruction or a few; see cpu.S for the contracts.
using System.Runtime;
using System.Runtime.CompilerServices;

namespace Biscuit.Kernel.Arch.X64
{
    internal static unsafe class Cpu
    {
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_outb")] public static extern void OutByte(ushort port, byte value);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_outw")] public static extern void OutWord(ushort port, ushort value);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_outl")] public static extern void OutDword(ushort port, uint value);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_inb")] public static extern byte InByte(ushort port);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_inw")] public static extern ushort InWord(ushort port);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_inl")] public static extern uint InDword(ushort port);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_read_cr2")] public static extern ulong ReadCr2();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_read_cr3")] public static extern ulong ReadCr3();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_write_cr3")] public static extern void WriteCr3(ulong value);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_read_msr")] public static extern ulong ReadMsr(uint msr);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_write_msr")] public static extern void WriteMsr(uint msr, ulong value);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_read_tsc")] public static extern ulong ReadTimestampCounter();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_invlpg")] public static extern void InvalidatePage(ulong virtualAddress);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_load_gdt")] public static extern void LoadGdt(void* pointer, ulong codeSelector, ulong dataSelector);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_load_idt")] public static extern void LoadIdt(void* pointer);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_load_task_register")] public static extern void LoadTaskRegister(ushort selector);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_disable_interrupts")] public static extern void DisableInterrupts();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_wait_for_interrupt")] public static extern void WaitForInterrupt();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_halt_forever")] public static extern void HaltForever();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_execute_ud2")] public static extern void ExecuteUndefinedInstruction();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_load_bad_segment")] public static extern void LoadBadSegment();

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_cpuid_edx")] public static extern ulong CpuidEdx(uint leaf);
        public static ulong FeatureFlagsEdx() => CpuidEdx(1);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_fxsave")] public static extern void SaveFpu(byte* area);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_fninit")] public static extern void InitializeFpu();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "resume_first")] public static extern void ResumeFirst(InterruptFrame* frame);

        // Model-specific registers (SDM Vol. 4): EFER, the SYSCALL MSRs, FS base.
        public const uint MsrEfer = 0xC000_0080, MsrStar = 0xC000_0081, MsrLstar = 0xC000_0082;
        public const uint MsrFmask = 0xC000_0084, MsrFsBase = 0xC000_0100;
    }
}
