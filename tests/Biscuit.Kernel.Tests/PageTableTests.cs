// Specification of the 4-level page-table code (microkernel/Kernel/Memory/PageTable.cs), checked
// against the hardware format (Intel SDM Vol. 3A §5.5) by walking the tables by hand.
using Biscuit.Kernel.Memory;

namespace Biscuit.Kernel.Tests;

public unsafe class PageTableTests
{
    private const ulong Page = PageTable.PageSize;

    private static PageTable NewTable(FakeFrames f)
    {
        Assert.Equal(MapResult.Ok, PageTable.Create(f.Pool, f.Memory.Window, out var t));
        return t;
    }

    // Reads the entry for `va` at `level` (3 = PML4 ... 0 = PT) the way the MMU does.
    private static ulong EntryAt(FakeFrames f, ulong root, ulong va, int level)
    {
        ulong table = root;
        for (int l = 3; ; l--)
        {
            ulong entry = ((ulong*)(f.Memory.Base + table))[(va >> (12 + 9 * l)) & 511];
            if (l == level) return entry;
            Assert.True((entry & 1) != 0, $"level {l} entry not present");
            table = entry & 0x000F_FFFF_FFFF_F000;
        }
    }

    [Fact]
    public void A_mapped_page_translates_to_its_frame_with_its_permissions()
    {
        using var f = new FakeFrames(1 << 20);
        var t = NewTable(f);
        ulong va = 0x0000_7F12_3456_7000, pa = 0x5000;
        Assert.Equal(MapResult.Ok, t.Map(va, pa, PageFlags.Writable | PageFlags.User | PageFlags.NoExecute));
        Assert.True(t.Translate(va + 0x123, out ulong phys, out PageFlags flags));
        Assert.Equal(pa + 0x123, phys);
        Assert.True((flags & PageFlags.Writable) != 0);
        Assert.True((flags & PageFlags.User) != 0);
        Assert.True((flags & PageFlags.NoExecute) != 0);
    }

    [Fact]
    public void The_tables_have_the_hardware_layout()
    {
        using var f = new FakeFrames(1 << 20);
        var t = NewTable(f);
        ulong va = 0xFFFF_8000_1234_5000;
        Assert.Equal(MapResult.Ok, t.Map(va, 0x9000, PageFlags.Writable | PageFlags.NoExecute));
        ulong leaf = EntryAt(f, t.Root, va, 0);
        Assert.Equal(0x9000UL | 1 | 2 | (1UL << 63), leaf);
        // Upper levels: present and writable, not user (the leaf is supervisor), never NX.
        for (int level = 3; level >= 1; level--)
        {
            ulong e = EntryAt(f, t.Root, va, level);
            Assert.Equal(3UL, e & 0x7);
            Assert.Equal(0UL, e >> 63);
        }
    }

    [Fact]
    public void A_user_leaf_makes_every_level_above_it_user_accessible()
    {
        using var f = new FakeFrames(1 << 20);
        var t = NewTable(f);
        ulong va = 0x40_0000;
        Assert.Equal(MapResult.Ok, t.Map(va, 0x3000, PageFlags.User));
        for (int level = 3; level >= 1; level--)
            Assert.Equal(4UL, EntryAt(f, t.Root, va, level) & 4);
    }

    [Fact]
    public void Virtual_page_zero_is_never_mapped()
    {
        using var f = new FakeFrames(1 << 20);
        var t = NewTable(f);
        Assert.Equal(MapResult.NullPage, t.Map(0, 0x3000, PageFlags.Writable));
        Assert.Equal(MapResult.NullPage, t.MapLarge(0, 0x20_0000, PageFlags.Writable));
        Assert.False(t.Translate(0, out _, out _));
        Assert.Equal(MapResult.Ok, t.Map(Page, 0x3000, PageFlags.Writable));
    }

