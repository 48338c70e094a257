// The data window's requests (Biscuit.Fs.Protocol/DataWindow.cs): MapDataWindow grants fs's window
// pages to the calling client once per client run; ReadToWindow and WriteFromWindow move one slot's
// bytes between an open file and the window, so file data never travels in a message. A large
// ReadToWindow has the disk DMA its uncached blocks into the window (WindowDisk.cs): no copy in fs. Every check
// — a window not granted or of another run (ENOTCONN), a slot or count outside the window (ERANGE),
// an unknown handle (EBADF), an address that is not page aligned (EINVAL), a second window (EBUSY) —
// is an error reply; nothing here throws for bad input.
using Biscuit.Annotations;
using Biscuit.Fs.Protocol;

namespace Biscuit.Fs.Service;

public sealed partial class FileService
{
    private ulong windowId;                 // guarded by gate: the granted window's id, 0 when none
    private ulong lastWindow;               // guarded by gate: windows granted in this run
    private readonly ulong windowNonce = (ulong)Random.Shared.Next(1, int.MaxValue) << 32;   // fixed for this run
    private long windowBytesRead, windowBytesWritten;     // guarded by gate: file bytes moved through the window
    private long messageBytesRead, messageBytesWritten;   // guarded by gate: file bytes moved inside messages (Read, Write)
    // Direct reads (WindowDisk.cs): a ReadToWindow of at least DirectReadThreshold bytes has the disk
    // read its uncached whole blocks straight into the window; the rest is copied as before.
    private const int DirectReadThreshold = 16 * 1024;
    private readonly WindowDirectReader? directReader = windowDisk == null ? null : new WindowDirectReader(windowDisk, fs.BlockSize);   // guarded by gate

    /// <summary>Blocks the disk read straight into the window (for tests and figures).</summary>
    public long DirectBlocksRead { get { lock (gate) return directReader?.BlocksRead ?? 0; } }

    /// <summary>The window granted now, or 0 (for tests).</summary>
    public ulong WindowId { get { lock (gate) return windowId; } }

    [RequestHandler("MapDataWindow")]
    public FsReply<DataWindowLayout> MapDataWindow(long address)
    {
        if (windowPages == null) return FsReply<DataWindowLayout>.Fail(Errno.EOPNOTSUPP, "this server has no data window");
        if (address <= 0 || address % DataWindowLimits.PageBytes != 0)
            return FsReply<DataWindowLayout>.Fail(Errno.EINVAL, "the window's address must be a positive multiple of 4096");
        lock (gate)
        {
            if (windowId != 0)
                return FsReply<DataWindowLayout>.Fail(Errno.EBUSY, "a window is granted already (ResetClient gives it back)");
            int r = windowPages.GrantToCaller(address);
            if (r < 0) return FsReply<DataWindowLayout>.Fail(-r, "the window could not be granted at that address");
            windowId = windowNonce | (++lastWindow & 0xFFFF_FFFF);
            return FsReply<DataWindowLayout>.Ok(new DataWindowLayout(windowId, DataWindowLimits.Slots, DataWindowLimits.SlotBytes));
        }
    }

    [RequestHandler("ReadToWindow")]
    public FsReply<long> ReadToWindow(WindowTransfer t)
    {
        lock (gate)
        {
            int bad = TransferError(t, out string why);
            if (bad != Errno.None) return FsReply<long>.Fail(bad, why);
            if (!files.TryGet(t.Handle, out uint inode)) return BadHandle<long>(t.Handle);
            try
            {
                var destination = windowPages!.Bytes(t.Slot * DataWindowLimits.SlotBytes, t.Count);
                int read;
                if (directReader != null && t.Count >= DirectReadThreshold)
                {
                    directReader.WindowBase = t.Slot * DataWindowLimits.SlotBytes;
                    read = LibraryCalls.ReadDirect(fs, inode, t.Offset, destination, directReader);
                }
                else read = LibraryCalls.ReadSpan(fs, inode, t.Offset, destination);
                windowBytesRead += read;
                return FsReply<long>.Ok(read);
            }
            catch (FsException e) { return Failed<long>(e); }
        }
    }

    [RequestHandler("WriteFromWindow")]
    public FsReply<long> WriteFromWindow(WindowTransfer t)
    {
        lock (gate)
        {
            int bad = TransferError(t, out string why);
            if (bad != Errno.None) return FsReply<long>.Fail(bad, why);
            if (!files.TryGet(t.Handle, out uint inode)) return BadHandle<long>(t.Handle);
            try
            {
                int written = LibraryCalls.WriteSpan(fs, inode, t.Offset, windowPages!.Bytes(t.Slot * DataWindowLimits.SlotBytes, t.Count));
                windowBytesWritten += written;
                return FsReply<long>.Ok(written);
            }
            catch (FsException e) { return Failed<long>(e); }
        }
    }

    // Under gate. The window checks of a transfer (its handle is checked by the caller).
    private int TransferError(WindowTransfer t, out string why)
    {
        why = "";
        if (windowId == 0 || t.WindowId != windowId)
        {
            why = windowId == 0 ? "no data window is granted (MapDataWindow first)" : "the window named is not this run's (map it again)";
            return Errno.ENOTCONN;
        }
        if (t.Slot < 0 || t.Slot >= DataWindowLimits.Slots || t.Count < 0 || t.Count > DataWindowLimits.SlotBytes)
        {
            why = $"slot {t.Slot}, {t.Count} bytes: outside the window ({DataWindowLimits.Slots} slots of {DataWindowLimits.SlotBytes} bytes)";
            return Errno.ERANGE;
        }
        return Errno.None;
    }

    // Under gate: the client is gone (ResetClient); its window is taken back.
    private void RevokeWindow()
    {
        windowPages?.Revoke();
        windowId = 0;
    }
}
