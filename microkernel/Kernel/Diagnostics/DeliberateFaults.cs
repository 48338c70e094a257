// Faults raised on purpose (kernel option fault=KIND) so the tests can check that every CPU
// exception in the kernel produces a correct diagnostic and a clean stop. Each fault lives in its
// own non-inlined method, whose name the diagnostic must show.
using System.Runtime.CompilerServices;
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Boot;

namespace Biscuit.Kernel.Diagnostics
{
    internal static unsafe class DeliberateFaults
    {
        // Read by the stack-overflow test's recursion so that it cannot be turned into a loop.
        private static ulong s_depth;
        private static int s_zero;

        public static void Raise(DeliberateFault fault)
        {
            Console.Write("biscuit: raising a deliberate fault: ");
            Console.WriteLine(Name(fault));
            switch (fault)
            {
                case DeliberateFault.NullDereference: NullDereference(); break;
                case DeliberateFault.GeneralProtection: GeneralProtection(); break;
                case DeliberateFault.InvalidOpcode: InvalidOpcode(); break;
                case DeliberateFault.DivideError: DivideError(); break;
                case DeliberateFault.StackOverflow: StackOverflow(1); break;
            }
            Panic.Halt("a deliberate fault did not fault");
        }

        public static string Name(DeliberateFault fault) => fault switch
        {
            DeliberateFault.NullDereference => "null pointer dereference",
            DeliberateFault.GeneralProtection => "general protection (bad segment selector)",
            DeliberateFault.InvalidOpcode => "invalid opcode (ud2)",
            DeliberateFault.DivideError => "integer division by zero",
            DeliberateFault.StackOverflow => "kernel stack overflow",
            _ => "none",
        };

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void NullDereference()
        {
            ulong* nothing = (ulong*)(ulong)s_zero;
            *nothing = 0xDEAD;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void GeneralProtection() => Cpu.LoadBadSegment();

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void InvalidOpcode() => Cpu.ExecuteUndefinedInstruction();

        // A hardware #DE: a 64-bit divide by a zero the compiler cannot see. (A managed `int`
        // division would be checked by ILC and reported as a runtime failure instead.)
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static ulong DivideError() => DivideUnchecked(1000, (ulong)s_zero);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static ulong DivideUnchecked(ulong a, ulong b) => a / b;

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static ulong StackOverflow(ulong n)
        {
            ulong* frame = stackalloc ulong[64];
            frame[n % 64] = n;
            s_depth = n;
            return StackOverflow(n + 1) + frame[(n + 1) % 64];
        }
    }
}
