// The physical ranges behind Mmio and IoPorts capabilities: a device's memory-mapped registers
// or its I/O ports. Entries are made when a device is claimed and live as long as the kernel
// (a bounded table: at most one entry per BAR of each recorded PCI device).
namespace Biscuit.Kernel.Devices
{
    public unsafe struct DeviceRange
    {
        public ulong Base, Size;
        public bool IsPort;
    }

    public static unsafe class DeviceRanges
    {
        public const int Capacity = Pci.MaxDevices * PciDevice.Bars;
        private struct Table { public fixed byte Bytes[Capacity * 24]; }
        private static Table s_ranges;
        private static int s_count;

        public static DeviceRange* Add(ulong baseAddress, ulong size, bool isPort)
        {
            if (s_count == Capacity) return null;
            fixed (byte* b = s_ranges.Bytes)
            {
                DeviceRange* r = (DeviceRange*)b + s_count++;
                r->Base = baseAddress; r->Size = size; r->IsPort = isPort;
                return r;
            }
        }
    }
}
