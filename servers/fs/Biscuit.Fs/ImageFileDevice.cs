// IBlockDevice over a disk-image file on the host (tests, image tools). Positional reads and writes
// (RandomAccess) on one file handle; no buffering of its own (the BlockCache above does that).
namespace Biscuit.Fs;

using Microsoft.Win32.SafeHandles;

public sealed class ImageFileDevice : IBlockDevice
{
    private readonly SafeFileHandle _handle; // owned; closed by Dispose
    private readonly bool _readOnly;
    private readonly bool _flushToDisk; // false: Flush does not fsync (tests, throw-away images)

    public int BlockSize { get; }
    public long BlockCount { get; }

    public ImageFileDevice(string path, bool readOnly = false, int blockSize = 512, bool flushToDisk = true)
    {
        _flushToDisk = flushToDisk;
        if (blockSize < 512 || (blockSize & (blockSize - 1)) != 0)
            throw new FsException(FsError.EINVAL, $"device block size {blockSize} is not a power of two >= 512");
        _readOnly = readOnly;
        _handle = File.OpenHandle(path, FileMode.Open, readOnly ? FileAccess.Read : FileAccess.ReadWrite,
            FileShare.ReadWrite);
        BlockSize = blockSize;
        BlockCount = RandomAccess.GetLength(_handle) / blockSize;
    }

    public void ReadBlocks(long firstBlock, Span<byte> destination)
    {
        CheckRange(firstBlock, destination.Length);
        int done = 0;
        while (done < destination.Length)
        {
            int n = RandomAccess.Read(_handle, destination[done..], firstBlock * BlockSize + done);
            if (n <= 0)
                throw new FsException(FsError.EIO, $"short read at device block {firstBlock}");
            done += n;
        }
    }

    public void WriteBlocks(long firstBlock, ReadOnlySpan<byte> source)
    {
        if (_readOnly)
            throw new FsException(FsError.EROFS, "device opened read-only");
        CheckRange(firstBlock, source.Length);
        RandomAccess.Write(_handle, source, firstBlock * BlockSize);
    }

    public void Flush()
    {
        if (!_readOnly && _flushToDisk)
            RandomAccess.FlushToDisk(_handle);
    }

    public void Dispose() => _handle.Dispose();

    private void CheckRange(long firstBlock, int length)
    {
        if (length % BlockSize != 0)
            throw new FsException(FsError.EINVAL, $"transfer of {length} bytes is not a whole number of blocks");
        if (firstBlock < 0 || firstBlock + length / BlockSize > BlockCount)
            throw new FsException(FsError.EIO, $"device blocks {firstBlock}+{length / BlockSize} beyond the end ({BlockCount})");
    }
}
