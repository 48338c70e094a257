// The block cache: bounded by its byte capacity, counts hits and misses, writes dirty blocks back on
// eviction and flush, keeps blocks pinned for the whole operation, and rolls an operation back exactly.
namespace Biscuit.Fs.Tests;

public class BlockCacheTests
{
    private const int Block = 1024;

    [Fact]
    public void CapacityInBytesBoundsTheNumberOfCachedBlocks()
    {
        var device = new MemoryBlockDevice(512, 2 * 100);
        var cache = new BlockCache(device, Block, capacityBytes: 16 * Block);
        for (int i = 0; i < 100; i++)
            cache.Get(i);
        Assert.Equal(16, cache.Count);
    }

    [Fact]
    public void RepeatedReadsAreHitsAndFirstReadsAreMisses()
    {
        var device = new MemoryBlockDevice(512, 2 * 10);
        var cache = new BlockCache(device, Block, capacityBytes: 16 * Block);
        cache.Get(3);
        cache.Get(3);
        cache.Get(4);
        cache.Get(3);
        Assert.Equal((2L, 2L), (cache.Hits, cache.Misses));
        Assert.Equal(2, device.Reads);
    }

    [Fact]
    public void DirtyBlocksReachTheDeviceOnlyOnEvictionOrFlush()
    {
        var device = new MemoryBlockDevice(512, 2 * 64);
        var cache = new BlockCache(device, Block, capacityBytes: 8 * Block);
        cache.BeginOperation();
        cache.GetForWrite(1)[0] = 0xAB;
        cache.Commit();
        Assert.Equal(0, device.Writes);
        cache.Flush();
        Assert.Equal(0xAB, device.Bytes[Block]);

        cache.BeginOperation();
        cache.GetForWrite(2)[0] = 0xCD;
        cache.Commit();
        for (int i = 10; i < 30; i++)
            cache.Get(i); // pushes block 2 out
        Assert.Equal(0xCD, device.Bytes[2 * Block]);
    }

    [Fact]
    public void RollbackRestoresEveryModifiedBlockAndWritesNothing()
    {
        var device = new MemoryBlockDevice(512, 2 * 64);
        device.Bytes[5 * Block] = 7;
        var cache = new BlockCache(device, Block, capacityBytes: 8 * Block);
        cache.BeginOperation();
        cache.GetForWrite(5)[0] = 99;
        cache.GetFresh(6)[1] = 42;
        for (int i = 10; i < 40; i++)
            cache.GetForWrite(i)[0] = 1; // more than the capacity: all pinned
        cache.Rollback();
        cache.Flush();
        Assert.Equal(0, device.Writes);
        Assert.Equal(7, cache.Get(5)[0]);
        Assert.Equal(0, cache.Get(6)[1]);
    }

    [Fact]
    public void BlocksStayValidForTheWholeOperationEvenBeyondCapacity()
    {
        var device = new MemoryBlockDevice(512, 2 * 64);
        for (int i = 0; i < 64; i++)
            device.Bytes[i * Block] = (byte)i;
        var cache = new BlockCache(device, Block, capacityBytes: 8 * Block);
        cache.BeginOperation();
        var held = Enumerable.Range(0, 40).Select(i => cache.Get(i)).ToList();
        var data = new byte[Block];
        for (int i = 40; i < 64; i++)
            cache.WriteData(i, 0, data, fresh: true); // unpinned traffic must not steal held buffers
        for (int i = 0; i < 40; i++)
            Assert.Equal((byte)i, held[i][0]);
        cache.Commit();
        Assert.True(cache.Count <= 8);
    }

    [Fact]
    public void FileSystemBlockSizeMustBeAMultipleOfTheDeviceBlockSize()
    {
        var device = new MemoryBlockDevice(4096, 4);
        var error = Assert.Throws<FsException>(() => new BlockCache(device, 1024, 1 << 20));
        Assert.Equal(FsError.EINVAL, error.Error);
    }
}
