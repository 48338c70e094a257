// An IBlockDevice wrapper for tests: counts writes (to prove a refused operation wrote nothing) and can
// be told to fail every write after a number of them.
namespace Biscuit.Fs.Tests;

public sealed class CountingDevice(IBlockDevice inner) : IBlockDevice
{
    public long Writes { get; private set; }

    public int BlockSize => inner.BlockSize;
    public long BlockCount => inner.BlockCount;
    public void ReadBlocks(long firstBlock, Span<byte> destination) => inner.ReadBlocks(firstBlock, destination);

    public void WriteBlocks(long firstBlock, ReadOnlySpan<byte> source)
    {
        Writes++;
        inner.WriteBlocks(firstBlock, source);
    }

    public void Flush() => inner.Flush();
    public void Dispose() => inner.Dispose();
}
