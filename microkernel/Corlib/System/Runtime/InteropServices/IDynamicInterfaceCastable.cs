// ILC looks this interface up by name (to decide whether dynamic interface casting can happen).
// Nothing in the kernel implements it, so the resolver is never reached; if it were, it panics.
using Internal.Runtime;

namespace System.Runtime.InteropServices
{
    public unsafe interface IDynamicInterfaceCastable
    {
        RuntimeTypeHandle GetInterfaceImplementation(RuntimeTypeHandle interfaceType);

        internal static IntPtr GetDynamicInterfaceImplementation(IDynamicInterfaceCastable instance, MethodTable* interfaceType, ushort slot)
        {
            RuntimeFailure.Report(FailureReason.FeatureNotSupported, 2);
            return 0;
        }
    }
}
