// A device that loses power after a given number of block writes (or device flushes): that write and
// every later write or flush fail with EIO and never reach the image. What was written before stays
// (no torn blocks).
namespace Biscuit.Fs.Tests;

public sealed class FailingDevice(IBlockDevice inner, long writesBeforeFailure) : IBlockDevice
{
    public long Writes { get; private set; }
    public long Flushes { get; private set; }
    /// <summary>Power is lost once this many flushes have completed.</summary>
    public long FlushesBeforeFailure { get; set; } = long.MaxValue;
    public bool Failed => Writes >= writesBeforeFailure || Flushes >= FlushesBeforeFailure;

    public int BlockSize => inner.BlockSize;
    public long BlockCount => inner.BlockCount;
    public void ReadBlocks(long firstBlock, Span<byte> destination) => inner.ReadBlocks(firstBlock, destination);

    public void WriteBlocks(long firstBlock, ReadOnlySpan<byte> source)
    {
        if (Failed)
            throw new FsException(FsError.EIO, "power lost");
        Writes++;
        inner.WriteBlocks(firstBlock, source);
    }

    public void Flush()
    {
        if (Failed)
            throw new FsException(FsError.EIO, "power lost");
        inner.Flush();
        Flushes++;
    }

    public void Dispose() => inner.Dispose();
}
