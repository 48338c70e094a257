// Specification of PageTable.NextUserEntry (microkernel/Kernel/Memory/PageTable.cs), the walk fork
// uses to copy an address space (issue 7), and of the Shared mark MAP_SHARED pages carry.
using Biscuit.Kernel.Memory;

namespace Biscuit.Kernel.Tests;

public unsafe class PageTableWalkTests
{
    private const ulong Page = PageTable.PageSize;

    private static PageTable NewTable(FakeFrames f)
    {
        Assert.Equal(MapResult.Ok, PageTable.Create(f.Pool, f.Memory.Window, out var t));
        return t;
    }

    private static List<(ulong Va, ulong Frame, PageFlags Flags, bool Large)> Walk(PageTable t)
    {
        var seen = new List<(ulong, ulong, PageFlags, bool)>();
        ulong from = 0;
        while (t.NextUserEntry(from, out ulong va, out ulong frame, out PageFlags flags, out bool large))
        {
            seen.Add((va, frame, flags, large));
            from = va + (large ? PageTable.LargePageSize : Page);
        }
        return seen;
    }

    [Fact]
    public void The_walk_finds_every_present_lazy_and_protected_entry_in_address_order()
    {
        using var f = new FakeFrames(1 << 20);
        var t = NewTable(f);
        Assert.Equal(MapResult.Ok, t.Map(0x0000_7000_0000_0000, 0x5000, PageFlags.User | PageFlags.Writable | PageFlags.Owned));
        Assert.Equal(MapResult.Ok, t.SetNotPresent(0x40_0000, 0, PageFlags.User | PageFlags.Lazy));
        Assert.Equal(MapResult.Ok, t.SetNotPresent(0x40_2000, 0x6000, PageFlags.User | PageFlags.NoAccess | PageFlags.Owned));
        Assert.Equal(MapResult.Ok, t.Map(0x1000, 0x7000, PageFlags.User));

        var seen = Walk(t);
        Assert.Equal(new ulong[] { 0x1000, 0x40_0000, 0x40_2000, 0x0000_7000_0000_0000 }, seen.Select(e => e.Va));
        Assert.Equal(new ulong[] { 0x7000, 0, 0x6000, 0x5000 }, seen.Select(e => e.Frame));
        Assert.True((seen[1].Flags & PageFlags.Lazy) != 0 && (seen[1].Flags & PageFlags.Present) == 0);
        Assert.True((seen[2].Flags & PageFlags.NoAccess) != 0 && (seen[2].Flags & PageFlags.Owned) != 0);
        Assert.True((seen[3].Flags & PageFlags.Present) != 0 && (seen[3].Flags & PageFlags.Writable) != 0);
        Assert.All(seen, e => Assert.False(e.Large));
    }

    [Fact]
    public void The_walk_of_an_empty_space_finds_nothing_and_never_enters_the_kernel_half()
    {
        using var f = new FakeFrames(1 << 20);
        var t = NewTable(f);
        Assert.Empty(Walk(t));
        Assert.Equal(MapResult.Ok, t.Map(0xFFFF_8000_0000_0000, 0x5000, PageFlags.Writable));
        Assert.Empty(Walk(t));
        Assert.False(t.NextUserEntry(PageTable.UserHalfEnd, out _, out _, out _, out _));
    }

    [Fact]
    public void The_walk_starts_at_the_given_address_and_reports_a_2_MiB_leaf_once()
    {
        using var f = new FakeFrames(8 << 20);
        var t = NewTable(f);
        Assert.Equal(MapResult.Ok, t.Map(0x1000, 0x5000, PageFlags.User));
        Assert.Equal(MapResult.Ok, t.MapLarge(0x4000_0000, 0x20_0000, PageFlags.User));
        Assert.True(t.NextUserEntry(0x2000, out ulong va, out ulong frame, out _, out bool large));
        Assert.Equal((0x4000_0000UL, 0x20_0000UL, true), (va, frame, large));
        Assert.Single(Walk(t), e => e.Large);
    }

    [Fact]
    public void The_Shared_mark_survives_in_present_and_not_present_entries_and_is_outside_the_address_bits()
    {
        using var f = new FakeFrames(1 << 20);
        var t = NewTable(f);
        Assert.Equal(MapResult.Ok, t.Map(0x40_0000, 0x5000, PageFlags.User | PageFlags.Owned | PageFlags.Shared));
        Assert.Equal(MapResult.Ok, t.SetNotPresent(0x40_1000, 0, PageFlags.User | PageFlags.Lazy | PageFlags.Shared));
        Assert.Equal(PageState.Present, t.StateOf(0x40_0000, out ulong frame, out PageFlags flags));
        Assert.Equal(0x5000UL, frame);
        Assert.True((flags & PageFlags.Shared) != 0);
        Assert.Equal(PageState.Lazy, t.StateOf(0x40_1000, out frame, out flags));
        Assert.Equal(0UL, frame);
        Assert.True((flags & PageFlags.Shared) != 0);
        Assert.Equal(0UL, (ulong)PageFlags.Shared & 0x000F_FFFF_FFFF_F000);   // never mistaken for a frame address
    }
}
