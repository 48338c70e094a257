// Interrupt lines given to drivers. A driver holds an Irq capability naming its *binding* on a line;
// PCI devices may share a line (QEMU's i440fx routes both the e1000e and the virtio-blk disk to
// IRQ 11), so a line has up to SlotsPerLine bindings, each with its own notification. When the line
// fires, the kernel masks it and signals every bound notification; each driver services (or finds
// nothing to do on) its device and acknowledges (irq_ack); the line is unmasked when every binding
// that was signalled has acknowledged. PCI INTx is level-triggered (PCI Local Bus Spec. 2.2.6), so
// a device still asserting simply fires again after the unmask — nothing is lost, nothing storms.
// A legacy (ISA) line is claimed whole (irq_claim): one binding, no sharing.
// Lines 0 (the kernel's timer), 2 (the PIC cascade) and 4 (the console UART: ConsoleInput.cs) are
// never given out.
// Ownership: guarded by the kernel being single-threaded with interrupts off.
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Ipc;

namespace Biscuit.Kernel.Devices
{
    public unsafe struct IrqLine
    {
        public int Number;
        public ulong Count;             // interrupts delivered (statistics)
        public byte Claimed;            // bit per binding slot in use
        public byte Pending;            // bit per binding signalled and not yet acknowledged
        public byte Exclusive;          // claimed whole by irq_claim
    }

    public unsafe struct IrqBinding
    {
        public IrqLine* Line;
        public int Slot;
        public Notification* Target;    // holds one reference while bound
        public ulong Bits;
    }

    public static unsafe class IrqLines
    {
        public const int Lines = 16, SlotsPerLine = 4;
        private struct LineTable { public fixed byte Bytes[Lines * 32]; }
        private struct BindingTable { public fixed byte Bytes[Lines * SlotsPerLine * 32]; }
        private static LineTable s_lines;
        private static BindingTable s_bindings;

        public static IrqLine* Line(int irq)
        {
            fixed (byte* b = s_lines.Bytes)
            {
                IrqLine* l = (IrqLine*)b + irq;
                l->Number = irq;
                return l;
            }
        }

        private static IrqBinding* Binding(int irq, int slot)
        {
            fixed (byte* b = s_bindings.Bytes) return (IrqBinding*)b + irq * SlotsPerLine + slot;
        }

        public static bool Assignable(int irq) => irq > 0 && irq < Lines && irq != 2 && irq != ConsoleInput.Irq;

        /// <summary>A legacy line already claimed whole, or shared by PCI devices: irq_claim answers EBUSY.</summary>
        public static bool Claimed(int irq) => Line(irq)->Claimed != 0;

        /// <summary>A binding for a PCI device on `irq`, or null if the line is a legacy line claimed
        /// whole or already has SlotsPerLine devices.</summary>
        public static IrqBinding* ClaimShared(int irq)
        {
            IrqLine* line = Line(irq);
            if (line->Exclusive != 0) return null;
            return Take(line, irq);
        }

        /// <summary>The only binding of a legacy line, or null if anything holds the line.</summary>
        public static IrqBinding* ClaimExclusive(int irq)
        {
            IrqLine* line = Line(irq);
            if (line->Claimed != 0) return null;
            IrqBinding* b = Take(line, irq);
            if (b != null) line->Exclusive = 1;
            return b;
        }

        private static IrqBinding* Take(IrqLine* line, int irq)
        {
            for (int slot = 0; slot < SlotsPerLine; slot++)
            {
                if ((line->Claimed & (1 << slot)) != 0) continue;
                line->Claimed |= (byte)(1 << slot);
                IrqBinding* b = Binding(irq, slot);
                b->Line = line;
                b->Slot = slot;
                b->Target = null;
                b->Bits = 0;
                return b;
            }
            return null;
        }

        public static void Bind(IrqBinding* b, Notification* target, ulong bits)
        {
            Drop(b);
            target->Handles++;
            b->Target = target;
            b->Bits = bits;
            if (b->Line->Pending == 0) Pic.Unmask(b->Line->Number);
        }

        /// <summary>The capability's last handle went: the binding is dropped and its slot freed.</summary>
        public static void Release(IrqBinding* b)
        {
            Drop(b);
            IrqLine* line = b->Line;
            line->Claimed &= (byte)~(1 << b->Slot);
            if (line->Claimed == 0) line->Exclusive = 0;
        }

        // Unbinds: the line is masked if no binding is left, and unmasked if this binding was the
        // last one the line waited for.
        private static void Drop(IrqBinding* b)
        {
            IrqLine* line = b->Line;
            if (b->Target != null)
            {
                Notification* n = b->Target;
                b->Target = null;
                KernelObjects.Release(Capabilities.CapabilityType.Notification, n);
            }
            line->Pending &= (byte)~(1 << b->Slot);
            if (!AnyBound(line)) Pic.Mask(line->Number);
            else if (line->Pending == 0) Pic.Unmask(line->Number);
        }

        private static bool AnyBound(IrqLine* line)
        {
            for (int slot = 0; slot < SlotsPerLine; slot++)
                if ((line->Claimed & (1 << slot)) != 0 && Binding(line->Number, slot)->Target != null) return true;
            return false;
        }

        // From the interrupt handler: mask, signal every binding; the caller sends the EOI.
        public static bool Deliver(int irq)
        {
            if (irq <= 0 || irq >= Lines) return false;
            if (irq == ConsoleInput.Irq) { ConsoleInput.OnInterrupt(); return true; }
            IrqLine* line = Line(irq);
            bool any = false;
            for (int slot = 0; slot < SlotsPerLine; slot++)
            {
                IrqBinding* b = Binding(irq, slot);
                if ((line->Claimed & (1 << slot)) == 0 || b->Target == null) continue;
                if (!any) { Pic.Mask(irq); line->Count++; any = true; }
                line->Pending |= (byte)(1 << slot);
                Notification.Signal(b->Target, b->Bits);
            }
            return any;
        }

        /// <summary>irq_ack: this binding has serviced its device; the line is unmasked once every
        /// signalled binding has.</summary>
        public static void Acknowledge(IrqBinding* b)
        {
            if (b->Target == null) return;
            IrqLine* line = b->Line;
            line->Pending &= (byte)~(1 << b->Slot);
            if (line->Pending == 0) Pic.Unmask(line->Number);
        }
    }
}
