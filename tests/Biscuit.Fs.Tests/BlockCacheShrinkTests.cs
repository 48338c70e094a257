// BlockCache.DropClean, what the fs server does when mm asks it to shrink (issue 8 item 5): every
// clean block and spare buffer goes; dirty file data and dirty metadata held for the journal stay,
// unwritten and intact; inside an operation it refuses.
namespace Biscuit.Fs.Tests;

public class BlockCacheShrinkTests
{
    private const int Block = 1024;

    [Fact]
    public void Clean_blocks_are_dropped_and_read_again_from_the_device_on_the_next_use()
    {
        var device = new MemoryBlockDevice(512, 2 * 64);
        device.Bytes[3 * Block] = 33;
        var cache = new BlockCache(device, Block, capacityBytes: 32 * Block);
        for (int i = 0; i < 20; i++) cache.Get(i);
        Assert.Equal(20, cache.Count);
        Assert.Equal(20L * Block, cache.DropClean());
        Assert.Equal(0, cache.Count);
        int reads = device.Reads;
        Assert.Equal(33, cache.Get(3)[0]);
        Assert.Equal(reads + 1, device.Reads);
    }

    [Fact]
    public void Dirty_data_and_dirty_metadata_held_for_the_journal_stay_and_nothing_is_written()
    {
        var device = new MemoryBlockDevice(512, 2 * 64);
        var cache = new BlockCache(device, Block, capacityBytes: 32 * Block) { HoldMetadata = true };
        for (int i = 10; i < 20; i++) cache.Get(i);                           // 10 clean
        cache.BeginOperation();
        cache.GetForWrite(1)[0] = 0xAB;                                       // dirty metadata
        cache.WriteData(2, 0, Fill(new byte[Block], 0xCD), fresh: true);              // dirty data
        cache.Commit();
        Assert.Equal(10L * Block, cache.DropClean());
        Assert.Equal(2, cache.Count);
        Assert.Equal(1, cache.DirtyMetadataCount);
        Assert.Equal(0, device.Writes);
        var journal = new List<(long Home, byte[] Data)>();
        cache.CollectDirtyMetadata(journal);
        Assert.Equal(1L, Assert.Single(journal).Home);
        Assert.Equal(0xAB, journal[0].Data[0]);
        cache.Flush();
        Assert.Equal(0xAB, device.Bytes[1 * Block]);
        Assert.Equal(0xCD, device.Bytes[2 * Block]);
    }

    [Fact]
    public void Spare_buffers_from_evictions_are_released_too()
    {
        var device = new MemoryBlockDevice(512, 2 * 64);
        var cache = new BlockCache(device, Block, capacityBytes: 8 * Block);
        cache.BeginOperation();
        for (int i = 0; i < 12; i++) cache.Get(i);      // pinned beyond the capacity
        cache.Commit();                                 // trimmed back to 8: 4 buffers become spares
        Assert.Equal(8, cache.Count);
        Assert.Equal(12L * Block, cache.DropClean());
        Assert.Equal(0L, cache.DropClean());            // nothing left the second time
    }

    [Fact]
    public void Dropping_inside_an_operation_is_refused()
    {
        var cache = new BlockCache(new MemoryBlockDevice(512, 2 * 8), Block, capacityBytes: 8 * Block);
        cache.BeginOperation();
        cache.Get(1);
        Assert.Throws<InvalidOperationException>(() => cache.DropClean());
        cache.Commit();
        Assert.Equal(1L * Block, cache.DropClean());
    }

    private static byte[] Fill(byte[] data, byte value)
    {
        Array.Fill(data, value);
        return data;
    }
}
