// Storage for the GDT, TSS and IDT, and their installation at the very start of boot (before
// anything can fault, so that even early faults get a diagnostic instead of a triple fault).
// The storage is a static block in the kernel image's bss: these tables exist once, for the life
// of the machine.
using Biscuit.Kernel.Boot;

namespace Biscuit.Kernel.Arch.X64
{
    internal static unsafe class DescriptorTables
    {
        private struct Storage
        {
            public fixed byte Gdt[256];
            public fixed byte Idt[1024];
        }

        private static Storage s_storage;   // written once, at boot

        public static void Install(KernelLayout* layout)
        {
            fixed (byte* gdt = s_storage.Gdt)
                Gdt.Initialize(gdt, layout->DoubleFaultStackTop, layout->PageFaultStackTop, layout->BootStackTop);
            fixed (byte* idt = s_storage.Idt)
                Idt.Initialize(idt, (ulong*)layout->InterruptStubTable);
        }
    }
}
