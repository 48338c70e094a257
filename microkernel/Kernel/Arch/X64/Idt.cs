// The Interrupt Descriptor Table: 48 interrupt gates (vectors 0-31 are CPU exceptions, 32-47 the
// remapped legacy PIC's IRQs), each pointing at its stub in interrupts.S.
// Rules followed (Intel SDM Vol. 3A §7.14.1 "64-Bit Mode IDT"): 16-byte gate descriptors, type 0xE
// (interrupt gate: IF is cleared on entry, so kernel entries run with interrupts off), DPL 0 so
// user code cannot raise them with INT n, IST index for faults that must get a known-good stack:
// #DF (IST1; SDM §7.15 "Double Fault Exception") and #PF (IST2, so a kernel stack overflow into its
// guard page is still reported as a page fault with the faulting address).
using System.Runtime.InteropServices;

namespace Biscuit.Kernel.Arch.X64
{
    internal static unsafe class Idt
    {
        public const int VectorCount = 48;
        public const int DoubleFaultVector = 8, PageFaultVector = 14;

        [StructLayout(LayoutKind.Sequential)]
        private struct Gate
        {
            public ushort OffsetLow;
            public ushort Selector;
            public byte Ist;
            public byte TypeAttributes;
            public ushort OffsetMiddle;
            public uint OffsetHigh;
            public uint Reserved;
        }

        // Written once at boot by Initialize on the boot CPU.
        private static Gate* s_gates;

        public static void Initialize(void* storage, ulong* stubTable)
        {
            s_gates = (Gate*)storage;
            for (int v = 0; v < VectorCount; v++)
            {
                ulong handler = stubTable[v];
                Gate* g = &s_gates[v];
                g->OffsetLow = (ushort)handler;
                g->Selector = Gdt.KernelCode;
                g->Ist = v == DoubleFaultVector ? (byte)1 : v == PageFaultVector ? (byte)2 : (byte)0;
                g->TypeAttributes = 0x8E;                 // present, DPL 0, 64-bit interrupt gate
                g->OffsetMiddle = (ushort)(handler >> 16);
                g->OffsetHigh = (uint)(handler >> 32);
                g->Reserved = 0;
            }
            DescriptorPointer pointer;
            pointer.Limit = (ushort)(VectorCount * sizeof(Gate) - 1);
            pointer.Base = (ulong)s_gates;
            Cpu.LoadIdt(&pointer);
        }

        public static int StorageBytes => VectorCount * sizeof(Gate);
    }

    // The operand of LGDT and LIDT (SDM Vol. 3A §3.5.1, Figure 3-11): 16-bit limit, 64-bit base.
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    internal struct DescriptorPointer
    {
        public ushort Limit;
        public ulong Base;
    }
}
