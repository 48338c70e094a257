// pci_info, device_claim, irq_bind, irq_ack, mmio_map, ioport_read/write, dma_alloc.
// Device access is by capability only: the DeviceManager capability (given to the first
// process) claims a PCI device and yields Mmio/IoPorts capabilities for its BARs and an Irq
// capability for its interrupt line, which can then be handed to a driver. A claim lasts until
// the claiming process dies (Devices/DeviceClaims.cs); its capabilities then go stale (EBADF).
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Capabilities;
using Biscuit.Kernel.Devices;
using Biscuit.Kernel.Ipc;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Syscalls
{
    internal static unsafe class DeviceCalls
    {
        // pci_info(index, buffer): copies PciDevice `index` out; returns the device count.
        public static long PciInfo(Thread* t, ulong index, ulong buffer)
        {
            if (index >= (ulong)Pci.Count) return -Errno.ENOENT;
            if (buffer != 0)
            {
                long r = UserMemory.CopyOut(t->Process, buffer, (byte*)Pci.Device((int)index), (ulong)sizeof(PciDevice));
                if (r != 0) return r;
            }
            return Pci.Count;
        }

        // device_claim(manager, index, handles_out, max): Mmio/IoPorts handles for each BAR in order,
        // then the Irq handle (if the device has a line); returns how many were written.
        public static long Claim(Thread* t, ulong manager, ulong index, ulong handlesOut, ulong max)
        {
            Capability* c;
            long error = HandleCalls.Lookup(t, manager, CapabilityType.DeviceManager, Rights.Control, out c);
            if (error != 0) return error;
            if (index >= (ulong)Pci.Count) return -Errno.ENOENT;
            PciDevice* d = Pci.Device((int)index);
            if (d->Claimed != 0) return -Errno.EBUSY;
            if (!UserMemory.RangeIsUser(handlesOut, (max < PciDevice.Bars + 1 ? max : PciDevice.Bars + 1) * 4)) return -Errno.EFAULT;
            uint epoch = DeviceClaims.Take((int)index, t->Process);
            uint* made = stackalloc uint[PciDevice.Bars + 1];
            int n = 0;
            for (int i = 0; i < PciDevice.Bars; i++)
            {
                if (d->BarSize[i] == 0) continue;
                DeviceRange* range = DeviceRanges.ForBar((int)index, i, d->BarBase[i], d->BarSize[i], d->BarIsPort[i] != 0, epoch);
                uint h = t->Process->HandleTable->Insert(d->BarIsPort[i] != 0 ? CapabilityType.IoPorts : CapabilityType.Mmio,
                    Rights.Control | Rights.Transfer | Rights.Duplicate, range, epoch);
                if (h != 0) made[n++] = h;
            }
            IrqBinding* binding = IrqLines.Assignable(d->InterruptLine) ? IrqLines.ClaimShared(d->InterruptLine) : null;
            if (binding != null)
            {
                uint h = t->Process->HandleTable->Insert(CapabilityType.Irq, Rights.Control | Rights.Transfer | Rights.Duplicate, binding, 0);
                if (h != 0) made[n++] = h; else IrqLines.Release(binding);
            }
            if ((ulong)n > max) n = (int)max;
            // The claim stands even if the copy-out faults: the handles are in the table, and
            // the claim ends with the process like any other.
            Pci.EnableForDriver(d);
            long r = UserMemory.CopyOut(t->Process, handlesOut, (byte*)made, (ulong)n * 4);
            if (r != 0) return r;
            return n;
        }

        // irq_claim(manager, line): an Irq capability for a legacy interrupt line (ISA devices).
        public static long ClaimIrq(Thread* t, ulong manager, ulong line)
        {
            Capability* c;
            long error = HandleCalls.Lookup(t, manager, CapabilityType.DeviceManager, Rights.Control, out c);
            if (error != 0) return error;
            if (line >= IrqLines.Lines || !IrqLines.Assignable((int)line)) return -Errno.EPERM;
            IrqBinding* binding = IrqLines.ClaimExclusive((int)line);
            if (binding == null) return -Errno.EBUSY;
            uint h = t->Process->HandleTable->Insert(CapabilityType.Irq, Rights.Control | Rights.Transfer | Rights.Duplicate, binding, 0);
            if (h == 0) { IrqLines.Release(binding); return -Errno.EMFILE; }
            return h;
        }

        // ioport_claim(manager, base, count): an IoPorts capability for legacy ports. The ports the
        // kernel drives itself (PIC, PIT, COM1, PCI configuration, QEMU's debug exit) are refused.
        public static long ClaimPorts(Thread* t, ulong manager, ulong basePort, ulong count)
        {
            Capability* c;
            long error = HandleCalls.Lookup(t, manager, CapabilityType.DeviceManager, Rights.Control, out c);
            if (error != 0) return error;
            if (count == 0 || basePort + count > 0x10000) return -Errno.EINVAL;
            if (Overlaps(basePort, count, 0x20, 2) || Overlaps(basePort, count, 0xA0, 2) || Overlaps(basePort, count, 0x40, 4)
                || Overlaps(basePort, count, 0x3F8, 8) || Overlaps(basePort, count, 0xCF8, 8) || Overlaps(basePort, count, 0xF4, 4))
                return -Errno.EPERM;
            DeviceRange* range = DeviceRanges.AddLegacy(basePort, count);
            if (range == null) return -Errno.ENOMEM;
            uint h = t->Process->HandleTable->Insert(CapabilityType.IoPorts, Rights.Control | Rights.Transfer | Rights.Duplicate, range, 0);
            return h == 0 ? -Errno.EMFILE : h;
        }

        private static bool Overlaps(ulong a, ulong n, ulong b, ulong m) => a < b + m && b < a + n;

        public static long BindIrq(Thread* t, ulong irq, ulong notification, ulong bits)
        {
            Capability* ic, nc;
            long error = HandleCalls.Lookup(t, irq, CapabilityType.Irq, Rights.Control, out ic);
            if (error != 0) return error;
            error = HandleCalls.Lookup(t, notification, CapabilityType.Notification, Rights.Signal, out nc);
            if (error != 0) return error;
            if ((bits & ~Notification.UsableBits) != 0 || bits == 0) return -Errno.EINVAL;
            IrqLines.Bind((IrqBinding*)ic->Object, (Notification*)nc->Object, bits);
            return 0;
        }

        public static long AcknowledgeIrq(Thread* t, ulong irq)
        {
            Capability* c;
            long error = HandleCalls.Lookup(t, irq, CapabilityType.Irq, Rights.Control, out c);
            if (error != 0) return error;
            IrqLines.Acknowledge((IrqBinding*)c->Object);
            return 0;
        }

        // Maps a device's registers uncached (PCD|PWT, SDM Vol. 3A §13.12) at `address`.
        public static long MapMmio(Thread* t, ulong mmio, ulong address)
        {
            Capability* c;
            long error = HandleCalls.Lookup(t, mmio, CapabilityType.Mmio, Rights.Control, out c);
            if (error != 0) return error;
            DeviceRange* r = (DeviceRange*)c->Object;
            if (!DeviceRanges.Current(r, c->Badge)) return -Errno.EBADF;
            ulong pages = (r->Size + 4095) / 4096;
            if (address % 4096 != 0 || address == 0 || !UserMemory.RangeIsUser(address, pages * 4096)) return -Errno.EFAULT;
            PageTable* space = &t->Process->Space;
            if (!UserMemory.PagesFree(t->Process, address, pages)) return -Errno.EEXIST;
            PageFlags flags = PageFlags.User | PageFlags.Writable | PageFlags.NoExecute | PageFlags.CacheDisable | PageFlags.WriteThrough;
            for (ulong i = 0; i < pages; i++)
                if (space->Map(address + i * 4096, (r->Base & ~0xFFFUL) + i * 4096, flags) != MapResult.Ok) return -Errno.ENOMEM;
            return 0;
        }

        public static long PortRead(Thread* t, ulong io, ulong port, ulong width)
        {
            long error = CheckPort(t, io, port, width);
            if (error != 0) return error;
            return width == 1 ? Cpu.InByte((ushort)port) : width == 2 ? Cpu.InWord((ushort)port) : Cpu.InDword((ushort)port);
        }

        public static long PortWrite(Thread* t, ulong io, ulong port, ulong width, ulong value)
        {
            long error = CheckPort(t, io, port, width);
            if (error != 0) return error;
            if (width == 1) Cpu.OutByte((ushort)port, (byte)value);
            else if (width == 2) Cpu.OutWord((ushort)port, (ushort)value);
            else Cpu.OutDword((ushort)port, (uint)value);
            return 0;
        }

        private static long CheckPort(Thread* t, ulong io, ulong port, ulong width)
        {
            Capability* c;
            long error = HandleCalls.Lookup(t, io, CapabilityType.IoPorts, Rights.Control, out c);
            if (error != 0) return error;
            if (width != 1 && width != 2 && width != 4) return -Errno.EINVAL;
            DeviceRange* r = (DeviceRange*)c->Object;
            if (!DeviceRanges.Current(r, c->Badge)) return -Errno.EBADF;
            if (port < r->Base || port + width > r->Base + r->Size) return -Errno.EPERM;
            return 0;
        }

        // dma_alloc(address, pages): physically contiguous, zeroed pages the process owns, mapped
        // at `address`; returns their physical address for the device to use.
        public static long AllocateDma(Thread* t, ulong address, ulong pages)
        {
            if (pages == 0 || pages > 512) return -Errno.EINVAL;
            if (address % 4096 != 0 || address == 0 || !UserMemory.RangeIsUser(address, pages * 4096)) return -Errno.EFAULT;
            PageTable* space = &t->Process->Space;
            if (!UserMemory.PagesFree(t->Process, address, pages)) return -Errno.EEXIST;
            ulong physical = BootMemory.Frames->TakeContiguous(pages, 1);
            if (physical == 0) return -Errno.ENOMEM;
            Internal.Runtime.Memory.Zero(KernelImage.PhysicalToVirtual(physical), (nuint)(pages * 4096));
            for (ulong i = 0; i < pages; i++)
                if (space->Map(address + i * 4096, physical + i * 4096, PageFlags.User | PageFlags.Writable | PageFlags.NoExecute | PageFlags.Owned) != MapResult.Ok)
                {
                    for (ulong j = 0; j < i; j++) { ulong f; space->Unmap(address + j * 4096, out f); Cpu.InvalidatePage(address + j * 4096); }
                    for (ulong j = 0; j < pages; j++) BootMemory.Frames->Give(physical + j * 4096);
                    return -Errno.ENOMEM;
                }
            UserFrames.Charge(t->Process, pages);
            return (long)physical;
        }
    }
}
