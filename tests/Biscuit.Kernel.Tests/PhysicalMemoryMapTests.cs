// Specification of the usable-memory map built at boot (microkernel/Kernel/Memory/PhysicalMemoryMap.cs).
using Biscuit.Kernel.Memory;

namespace Biscuit.Kernel.Tests;

public unsafe class PhysicalMemoryMapTests
{
    private static (ulong, ulong)[] Ranges(in PhysicalMemoryMap m)
    {
        var r = new (ulong, ulong)[m.Count];
        for (int i = 0; i < m.Count; i++) r[i] = (m.StartOf(i), m.EndOf(i));
        return r;
    }

    [Fact]
    public void A_QEMU_like_map_yields_sorted_page_aligned_ranges()
    {
        var m = new PhysicalMemoryMap();
        m.AddAvailable(0x10_0000, 0x1FEE_0000);      // 1 MiB .. 511.9 MiB
        m.AddAvailable(0, 0x9_FC00);                 // low memory, partial last page
        Assert.Equal(new[] { (0UL, 0x9_F000UL), (0x10_0000UL, 0x1FFE_0000UL) }, Ranges(m));
        Assert.Equal(0x9_F000UL + 0x1FEE_0000UL, m.TotalBytes);
        Assert.Equal(0x1FFE_0000UL, m.HighestAddress);
    }

    [Fact]
    public void Overlapping_and_adjacent_ranges_merge()
    {
        var m = new PhysicalMemoryMap();
        m.AddAvailable(0x1000, 0x3000);
        m.AddAvailable(0x8000, 0x1000);
        m.AddAvailable(0x4000, 0x4000);              // touches both
        Assert.Equal(new[] { (0x1000UL, 0x9000UL) }, Ranges(m));
    }

    [Fact]
    public void Removing_the_middle_of_a_range_splits_it_and_rounds_outward()
    {
        var m = new PhysicalMemoryMap();
        m.AddAvailable(0x10_0000, 0x10_0000);
        m.Remove(0x14_0010, 0x100);                  // inside one page
        Assert.Equal(new[] { (0x10_0000UL, 0x14_0000UL), (0x14_1000UL, 0x20_0000UL) }, Ranges(m));
    }

    [Fact]
    public void Removing_across_ranges_trims_and_drops_them()
    {
        var m = new PhysicalMemoryMap();
        m.AddAvailable(0x1000, 0x1000);
        m.AddAvailable(0x4000, 0x2000);
        m.AddAvailable(0x9000, 0x3000);
        m.Remove(0x1000, 0x9000);                    // 0x1000 .. 0xA000
        Assert.Equal(new[] { (0xA000UL, 0xC000UL) }, Ranges(m));
    }

    [Fact]
    public void Empty_and_wrapping_ranges_are_ignored()
    {
        var m = new PhysicalMemoryMap();
        m.AddAvailable(0x1000, 0);
        m.AddAvailable(0x1800, 0x800);               // no whole page
        m.AddAvailable(ulong.MaxValue - 0xFFF, 0x2000);
        Assert.Equal(0, m.Count);
    }

    [Fact]
    public void More_ranges_than_capacity_are_counted_as_dropped_not_written_past_the_end()
    {
        var m = new PhysicalMemoryMap();
        for (ulong i = 0; i < PhysicalMemoryMap.Capacity + 5; i++)
            m.AddAvailable(i * 0x10_0000, 0x1000);
        Assert.Equal(PhysicalMemoryMap.Capacity, m.Count);
        Assert.Equal(5, m.Dropped);
    }
}
