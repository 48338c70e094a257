// The physical ranges behind Mmio and IoPorts capabilities: a device's memory-mapped registers
// or its I/O ports. The table is bounded and never grows after boot: each BAR of each recorded
// PCI device has a fixed slot (device * Bars + bar), rewritten when the device is claimed again
// after its holder died (DeviceClaims.cs), and legacy port ranges (ioport_claim) take slots from a
// small region of their own.
// Invariant: a capability names a range together with the claim epoch it was made under (its
// Badge); it is valid only while the range's Epoch is that epoch. A released claim moves the
// epoch on, so the dead holder's capabilities, wherever they were passed, stop working.
namespace Biscuit.Kernel.Devices
{
    public unsafe struct DeviceRange
    {
        public ulong Base, Size;
        public bool IsPort;
        public ushort Device;       // PCI device index + 1; 0 for a legacy port range
        public uint Epoch;          // the claim that made it (DeviceClaims); 0 for legacy ranges
    }

    public static unsafe class DeviceRanges
    {
        public const int PciSlots = Pci.MaxDevices * PciDevice.Bars, LegacySlots = 16;
        public const int Capacity = PciSlots + LegacySlots;
        private struct Table { public fixed byte Bytes[Capacity * 24]; }
        private static Table s_ranges;       // DeviceRange[Capacity]; PCI slots written by device_claim
        private static int s_legacyCount;    // legacy slots handed out (never given back)

        private static DeviceRange* Slot(int i)
        {
            fixed (byte* b = s_ranges.Bytes) return (DeviceRange*)b + i;
        }

        /// <summary>The fixed slot of a PCI device's BAR, filled for the claim `epoch`.</summary>
        public static DeviceRange* ForBar(int device, int bar, ulong baseAddress, ulong size, bool isPort, uint epoch)
        {
            DeviceRange* r = Slot(device * PciDevice.Bars + bar);
            r->Base = baseAddress; r->Size = size; r->IsPort = isPort;
            r->Device = (ushort)(device + 1); r->Epoch = epoch;
            return r;
        }

        /// <summary>A legacy port range; null when the legacy region is full.</summary>
        public static DeviceRange* AddLegacy(ulong baseAddress, ulong size)
        {
            if (s_legacyCount == LegacySlots) return null;
            DeviceRange* r = Slot(PciSlots + s_legacyCount++);
            r->Base = baseAddress; r->Size = size; r->IsPort = true;
            r->Device = 0; r->Epoch = 0;
            return r;
        }

        /// <summary>Whether a capability made under `badge` still names a live claim of its range.</summary>
        public static bool Current(DeviceRange* r, ulong badge) => r->Device == 0 || (r->Epoch == badge && DeviceClaims.IsClaimed(r->Device - 1));

        /// <summary>The claim of `device` ended: every range of it goes stale.</summary>
        public static void Retire(int device)
        {
            for (int bar = 0; bar < PciDevice.Bars; bar++) Slot(device * PciDevice.Bars + bar)->Epoch = 0;
        }
    }
}
