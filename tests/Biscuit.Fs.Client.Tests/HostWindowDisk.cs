// The disk reading straight into fs's data window, on the host: the image file read into the window's
// pages, as blk's ReadDirect has the device DMA into them on Biscuit. It counts what it read.
using Biscuit.Fs;
using Biscuit.Fs.Service;

namespace Biscuit.Fs.Client.Tests;

public sealed class HostWindowDisk(IBlockDevice device, HostDataWindowPages window) : IWindowDisk
{
    public int Reads { get; private set; }
    public long SectorsRead { get; private set; }

    /// <summary>Answers false (as a driver that refused the pin) when set.</summary>
    public bool Refuse { get; set; }

    public bool ReadIntoWindow(long windowOffset, long sector, int sectors)
    {
        if (Refuse) return false;
        Assert.True(windowOffset % 512 == 0 && windowOffset >= 0 && windowOffset + sectors * 512L <= window.Bytes(0, 0).Length + 16L * 65536,
            $"window byte {windowOffset} + {sectors} sectors");
        device.ReadBlocks(sector * 512 / device.BlockSize, window.Bytes((int)windowOffset, sectors * 512));
        Reads++;
        SectorsRead += sectors;
        return true;
    }
}
