// The Global Descriptor Table and the Task State Segment.
// In 64-bit mode segmentation is mostly off; the GDT still supplies the code segment's mode and
// privilege, and the TSS supplies RSP0 (the stack for entries from ring 3) and the Interrupt Stack
// Table (Intel SDM Vol. 3A §8.7 "Task Management in 64-bit Mode", Figure 8-11).
// Selector order is fixed by SYSCALL/SYSRET (SDM Vol. 2B SYSRET: user CS = STAR[63:48] + 16,
// user SS = STAR[63:48] + 8), hence user data before user code.
using System.Runtime.InteropServices;

namespace Biscuit.Kernel.Arch.X64
{
    internal static unsafe class Gdt
    {
        public const ushort KernelCode = 0x08, KernelData = 0x10;
        public const ushort UserCode32 = 0x18 | 3, UserData = 0x20 | 3, UserCode = 0x28 | 3;
        public const ushort TaskState = 0x30;

        [StructLayout(LayoutKind.Sequential, Pack = 4)]
        public struct Tss
        {
            public uint Reserved0;
            public ulong Rsp0, Rsp1, Rsp2;
            public ulong Reserved1;
            public ulong Ist1, Ist2, Ist3, Ist4, Ist5, Ist6, Ist7;
            public ulong Reserved2;
            public ushort Reserved3;
            public ushort IoMapBase;
        }

        // Written once at boot on the boot CPU; the TSS's RSP0 later changes at each switch to a
        // user thread (kernel core issue).
        private static ulong* s_table;
        private static Tss* s_tss;

        public static int StorageBytes => 8 * 8 + sizeof(Tss);
        public static Tss* TaskStateSegment => s_tss;

        public static void Initialize(void* storage, ulong doubleFaultStackTop, ulong pageFaultStackTop, ulong kernelStackTop)
        {
            s_table = (ulong*)storage;
            s_tss = (Tss*)(s_table + 8);
            s_table[0] = 0;
            s_table[1] = 0x00AF_9A00_0000_FFFF;   // kernel code: present, DPL 0, code, L=1
            s_table[2] = 0x00CF_9200_0000_FFFF;   // kernel data: present, DPL 0, writable
            s_table[3] = 0x00CF_FA00_0000_FFFF;   // user code, 32-bit (unused; keeps SYSRET's layout)
            s_table[4] = 0x00CF_F200_0000_FFFF;   // user data: DPL 3
            s_table[5] = 0x00AF_FA00_0000_FFFF;   // user code: DPL 3, L=1

            byte* tss = (byte*)s_tss;
            for (int i = 0; i < sizeof(Tss); i++) tss[i] = 0;
            s_tss->Rsp0 = kernelStackTop;
            s_tss->Ist1 = doubleFaultStackTop;
            s_tss->Ist2 = pageFaultStackTop;
            s_tss->IoMapBase = (ushort)sizeof(Tss);   // no I/O permission bitmap: ring 3 gets no ports

            // 16-byte system descriptor, type 0x9 = available 64-bit TSS (SDM Vol. 3A §8.2.3).
            ulong baseAddress = (ulong)s_tss;
            ulong limit = (ulong)sizeof(Tss) - 1;
            s_table[6] = (limit & 0xFFFF) | ((baseAddress & 0xFF_FFFF) << 16) | (0x89UL << 40)
                         | (((limit >> 16) & 0xF) << 48) | (((baseAddress >> 24) & 0xFF) << 56);
            s_table[7] = baseAddress >> 32;

            DescriptorPointer pointer;
            pointer.Limit = 8 * 8 - 1;
            pointer.Base = (ulong)s_table;
            Cpu.LoadGdt(&pointer, KernelCode, KernelData);
            Cpu.LoadTaskRegister(TaskState);
        }
    }
}
