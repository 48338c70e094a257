// An in-memory IBlockDevice for cache tests: a byte array, with counters of reads and writes.
namespace Biscuit.Fs.Tests;

public sealed class MemoryBlockDevice(int blockSize, int blockCount) : IBlockDevice
{
    public readonly byte[] Bytes = new byte[blockSize * blockCount];
    public int Reads { get; private set; }
    public int Writes { get; private set; }

    public int BlockSize => blockSize;
    public long BlockCount => blockCount;

    public void ReadBlocks(long firstBlock, Span<byte> destination)
    {
        Reads++;
        Bytes.AsSpan((int)firstBlock * blockSize, destination.Length).CopyTo(destination);
    }

    public void WriteBlocks(long firstBlock, ReadOnlySpan<byte> source)
    {
        Writes++;
        source.CopyTo(Bytes.AsSpan((int)firstBlock * blockSize));
    }

    public void Flush() { }
    public void Dispose() { }
}
