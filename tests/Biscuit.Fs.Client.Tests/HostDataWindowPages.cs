// fs's data window on the host: the pages are an array of this fs run; "granting" them records the
// address, where a test's client (HostDataWindowPages.At) then sees the same bytes — as posix sees
// fs's pages after grant_create. A crash of the run (Vanish) takes them away from the client, as the
// kernel revokes a dead process's grants. GrantAt lets a test refuse a grant, as the kernel would.
// HostWindowDisk: the direct reads into the window (WindowDisk.cs).
using Biscuit.Fs;
using Biscuit.Fs.Protocol;
using Biscuit.Fs.Service;

namespace Biscuit.Fs.Client.Tests;

public sealed class HostDataWindowPages : IDataWindowPages
{
    private readonly byte[] pages = new byte[DataWindowLimits.Slots * DataWindowLimits.SlotBytes];
    private long grantedAt;          // 0: not granted
    private bool vanished;

    /// <summary>Answers grant_create's result for an address (default: 0, granted).</summary>
    public Func<long, int> GrantAt { get; set; } = _ => 0;
    public int Grants { get; private set; }
    public int Revokes { get; private set; }

    public int GrantToCaller(long address)
    {
        int r = GrantAt(address);
        if (r < 0) return r;
        Revoke();
        grantedAt = address;
        Grants++;
        return 0;
    }

    public void Revoke()
    {
        if (grantedAt == 0) return;
        grantedAt = 0;
        Revokes++;
    }

    public Span<byte> Bytes(int offset, int length) => pages.AsSpan(offset, length);

    /// <summary>The run died: its pages are gone from the client.</summary>
    public void Vanish() => vanished = true;

    /// <summary>What the client sees at `address`: these pages if they are granted there, else nothing.</summary>
    public byte[]? At(long address) => !vanished && grantedAt == address ? pages : null;
}

/// <summary>The disk reading straight into the window, on the host: the image read into the window's
/// pages, as blk's ReadDirect has the device DMA into them on Biscuit (the linked copy of this file in
/// posix's tests brings it along with FsHarness). Counts what it read.</summary>
public sealed class HostWindowDisk(IBlockDevice device, HostDataWindowPages window) : IWindowDisk
{
    public int Reads { get; private set; }
    public long SectorsRead { get; private set; }

    /// <summary>Answers false (as a driver that refused the pin) when set.</summary>
    public bool Refuse { get; set; }

    public bool ReadIntoWindow(long windowOffset, long sector, int sectors)
    {
        if (Refuse) return false;
        Assert.True(windowOffset % 512 == 0 && windowOffset >= 0 && windowOffset + sectors * 512L <= (long)DataWindowLimits.Slots * DataWindowLimits.SlotBytes,
            $"window byte {windowOffset} + {sectors} sectors");
        device.ReadBlocks(sector * 512 / device.BlockSize, window.Bytes((int)windowOffset, sectors * 512));
        Reads++;
        SectorsRead += sectors;
        return true;
    }
}
