// Lazy static constructors. ILC calls these (by name) before the first access to a type's statics
// when the type has a class constructor that could not be run at compile time.
// Invariant: the kernel runs one thread during boot and never preempts itself, so "run once" needs
// no lock: the context's address is cleared before the constructor runs.
using System.Runtime.InteropServices;

namespace System.Runtime.CompilerServices
{
    [StructLayout(LayoutKind.Sequential)]
    public struct StaticClassConstructionContext
    {
        // Address of the class constructor; zero once it has run (contract with ILC).
        public IntPtr cctorMethodAddress;
    }

    internal static unsafe class ClassConstructorRunner
    {
        private static object CheckStaticClassConstructionReturnGCStaticBase(ref StaticClassConstructionContext context, object gcStaticBase)
        {
            CheckStaticClassConstruction(ref context);
            return gcStaticBase;
        }

        private static IntPtr CheckStaticClassConstructionReturnNonGCStaticBase(ref StaticClassConstructionContext context, IntPtr nonGcStaticBase)
        {
            CheckStaticClassConstruction(ref context);
            return nonGcStaticBase;
        }

        private static IntPtr CheckStaticClassConstructionReturnThreadStaticBase(ref StaticClassConstructionContext context, IntPtr threadStaticBase)
        {
            CheckStaticClassConstruction(ref context);
            return threadStaticBase;
        }

        private static void CheckStaticClassConstruction(ref StaticClassConstructionContext context)
        {
            IntPtr address = context.cctorMethodAddress;
            if (address == 0)
                return;
            context.cctorMethodAddress = 0;
            ((delegate*<void>)address)();
        }
    }
}
