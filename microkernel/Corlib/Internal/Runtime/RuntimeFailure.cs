// How the core library reports a failure it cannot handle: a compiler-inserted check failed (index out
// of range, overflow, failed cast), an exception was thrown, or memory ran out. The kernel installs
// its panic routine at the very start of boot; before that, a failure halts the CPU.
// Invariant: Report never returns.
namespace Internal.Runtime
{
    public enum FailureReason
    {
        IndexOutOfRange = 1, Overflow, DivideByZero, NullReference, InvalidCast, ArrayTypeMismatch,
        OutOfMemory, AllocationAfterBoot, ExceptionThrown, FeatureNotSupported, InvalidProgram,
    }

    public static unsafe class RuntimeFailure
    {
        // Installed once by the kernel at boot (single-threaded then); never changed afterwards.
        private static delegate*<FailureReason, nuint, void> s_handler;

        public static void Install(delegate*<FailureReason, nuint, void> handler) => s_handler = handler;

        public static string Describe(FailureReason reason) => reason switch
        {
            FailureReason.IndexOutOfRange => "index out of range",
            FailureReason.Overflow => "arithmetic overflow",
            FailureReason.DivideByZero => "division by zero",
            FailureReason.NullReference => "null reference",
            FailureReason.InvalidCast => "invalid cast",
            FailureReason.ArrayTypeMismatch => "array type mismatch",
            FailureReason.OutOfMemory => "boot arena exhausted",
            FailureReason.AllocationAfterBoot => "kernel allocated after boot",
            FailureReason.ExceptionThrown => "exception thrown (the kernel has no unwinder)",
            FailureReason.FeatureNotSupported => "feature not supported by the kernel core library",
            FailureReason.InvalidProgram => "invalid program",
            _ => "unknown runtime failure",
        };

        // `detail` is a reason-specific number (a size, an address) printed with the message.
        public static void Report(FailureReason reason, nuint detail)
        {
            if (s_handler != null)
                s_handler(reason, detail);
            while (true) { }
        }
    }
}
