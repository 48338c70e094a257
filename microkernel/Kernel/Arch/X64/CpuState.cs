// The per-CPU variables entry.S reads on every entry from ring 3 (one CPU for now): the kernel
// stack to switch to on SYSCALL and where to save the x87/SSE state. Written only by the
// scheduler (Threads/Scheduler.cs) when it resumes a user thread.
using System.Runtime;
using System.Runtime.CompilerServices;

namespace Biscuit.Kernel.Arch.X64
{
    internal static unsafe class CpuState
    {
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_state_address")]
        private static extern ulong* StateAddress();

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_idle_loop_address")]
        private static extern ulong IdleLoop();

        public static ulong KernelStackTop { set => StateAddress()[0] = value; }
        public static ulong FpuArea { set => StateAddress()[1] = value; }
        public static ulong IdleLoopAddress => IdleLoop();
    }
}
