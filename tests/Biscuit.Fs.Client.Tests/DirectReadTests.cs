// Direct reads into the data window (servers/fs/Biscuit.Fs.Service/WindowDisk.cs, the library's
// Ext2FileSystem.DirectRead.cs): a large ReadToWindow has the disk read the file's uncached whole
// blocks straight into the window, and copies the rest (partial blocks, holes, cached blocks) as
// before. The cache stays the truth: a block it holds — above all a dirty one not yet on the disk —
// is served from the cache, never from the disk.
using Biscuit.Fs.Protocol;

namespace Biscuit.Fs.Client.Tests;

public class DirectReadTests
{
    private const long Address = 0x7200_0000;
    private const int Slot = DataWindowLimits.SlotBytes;

    private static DataWindowLayout Map(FsHarness h)
    {
        var r = h.Client.MapDataWindow(Address);
        FsAssert.Ok(r, "MapDataWindow");
        return r.Value;
    }

    private static byte[] WindowSlot(FsHarness h, int slot, int count) => h.WindowPages.At(Address)!.AsSpan(slot * Slot, count).ToArray();

    [Fact]
    public void A_large_read_of_uncached_blocks_comes_from_the_disk_straight_into_the_window()
    {
        var data = FsHarness.Pattern(4 * Slot, 21);
        using var h = new FsHarness(stage => File.WriteAllBytes(Path.Combine(stage, "big.bin"), data), directReads: true);
        var w = Map(h);
        ulong f = h.Open("/big.bin");
        h.Service.DropCleanBlocks();
        var r = h.Client.ReadToWindow(new WindowTransfer(w.WindowId, f, Slot, 3, Slot));
        Assert.Equal(Slot, r.Value);
        Assert.Equal(data.AsSpan(Slot, Slot).ToArray(), WindowSlot(h, 3, Slot));
        Assert.Equal(Slot / 512, h.WindowDisk!.SectorsRead);                 // every byte by the disk
        Assert.Equal(Slot / 4096, h.Service.DirectBlocksRead);
    }

    [Fact]
    public void A_block_dirty_in_the_cache_is_served_from_the_cache_not_from_the_stale_disk()
    {
        var data = FsHarness.Pattern(2 * Slot, 22);
        using var h = new FsHarness(stage => File.WriteAllBytes(Path.Combine(stage, "big.bin"), data), directReads: true);
        var w = Map(h);
        ulong f = h.Open("/big.bin");
        h.Service.DropCleanBlocks();
        var fresh = FsHarness.Pattern(4096, 23);
        FsAssert.Ok(h.Client.Write(f, 5 * 4096, fresh));                     // block 5 now dirty in the cache only
        fresh.CopyTo(data, 5 * 4096);
        var r = h.Client.ReadToWindow(new WindowTransfer(w.WindowId, f, 0, 0, Slot));
        Assert.Equal(Slot, r.Value);
        Assert.Equal(data.AsSpan(0, Slot).ToArray(), WindowSlot(h, 0, Slot));
        Assert.Equal(Slot / 512 - 8, h.WindowDisk!.SectorsRead);             // all but block 5
        Assert.True(h.WindowDisk.Reads >= 2, $"{h.WindowDisk.Reads} runs");   // at least the runs before and after it
    }

    [Fact]
    public void An_unaligned_read_copies_its_partial_blocks_and_reads_its_whole_ones_from_the_disk()
    {
        var data = FsHarness.Pattern(3 * Slot, 24);
        using var h = new FsHarness(stage => File.WriteAllBytes(Path.Combine(stage, "big.bin"), data), directReads: true);
        var w = Map(h);
        ulong f = h.Open("/big.bin");
        h.Service.DropCleanBlocks();
        var r = h.Client.ReadToWindow(new WindowTransfer(w.WindowId, f, 1000, 1, Slot));
        Assert.Equal(Slot, r.Value);
        Assert.Equal(data.AsSpan(1000, Slot).ToArray(), WindowSlot(h, 1, Slot));
        // The whole blocks land 3096 bytes into the slot: not sector-aligned, so they are copied too.
        Assert.Equal(0, h.WindowDisk!.Reads);
        var aligned = h.Client.ReadToWindow(new WindowTransfer(w.WindowId, f, 4096 + 512, 2, 3 * 4096));
        Assert.Equal(3 * 4096, aligned.Value);
        Assert.Equal(data.AsSpan(4096 + 512, 3 * 4096).ToArray(), WindowSlot(h, 2, 3 * 4096));
    }

    [Fact]
    public void Holes_and_the_end_of_the_file_read_as_before()
    {
        var data = FsHarness.Pattern(Slot + 300, 25);
        using var h = new FsHarness(stage => File.WriteAllBytes(Path.Combine(stage, "big.bin"), data), directReads: true);
        var w = Map(h);
        ulong f = h.Open("/sparse.bin", LinuxOpenFlags.O_CREAT);
        FsAssert.Ok(h.Client.Write(f, 3 * 4096, new byte[] { 7 }));           // blocks 0-2 are a hole
        ulong big = h.Open("/big.bin");
        h.Service.DropCleanBlocks();
        h.WindowPages.At(Address)!.AsSpan(0, Slot).Fill(0xEE);
        Assert.Equal(3 * 4096 + 1, h.Client.ReadToWindow(new WindowTransfer(w.WindowId, f, 0, 0, Slot)).Value);
        Assert.True(WindowSlot(h, 0, 3 * 4096).AsSpan().IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal(7, WindowSlot(h, 0, 3 * 4096 + 1)[3 * 4096]);
        var tail = h.Client.ReadToWindow(new WindowTransfer(w.WindowId, big, Slot - 4096, 1, Slot));
        Assert.Equal(4096 + 300, tail.Value);
        Assert.Equal(data.AsSpan(Slot - 4096, 4096 + 300).ToArray(), WindowSlot(h, 1, 4096 + 300));
    }

    [Fact]
    public void When_the_direct_path_is_refused_the_read_goes_through_the_cache_with_the_same_bytes()
    {
        var data = FsHarness.Pattern(2 * Slot, 26);
        using var h = new FsHarness(stage => File.WriteAllBytes(Path.Combine(stage, "big.bin"), data), directReads: true);
        var w = Map(h);
        ulong f = h.Open("/big.bin");
        h.WindowDisk!.Refuse = true;
        Assert.Equal(Slot, h.Client.ReadToWindow(new WindowTransfer(w.WindowId, f, Slot, 4, Slot)).Value);
        Assert.Equal(data.AsSpan(Slot, Slot).ToArray(), WindowSlot(h, 4, Slot));
        Assert.Equal(0, h.Service.DirectBlocksRead);
    }
}
