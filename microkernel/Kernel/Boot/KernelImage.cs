// Where the linker put the kernel: section bounds and boot stacks, from the `kernel_layout` table
// in boot.S (filled in by the linker from kernel.ld's symbols). Virtual addresses in the higher
// half; physical = virtual - KernelBase.
using System.Runtime.InteropServices;

namespace Biscuit.Kernel.Boot
{
    [StructLayout(LayoutKind.Sequential)]
    internal struct KernelLayout
    {
        public ulong ImageStart, TextStart, TextEnd, RodataStart, RodataEnd;
        public ulong DataStart, DataEnd, BssStart, BssEnd;
        public ulong ModulesStart, ModulesEnd;
        public ulong BootStackGuard, BootStackTop;
        public ulong DoubleFaultStackGuard, DoubleFaultStackTop;
        public ulong PageFaultStackGuard, PageFaultStackTop;
        public ulong InterruptStubTable;   // interrupts.S: addresses of the 48 vector stubs
    }

    internal static unsafe class KernelImage
    {
        public const ulong KernelBase = 0xFFFF_FFFF_8000_0000;
        public const ulong PhysicalWindowBase = 0xFFFF_8000_0000_0000;
        public const ulong GuardPageSize = 4096;

        // Set once at the start of boot.
        private static KernelLayout* s_layout;

        public static void Attach(KernelLayout* layout) => s_layout = layout;
        public static KernelLayout* Layout => s_layout;

        public static ulong ToPhysical(ulong kernelVirtual) => kernelVirtual - KernelBase;
        public static byte* PhysicalToVirtual(ulong physical) => (byte*)(physical + PhysicalWindowBase);

        public static bool IsGuardPage(ulong address)
        {
            if (s_layout == null) return false;
            return InGuard(address, s_layout->BootStackGuard) || InGuard(address, s_layout->DoubleFaultStackGuard)
                || InGuard(address, s_layout->PageFaultStackGuard);
        }

        // True if [address, address + 16) lies inside one of the boot-time kernel stacks (above its
        // guard page): the only memory a fault-time backtrace may read without risking a fault.
        public static bool IsOnKernelStack(ulong address)
        {
            if (s_layout == null) return false;
            return OnStack(address, s_layout->BootStackGuard, s_layout->BootStackTop)
                || OnStack(address, s_layout->DoubleFaultStackGuard, s_layout->DoubleFaultStackTop)
                || OnStack(address, s_layout->PageFaultStackGuard, s_layout->PageFaultStackTop);
        }

        private static bool OnStack(ulong address, ulong guard, ulong top) =>
            address >= guard + GuardPageSize && address + 16 <= top;

        private static bool InGuard(ulong address, ulong guard) => address >= guard && address < guard + GuardPageSize;
    }
}
