// The methods ILC calls where generated code would throw (range checks, overflow checks, ...).
// The kernel has no exceptions: each one reports the failure, which panics with a message.
using Internal.Runtime;

namespace Internal.Runtime.CompilerHelpers
{
    internal static class ThrowHelpers
    {
        private static void ThrowOverflowException() => RuntimeFailure.Report(FailureReason.Overflow, 0);
        private static void ThrowIndexOutOfRangeException() => RuntimeFailure.Report(FailureReason.IndexOutOfRange, 0);
        private static void ThrowNullReferenceException() => RuntimeFailure.Report(FailureReason.NullReference, 0);
        private static void ThrowDivideByZeroException() => RuntimeFailure.Report(FailureReason.DivideByZero, 0);
        private static void ThrowArrayTypeMismatchException() => RuntimeFailure.Report(FailureReason.ArrayTypeMismatch, 0);
        private static void ThrowPlatformNotSupportedException() => RuntimeFailure.Report(FailureReason.FeatureNotSupported, 0);
        private static void ThrowTypeLoadException() => RuntimeFailure.Report(FailureReason.InvalidProgram, 0);
        private static void ThrowArgumentException() => RuntimeFailure.Report(FailureReason.InvalidProgram, 1);
        private static void ThrowArgumentOutOfRangeException() => RuntimeFailure.Report(FailureReason.IndexOutOfRange, 1);
        private static void ThrowInvalidProgramException() => RuntimeFailure.Report(FailureReason.InvalidProgram, 2);
        private static void ThrowFeatureBodyRemoved() => RuntimeFailure.Report(FailureReason.FeatureNotSupported, 1);
    }
}
