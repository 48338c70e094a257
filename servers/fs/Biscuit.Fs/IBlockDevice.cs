// A block device as the file system sees it: a fixed number of equal-sized blocks, read and written
// whole. Implementations: ImageFileDevice (a host image file); later the virtio-blk client in the server.
// Invariant: BlockSize is a power of two >= 512; transfers are whole blocks inside [0, BlockCount).
namespace Biscuit.Fs;

public interface IBlockDevice : IDisposable
{
    /// <summary>Size of one device block in bytes (a power of two, at least 512).</summary>
    int BlockSize { get; }

    /// <summary>Number of blocks on the device.</summary>
    long BlockCount { get; }

    /// <summary>Reads destination.Length / BlockSize blocks starting at firstBlock.</summary>
    void ReadBlocks(long firstBlock, Span<byte> destination);

    /// <summary>Writes source.Length / BlockSize blocks starting at firstBlock.</summary>
    void WriteBlocks(long firstBlock, ReadOnlySpan<byte> source);

    /// <summary>Makes every completed write durable.</summary>
    void Flush();
}
