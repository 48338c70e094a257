// Reading a file with its uncached whole blocks read by the device straight into the caller's
// memory (issue 5 item 3: the fs server's data window, which the disk driver DMAs into), and every
// other byte — partial blocks, holes, blocks the cache holds — copied as Read does.
//
// Coherence rule: a block the cache holds, clean or dirty, is always copied from the cache; only a
// block the cache does not hold goes to the device, and such a block reads the same from the device
// as through the cache (BlockCache.Holds: dirty blocks are written before eviction, dirty journaled
// metadata is never evicted). The caller serialises this with every other call (the fs server's
// gate), so nothing is written between the check and the read. Direct reads do not fill the cache.
namespace Biscuit.Fs;

/// <summary>Reads whole file-system blocks from the device into the destination of a ReadDirect.</summary>
public interface IDirectBlockReader
{
    /// <summary>Reads `count` file-system blocks from block `firstBlock` of the device into the
    /// destination at byte `destinationOffset`. False: it cannot (misaligned, no direct path now);
    /// the caller then copies through the cache. Throws FsException(EIO) for a device error.</summary>
    bool ReadBlocks(long firstBlock, int count, int destinationOffset);
}

public sealed partial class Ext2FileSystem
{
    /// <summary>Blocks the device reads in one ReadBlocks at most (a run stops there).</summary>
    public const int MaxDirectRunBytes = 64 * 1024;

    /// <summary>As Read, with runs of uncached, physically consecutive whole blocks read by `direct`
    /// into `buffer` (which `direct` must address: it writes the same memory). Returns the count.</summary>
    public int ReadDirect(uint inodeNumber, long offset, Span<byte> buffer, IDirectBlockReader direct)
    {
        Begin(modifies: false);
        try
        {
            int count = ReadDirectLocked(ReadRegularFile(inodeNumber), offset, buffer, direct);
            Commit();
            return count;
        }
        catch
        {
            Abort();
            throw;
        }
    }

    /// <summary>Bytes the device read directly (not through the cache) since mount.</summary>
    public long DirectBytesRead { get; private set; }

    private int ReadDirectLocked(Inode inode, long offset, Span<byte> buffer, IDirectBlockReader direct)
    {
        if (offset < 0)
            throw new FsException(FsError.EINVAL, "negative offset");
        ulong size = inode.Size;
        if ((ulong)offset >= size || buffer.Length == 0)
            return 0;
        int count = (int)Math.Min((ulong)buffer.Length, size - (ulong)offset);
        int maxRun = Math.Max(1, MaxDirectRunBytes / _blockSize);
        int done = 0;
        while (done < count)
        {
            long position = offset + done;
            int inBlock = (int)(position % _blockSize);
            int n = Math.Min(_blockSize - inBlock, count - done);
            long logical = position / _blockSize;
            uint block = MapBlock(inode, logical);
            if (inBlock == 0 && n == _blockSize && block != 0 && !_cache.Holds(block))
            {
                // A run: the following whole blocks that are next on the disk too, and not cached.
                int run = 1;
                while (run < maxRun && done + (run + 1) * _blockSize <= count)
                {
                    uint next = MapBlock(inode, logical + run);
                    if (next != block + run || _cache.Holds(next)) break;
                    run++;
                }
                if (direct.ReadBlocks(block, run, done))
                {
                    done += run * _blockSize;
                    DirectBytesRead += run * _blockSize;
                    continue;
                }
            }
            if (block == 0)
                buffer.Slice(done, n).Clear();
            else
                _cache.ReadData(block, inBlock, buffer.Slice(done, n));
            done += n;
        }
        return count;
    }
}
