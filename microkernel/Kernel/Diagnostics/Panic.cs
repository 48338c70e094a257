// The kernel's last word: print why it stopped, then end QEMU (tests) or halt the CPU.
// A panic is for broken kernel invariants and impossible boot conditions only; anything a
// user program can cause is an error code, never a panic.
using Internal.Runtime;

namespace Biscuit.Kernel.Diagnostics
{
    internal static unsafe class Panic
    {
        public static void Halt(string reason)
        {
            Console.Write("biscuit: panic: ");
            Console.WriteLine(reason);
            Stop(KernelExitCode.Panic);
        }

        public static void Halt(string reason, ulong value)
        {
            Console.Write("biscuit: panic: ");
            Console.Write(reason);
            Console.Write(" (");
            Console.WriteHex(value);
            Console.WriteLine(")");
            Stop(KernelExitCode.Panic);
        }

        public static void Stop(KernelExitCode code)
        {
            Console.Write("biscuit: halted, exit status ");
            Console.WriteDecimal((uint)code);
            Console.NewLine();
            QemuExit.Exit(code);
        }

        // Installed into the core library at boot: failed compiler checks end here.
        public static void OnRuntimeFailure(FailureReason reason, nuint detail)
        {
            Console.Write("biscuit: panic: runtime failure: ");
            Console.Write(RuntimeFailure.Describe(reason));
            Console.Write(" (detail ");
            Console.WriteHex(detail);
            Console.WriteLine(")");
            Stop(KernelExitCode.Panic);
        }
    }
}
