// PCI configuration space, mechanism #1 (I/O ports 0xCF8 address, 0xCFC data; PCI Local Bus
// Specification 3.0 §3.2.2.3.2), enumerated once at boot. For each function the kernel records
// its identity, class, interrupt line and BARs, sizing each BAR by writing all ones and reading
// back the mask (§6.2.5.1). Drivers learn the list through pci_info and take a device's BARs and
// IRQ as capabilities through device_claim (Devices/DeviceCalls.cs).
using System.Runtime.InteropServices;
using Biscuit.Kernel.Arch.X64;

namespace Biscuit.Kernel.Devices
{
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct PciDevice
    {
        public const int Bars = 6;
        public byte Bus, Slot, Function, InterruptLine;
        public ushort Vendor, Device;
        public byte Class, Subclass, ProgrammingInterface, Claimed;
        public uint Reserved;
        public fixed ulong BarBase[Bars];
        public fixed ulong BarSize[Bars];
        public fixed byte BarIsPort[Bars];
    }

    public static unsafe class Pci
    {
        public const int MaxDevices = 32;
        private const ushort AddressPort = 0xCF8, DataPort = 0xCFC;

        private struct Table { public fixed byte Bytes[MaxDevices * 128]; }
        private static Table s_devices;      // PciDevice[MaxDevices]; written at boot, Claimed by DeviceClaims
        private static int s_count;

        public static int Count => s_count;

        public static PciDevice* Device(int index)
        {
            fixed (byte* b = s_devices.Bytes) return (PciDevice*)(b + index * 128);
        }

        public static uint Read(int bus, int slot, int function, int offset)
        {
            Cpu.OutDword(AddressPort, 0x8000_0000u | (uint)(bus << 16) | (uint)(slot << 11) | (uint)(function << 8) | (uint)(offset & 0xFC));
            return Cpu.InDword(DataPort);
        }

        public static void Write(int bus, int slot, int function, int offset, uint value)
        {
            Cpu.OutDword(AddressPort, 0x8000_0000u | (uint)(bus << 16) | (uint)(slot << 11) | (uint)(function << 8) | (uint)(offset & 0xFC));
            Cpu.OutDword(DataPort, value);
        }

        // A claimed device may decode its I/O and memory BARs and master the bus (DMA), with its
        // legacy interrupt enabled: command register bits 0, 1, 2 set and 10 clear (PCI 3.0 §6.2.2).
        // Command register (offset 0x04, §6.2.2): bit 0 I/O space, bit 1 memory space, bit 2 bus
        // master, bit 10 interrupt disable.
        public static void EnableForDriver(PciDevice* d)
        {
            uint command = Read(d->Bus, d->Slot, d->Function, 0x04) & 0xFFFF;
            command = (command | 0x7) & ~0x400u;
            Write(d->Bus, d->Slot, d->Function, 0x04, command);
        }

        /// <summary>Its driver died: no more DMA, decoding or INTx from the device until the next claim.</summary>
        public static void DisableAfterDriver(PciDevice* d)
        {
            uint command = Read(d->Bus, d->Slot, d->Function, 0x04) & 0xFFFF;
            command = (command & ~0x7u) | 0x400u;
            Write(d->Bus, d->Slot, d->Function, 0x04, command);
        }

        public static void Enumerate()
        {
            for (int bus = 0; bus < 256; bus++)
                for (int slot = 0; slot < 32; slot++)
                {
                    uint id = Read(bus, slot, 0, 0);
                    if ((id & 0xFFFF) == 0xFFFF) continue;
                    bool multi = ((Read(bus, slot, 0, 0x0C) >> 16) & 0x80) != 0;
                    for (int fn = 0; fn < (multi ? 8 : 1); fn++)
                    {
                        id = Read(bus, slot, fn, 0);
                        if ((id & 0xFFFF) == 0xFFFF || s_count == MaxDevices) continue;
                        Record(bus, slot, fn, id);
                    }
                }
        }

        private static void Record(int bus, int slot, int fn, uint id)
        {
            PciDevice* d = Device(s_count++);
            d->Bus = (byte)bus; d->Slot = (byte)slot; d->Function = (byte)fn;
            d->Vendor = (ushort)id; d->Device = (ushort)(id >> 16);
            uint classReg = Read(bus, slot, fn, 0x08);
            d->Class = (byte)(classReg >> 24); d->Subclass = (byte)(classReg >> 16); d->ProgrammingInterface = (byte)(classReg >> 8);
            d->InterruptLine = (byte)Read(bus, slot, fn, 0x3C);
            if (((Read(bus, slot, fn, 0x0C) >> 16) & 0x7F) != 0) return;   // bridges: no BARs recorded
            for (int i = 0; i < PciDevice.Bars; i++)
            {
                int offset = 0x10 + i * 4;
                uint original = Read(bus, slot, fn, offset);
                if (original == 0) continue;
                Write(bus, slot, fn, offset, 0xFFFF_FFFF);
                uint mask = Read(bus, slot, fn, offset);
                Write(bus, slot, fn, offset, original);
                if ((original & 1) != 0)
                {
                    d->BarIsPort[i] = 1;
                    d->BarBase[i] = original & 0xFFFF_FFFC;
                    d->BarSize[i] = (~(mask & 0xFFFF_FFFC) + 1) & 0xFFFF;
                }
                else
                {
                    d->BarBase[i] = original & 0xFFFF_FFF0;
                    d->BarSize[i] = ~(mask & 0xFFFF_FFF0) + 1;
                    if (((original >> 1) & 3) == 2 && i + 1 < PciDevice.Bars)   // 64-bit BAR: next holds the high half
                    {
                        d->BarBase[i] |= (ulong)Read(bus, slot, fn, offset + 4) << 32;
                        i++;
                    }
                }
            }
        }
    }
}
