// Interrupt lines given to drivers. An IRQ bound to a notification is masked and acknowledged by
// the kernel when it fires, and the notification's bits are signalled; the driver does the work in
// its own thread, then acknowledges (irq_ack), which unmasks the line (DESIGN.md §3 "Interrupts").
// Lines 0 (the kernel's timer) and 2 (the PIC cascade) are never given out.
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Ipc;

namespace Biscuit.Kernel.Devices
{
    public unsafe struct IrqLine
    {
        public int Number;
        public Notification* Target;    // holds one reference while bound
        public ulong Bits;
        public ulong Count;             // interrupts delivered (statistics)
    }

    public static unsafe class IrqLines
    {
        public const int Lines = 16;
        private struct Table { public fixed byte Bytes[Lines * 32]; }
        private static Table s_lines;

        public static IrqLine* Line(int irq)
        {
            fixed (byte* b = s_lines.Bytes)
            {
                IrqLine* l = (IrqLine*)b + irq;
                l->Number = irq;
                return l;
            }
        }

        public static bool Assignable(int irq) => irq > 0 && irq < Lines && irq != 2;

        // PCI devices may share a line; a legacy line is claimed once (irq_claim).
        private static ushort s_claimed;
        public static bool Claimed(int irq) => (s_claimed & (1 << irq)) != 0;
        public static void MarkClaimed(int irq) => s_claimed |= (ushort)(1 << irq);

        public static void Bind(IrqLine* line, Notification* target, ulong bits)
        {
            Unbind(line);
            target->Handles++;
            line->Target = target;
            line->Bits = bits;
            Pic.Unmask(line->Number);
        }

        public static void Unbind(IrqLine* line)
        {
            if (line->Target == null) return;
            Pic.Mask(line->Number);
            Notification* n = line->Target;
            line->Target = null;
            KernelObjects.Release(Capabilities.CapabilityType.Notification, n);
        }

        // From the interrupt handler: mask, signal; the caller sends the EOI.
        public static bool Deliver(int irq)
        {
            if (irq <= 0 || irq >= Lines) return false;
            IrqLine* line = Line(irq);
            if (line->Target == null) return false;
            Pic.Mask(irq);
            line->Count++;
            Notification.Signal(line->Target, line->Bits);
            return true;
        }

        public static void Acknowledge(IrqLine* line)
        {
            if (line->Target != null) Pic.Unmask(line->Number);
        }
    }
}
