// The disk reading straight into fs's data window (issue 5 item 3). fs lends its data window's pages
// to the block driver, which pins them (dma_pin) and DMAs sectors into them (DirectContracts): a
// large read that misses the cache goes disk → window with no copy in fs, and posix then copies once
// into the application. IWindowDisk is that path (RemoteBlockDevice on Biscuit); WindowDirectReader
// adapts it to the library's IDirectBlockReader for one ReadToWindow, whose slot it addresses.
// Invariant: a WindowDirectReader is used under FileService's gate only (WindowBase is per request).
using Biscuit.Block.Protocol;

namespace Biscuit.Fs.Service;

public interface IWindowDisk
{
    /// <summary>Reads `sectors` 512-byte sectors from `sector` into the data window at byte
    /// `windowOffset` (a multiple of 512, the range inside the window). False: no direct path now
    /// (never lent, or the driver refused it): read through the cache instead. Throws
    /// FsException(EIO) for device errors and for a driver that does not come back.</summary>
    bool ReadIntoWindow(long windowOffset, long sector, int sectors);
}

/// <summary>What fs lends the driver: its data window's pages, granted writable at DirectWindow.Address
/// in the driver (grant_create naming the driver's endpoint).</summary>
public interface IWindowLoan
{
    /// <summary>Pages lent (the whole data window).</summary>
    int Pages { get; }

    /// <summary>Revokes an earlier loan (if any) and lends the pages to the driver now serving:
    /// 0 or a Linux errno (ESRCH: no driver is serving — it died; EEXIST: the driver has something there).</summary>
    int LendToDriver();
}

public sealed class WindowDirectReader(IWindowDisk disk, int blockSize) : IDirectBlockReader
{
    private readonly int sectorsPerBlock = blockSize / 512;

    /// <summary>The window byte where the current request's destination starts (its slot).</summary>
    public int WindowBase { get; set; }

    /// <summary>Blocks the device read into the window directly.</summary>
    public long BlocksRead { get; private set; }

    public bool ReadBlocks(long firstBlock, int count, int destinationOffset)
    {
        long windowOffset = WindowBase + (long)destinationOffset;
        if (windowOffset % 512 != 0 || (long)count * blockSize > DirectWindow.MaxTransferBytes) return false;
        if (!disk.ReadIntoWindow(windowOffset, firstBlock * sectorsPerBlock, count * sectorsPerBlock)) return false;
        BlocksRead += count;
        return true;
    }
}
