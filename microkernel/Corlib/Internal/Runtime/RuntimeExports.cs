// Native symbols that ILC-generated code calls: object and array allocation, GC write barriers
// (plain stores: there is no GC), P/Invoke transitions (no-ops: no GC to cooperate with), and the
// throw entry point (a panic: the kernel has no unwinder). RhpByRefAssignRef and
// RhpInitialDynamicInterfaceDispatch have special register contracts and live in assembly
// (Kernel/Arch/X64/runtime.S).
using System.Runtime;

namespace Internal.Runtime
{
    internal static unsafe class RuntimeExports
    {
        [RuntimeExport("RhpNewFast")]
        private static void* RhpNewFast(MethodTable* type)
        {
            void* obj = BootArena.AllocateObject(type->BaseSize);
            *(MethodTable**)obj = type;
            return obj;
        }

        private static void* NewArray(MethodTable* type, int length)
        {
            if (length < 0)
                RuntimeFailure.Report(FailureReason.Overflow, (nuint)length);
            nuint size = type->BaseSize + (nuint)length * type->ComponentSize;
            void* obj = BootArena.AllocateObject(size);
            *(MethodTable**)obj = type;
            *(int*)((byte*)obj + sizeof(nint)) = length;
            return obj;
        }

        [RuntimeExport("RhpNewArrayFast")]
        private static void* RhpNewArrayFast(MethodTable* type, int length) => NewArray(type, length);

        [RuntimeExport("RhpNewPtrArrayFast")]
        private static void* RhpNewPtrArrayFast(MethodTable* type, int length) => NewArray(type, length);

        [RuntimeExport("RhpNewArray")]
        private static void* RhpNewArray(MethodTable* type, int length) => NewArray(type, length);

        [RuntimeExport("RhpAssignRef")]
        private static void RhpAssignRef(void** dst, void* value) => *dst = value;

        [RuntimeExport("RhpCheckedAssignRef")]
        private static void RhpCheckedAssignRef(void** dst, void* value) => *dst = value;

        [RuntimeExport("RhpReversePInvoke")]
        private static void RhpReversePInvoke(nint frame) { }

        [RuntimeExport("RhpReversePInvokeReturn")]
        private static void RhpReversePInvokeReturn(nint frame) { }

        [RuntimeExport("RhpPInvoke")]
        private static void RhpPInvoke(nint frame) { }

        [RuntimeExport("RhpPInvokeReturn")]
        private static void RhpPInvokeReturn(nint frame) { }

        [RuntimeExport("RhpGcPoll")]
        private static void RhpGcPoll() { }

        [RuntimeExport("RhpFallbackFailFast")]
        private static void RhpFallbackFailFast() => RuntimeFailure.Report(FailureReason.InvalidProgram, 3);

        [RuntimeExport("RhpThrowEx")]
        private static void RhpThrowEx(object exception) => RuntimeFailure.Report(FailureReason.ExceptionThrown, 0);
    }
}