    [Fact]
    public void Bad_addresses_are_refused_without_changing_anything()
    {
        using var f = new FakeFrames(1 << 20);
        var t = NewTable(f);
        ulong free = f.Pool->FreeFrames;
        Assert.Equal(MapResult.NotAligned, t.Map(0x40_0001, 0x3000, PageFlags.None));
        Assert.Equal(MapResult.NotAligned, t.Map(0x40_0000, 0x3001, PageFlags.None));
        Assert.Equal(MapResult.NonCanonical, t.Map(0x0000_8000_0000_0000, 0x3000, PageFlags.None));
        Assert.Equal(MapResult.NonCanonical, t.Map(0xFFFF_7FFF_FFFF_F000, 0x3000, PageFlags.None));
        Assert.Equal(MapResult.NotAligned, t.Map(0x40_0000, 1UL << 52, PageFlags.None));
        Assert.Equal(MapResult.NotAligned, t.MapLarge(0x40_1000, 0x20_0000, PageFlags.None));
        Assert.Equal(free, f.Pool->FreeFrames);
    }

    [Fact]
    public void Mapping_an_already_mapped_page_is_an_error_and_keeps_the_first_mapping()
    {
        using var f = new FakeFrames(1 << 20);
        var t = NewTable(f);
        Assert.Equal(MapResult.Ok, t.Map(0x40_0000, 0x3000, PageFlags.None));
        Assert.Equal(MapResult.AlreadyMapped, t.Map(0x40_0000, 0x4000, PageFlags.Writable));
        Assert.True(t.Translate(0x40_0000, out ulong phys, out _));
        Assert.Equal(0x3000UL, phys);
    }

    [Fact]
    public void Unmap_removes_the_mapping_and_returns_the_frame()
    {
        using var f = new FakeFrames(1 << 20);
        var t = NewTable(f);
        Assert.Equal(MapResult.Ok, t.Map(0x40_0000, 0x7000, PageFlags.Writable));
        Assert.Equal(MapResult.Ok, t.Unmap(0x40_0000, out ulong phys));
        Assert.Equal(0x7000UL, phys);
        Assert.False(t.Translate(0x40_0000, out _, out _));
        Assert.Equal(MapResult.NotMapped, t.Unmap(0x40_0000, out _));
        Assert.Equal(MapResult.Ok, t.Map(0x40_0000, 0x8000, PageFlags.None));
    }

    [Fact]
    public void Large_pages_map_two_megabytes_and_block_small_mappings_inside_them()
    {
        using var f = new FakeFrames(1 << 20);
        var t = NewTable(f);
        ulong va = 0xFFFF_8000_0020_0000;
        Assert.Equal(MapResult.Ok, t.MapLarge(va, 0x4020_0000, PageFlags.Writable | PageFlags.NoExecute));
        Assert.True(t.Translate(va + 0x1_2345, out ulong phys, out PageFlags flags));
        Assert.Equal(0x4020_0000UL + 0x1_2345, phys);
        Assert.True((flags & PageFlags.Large) != 0);
        Assert.Equal(MapResult.LargePageInTheWay, t.Map(va + 0x1000, 0x3000, PageFlags.None));
        Assert.Equal(MapResult.LargePageInTheWay, t.Unmap(va, out _));
        Assert.Equal(0x80UL, EntryAt(f, t.Root, va, 1) & 0x80);
    }

    [Fact]
    public void Running_out_of_frames_for_tables_is_a_result_not_a_crash()
    {
        // Room for the root and two more tables only: a fresh region needs three (PDPT, PD, PT).
        using var f = new FakeFrames(4 * 4096, firstFree: 4096);
        var t = NewTable(f);
        Assert.Equal(2UL, f.Pool->FreeFrames);
        Assert.Equal(MapResult.OutOfFrames, t.Map(0x40_0000, 0x3000, PageFlags.None));
        Assert.False(t.Translate(0x40_0000, out _, out _));
    }

    [Fact]
    public void Neighbouring_pages_share_tables_and_distant_ones_do_not()
    {
        using var f = new FakeFrames(1 << 20);
        var t = NewTable(f);
        ulong free = f.Pool->FreeFrames;
        Assert.Equal(MapResult.Ok, t.Map(0x40_0000, 0x3000, PageFlags.None));
        Assert.Equal(free - 3, f.Pool->FreeFrames);              // PDPT + PD + PT
        Assert.Equal(MapResult.Ok, t.Map(0x40_1000, 0x4000, PageFlags.None));
        Assert.Equal(free - 3, f.Pool->FreeFrames);              // same PT
        Assert.Equal(MapResult.Ok, t.Map(0x8000_0000_0000 - Page, 0x5000, PageFlags.None));
        Assert.Equal(free - 6, f.Pool->FreeFrames);              // another PML4 slot: three more
    }
}
