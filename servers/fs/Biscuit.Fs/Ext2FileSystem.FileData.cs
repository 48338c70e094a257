// File contents: read, write and truncate of regular files, by inode number (the fs server's open-file
// handle). Holes read as zeros. A write first maps or allocates every block it needs and only then copies
// data, so running out of space (ENOSPC) fails the whole write with nothing changed; short writes do not
// happen. Truncating down frees the blocks past the new end and zeroes the tail of the last block, so a
// later extension reads zeros there (POSIX truncate(2)).
namespace Biscuit.Fs;

public sealed partial class Ext2FileSystem
{
    private readonly List<(uint Block, bool Fresh)> _writePlan = new(); // reused by Write; owner: Write

    private Inode ReadRegularFile(uint number)
    {
        var inode = ReadLiveInode(number);
        if (inode.IsDirectory)
            throw new FsException(FsError.EISDIR, $"inode {number} is a directory");
        if (!inode.IsRegular)
            throw new FsException(FsError.EINVAL, $"inode {number} is not a regular file");
        return inode;
    }

    /// <summary>Reads up to buffer.Length bytes at `offset`; returns the count (0 at or past the end).</summary>
    public int Read(uint inodeNumber, long offset, Span<byte> buffer)
    {
        Begin(modifies: false);
        try
        {
            int count = ReadLocked(ReadRegularFile(inodeNumber), offset, buffer);
            Commit();
            return count;
        }
        catch
        {
            Abort();
            throw;
        }
    }

    private int ReadLocked(Inode inode, long offset, Span<byte> buffer)
    {
        if (offset < 0)
            throw new FsException(FsError.EINVAL, "negative offset");
        ulong size = inode.Size;
        if ((ulong)offset >= size || buffer.Length == 0)
            return 0;
        int count = (int)Math.Min((ulong)buffer.Length, size - (ulong)offset);
        int done = 0;
        while (done < count)
        {
            long position = offset + done;
            int inBlock = (int)(position % _blockSize);
            int n = Math.Min(_blockSize - inBlock, count - done);
            uint block = MapBlock(inode, position / _blockSize);
            if (block == 0)
                buffer.Slice(done, n).Clear();
            else
                _cache.ReadData(block, inBlock, buffer.Slice(done, n));
            done += n;
        }
        return count;
    }

    /// <summary>Writes all of `data` at `offset`, extending the file if needed; returns data.Length.</summary>
    public int Write(uint inodeNumber, long offset, ReadOnlySpan<byte> data)
    {
        for (int attempt = 0; ; attempt++)
        {
            Begin(modifies: true);
            try
            {
                WriteLocked(ReadRegularFile(inodeNumber), offset, data);
                Commit();
            }
            catch (PendingFreesException) when (attempt == 0)
            {
                Abort();
                Flush();
                continue;
            }
            catch
            {
                Abort();
                throw;
            }
            AfterOperation();
            return data.Length;
        }
    }

    private void WriteLocked(Inode inode, long offset, ReadOnlySpan<byte> data)
    {
        if (offset < 0)
            throw new FsException(FsError.EINVAL, "negative offset");
        if (data.Length == 0)
            return;
        long end = offset + data.Length;
        if (end > MaxFileSize)
            throw new FsException(FsError.EFBIG, $"write ending at {end} exceeds the largest file ({MaxFileSize})");
        // Phase 1: every allocation (may fail with ENOSPC; rolled back).
        _writePlan.Clear();
        uint goal = 0;
        for (long logical = offset / _blockSize; logical <= (end - 1) / _blockSize; logical++)
        {
            uint block = MapOrAllocate(inode, logical, goal, out bool fresh);
            _writePlan.Add((block, fresh));
            goal = block + 1;
        }
        // Phase 2: copy the data; nothing below can run out of space.
        int done = 0;
        foreach (var (block, fresh) in _writePlan)
        {
            int inBlock = (int)((offset + done) % _blockSize);
            int n = Math.Min(_blockSize - inBlock, data.Length - done);
            _cache.WriteData(block, inBlock, data.Slice(done, n), fresh);
            done += n;
        }
        if ((ulong)end > inode.Size)
            SetFileSize(inode, (ulong)end);
        inode.ModifyTime = inode.ChangeTime = Now();
        WriteInode(inode);
    }

    /// <summary>Sets the size of regular file `inodeNumber` (truncate(2)/ftruncate(2)).</summary>
    public void Truncate(uint inodeNumber, long size) =>
        Run(modifies: true, () => TruncateLocked(ReadRegularFile(inodeNumber), size));

    /// <summary>truncate(2) by path (follows symbolic links).</summary>
    public void Truncate(string path, long size) =>
        Run(modifies: true, () => TruncateLocked(ReadRegularFile(Resolve(path, followLast: true)), size));

    private void TruncateLocked(Inode inode, long size)
    {
        if (size < 0)
            throw new FsException(FsError.EINVAL, "negative size");
        if (size > MaxFileSize)
            throw new FsException(FsError.EFBIG, $"size {size} exceeds the largest file ({MaxFileSize})");
        if ((ulong)size < inode.Size)
        {
            FreeBlocksFrom(inode, (size + _blockSize - 1) / _blockSize);
            int tail = (int)(size % _blockSize);
            if (tail != 0)
            {
                uint block = MapBlock(inode, size / _blockSize);
                if (block != 0)
                {
                    Span<byte> zeros = stackalloc byte[_blockSize - tail];
                    zeros.Clear();
                    _cache.WriteData(block, tail, zeros, fresh: false);
                }
            }
        }
        SetFileSize(inode, (ulong)size);
        inode.ModifyTime = inode.ChangeTime = Now();
        WriteInode(inode);
    }

    /// <summary>Sets i_size; a file of 2 GiB or more needs the large_file feature, which is switched on.</summary>
    private void SetFileSize(Inode inode, ulong size)
    {
        inode.Size = size;
        if (size > int.MaxValue && (_sb.FeatureRoCompat & Features.RoCompatLargeFile) == 0)
        {
            _sb.FeatureRoCompat |= Features.RoCompatLargeFile;
            SaveSuperblock();
        }
    }
}
