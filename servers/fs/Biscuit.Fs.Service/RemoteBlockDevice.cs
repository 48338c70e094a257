// The disk as fs sees it on Biscuit: an IBlockDevice that asks the block driver server
// (drivers/virtio-blk, Biscuit.Block.Protocol) to move sectors through its slot window. The data
// never travels in a message: the driver DMAs into a slot that is also mapped here, and fs copies
// between the slot and the library's buffer (one copy each way).
//
// Restarts (issue 9 item 3): block reads and writes are idempotent, so any request whose driver
// died — the call failed with EOWNERDEAD, or the new driver answers ENOTCONN, or the window is gone
// — is issued again after a new Connect (which maps the new driver's window at the same address),
// for up to `GiveUpAfter`. Only then, or on an error the device itself reported (EIO, ENXIO, EINVAL:
// a defect), does the caller get an FsException(EIO).
//
// Invariants: the window is touched only right after IsMapped said true (a vanished window is
// never touched: that would kill fs); `connected` is false from a death until the next successful
// Connect; `pinned` is false from a death until the next successful PinDirect. Not thread-safe: the
// file system calls it under its own lock, one request at a time.
using Biscuit.Block.Protocol;
using Biscuit.Lib.Client;
using Biscuit.Lib.Kernel;

namespace Biscuit.Fs.Service;

public sealed partial class RemoteBlockDevice : IBlockDevice, IWindowDisk
{
    public static readonly TimeSpan DefaultGiveUpAfter = TimeSpan.FromSeconds(30);
    private const ulong CallTimeoutMs = 20_000;

    private readonly ServiceClient driver;
    private readonly IBlockWindow window;
    private readonly TimeSpan giveUpAfter;
    private ConnectReply geometry;
    private bool connected;

    public int BlockSize => 512;
    public long BlockCount => geometry.Sectors;
    public bool CanFlush => geometry.CanFlush;

    /// <summary>Requests that completed; requests issued again after the driver died; connects made.</summary>
    public long Requests { get; private set; }
    public long Reissued { get; private set; }
    public long Connects { get; private set; }

    private RemoteBlockDevice(ServiceClient driver, IBlockWindow window, TimeSpan giveUpAfter, IWindowLoan? loan)
    {
        this.driver = driver;
        this.window = window;
        this.giveUpAfter = giveUpAfter;
        this.loan = loan;
    }

    /// <summary>Connects to the driver (its window mapped at window.Address) or throws FsException(EIO)
    /// saying why. With a loan, large reads may go straight into fs's data window (RemoteBlockDevice.Direct.cs).</summary>
    public static RemoteBlockDevice Open(ServiceClient driver, IBlockWindow window, TimeSpan? giveUpAfter = null, IWindowLoan? loan = null)
    {
        var device = new RemoteBlockDevice(driver, window, giveUpAfter ?? DefaultGiveUpAfter, loan);
        string? why = device.TryConnect(out bool retryable);
        if (why != null) throw new FsException(FsError.EIO, "block driver: " + why + (retryable ? " (the driver is not answering)" : ""));
        return device;
    }

    public void ReadBlocks(long firstBlock, Span<byte> destination)
    {
        for (int done = 0; done < destination.Length;)
        {
            int bytes = Math.Min(geometry.SlotBytes, destination.Length - done);
            Issue(write: false, firstBlock + done / 512, destination.Slice(done, bytes), default);
            done += bytes;
        }
    }

    public void WriteBlocks(long firstBlock, ReadOnlySpan<byte> source)
    {
        for (int done = 0; done < source.Length;)
        {
            int bytes = Math.Min(geometry.SlotBytes, source.Length - done);
            Issue(write: true, firstBlock + done / 512, default, source.Slice(done, bytes));
            done += bytes;
        }
    }

    public void Flush()
    {
        var deadline = DateTime.UtcNow + giveUpAfter;
        while (true)
        {
            EnsureConnected(deadline);
            var r = driver.Call(BlockContracts.Flush, default, CallTimeoutMs);
            if (Completed(r, deadline, "flush")) return;
        }
    }

    public void Dispose() { }

    // One slot-sized request, issued again until it completes on a live driver.
    private void Issue(bool write, long sector, Span<byte> into, ReadOnlySpan<byte> from)
    {
        int bytes = write ? from.Length : into.Length;
        if (bytes % 512 != 0) throw new FsException(FsError.EINVAL, $"block device: {bytes} bytes is not a whole number of sectors");
        var request = new TransferRequest(0, sector, bytes / 512);
        var deadline = DateTime.UtcNow + giveUpAfter;
        while (true)
        {
            EnsureConnected(deadline);
            if (write)
            {
                if (!window.IsMapped()) { Died(deadline, "window gone before a write"); continue; }
                from.CopyTo(window.Bytes(0, bytes));
            }
            var r = driver.Call(write ? BlockContracts.Write : BlockContracts.Read, request, CallTimeoutMs);
            if (!Completed(r, deadline, $"{(write ? "write" : "read")} of sectors {sector}+{bytes / 512}")) continue;
            if (!write)
            {
                // The driver may have died after replying: its window is then gone, and the data with it.
                if (!window.IsMapped()) { Died(deadline, "window gone after a read"); continue; }
                window.Bytes(0, bytes).CopyTo(into);
            }
            return;
        }
    }

    // True if the call completed; false if the driver died (reconnect and issue again); throws for
    // errors the driver reported and for a driver that stays away past the deadline.
    private bool Completed(CallResult<BlockStatus> r, DateTime deadline, string what)
    {
        if (r.IsOk && r.Value.IsOk)
        {
            Requests++;
            return true;
        }
        if (r.IsOk && r.Value.Errno != BlockErrno.NotConnected)
            throw new FsException(FsError.EIO, $"block driver: {what}: errno {r.Value.Errno}: {r.Value.Message}");
        if (!r.IsOk && !DriverDied(r))
            throw new FsException(FsError.EIO, $"block driver: {what}: {r}");
        Died(deadline, what);
        return false;
    }

    private static bool DriverDied<T>(CallResult<T> r) =>
        r.Error == KernelError.OwnerDead || r.Outcome == CallOutcome.ServerDied;

    private void Died(DateTime deadline, string what)
    {
        connected = false;
        pinned = false;
        Reissued++;
        if (DateTime.UtcNow > deadline)
            throw new FsException(FsError.EIO, $"block driver: {what}: the driver did not come back within {giveUpAfter.TotalSeconds:0} s");
    }

    private void EnsureConnected(DateTime deadline)
    {
        while (!connected)
        {
            string? why = TryConnect(out bool retryable);
            if (why == null) return;
            if (!retryable || DateTime.UtcNow > deadline) throw new FsException(FsError.EIO, "block driver: reconnecting: " + why);
            Thread.Sleep(10);
        }
    }

    // Null when connected; else why not, and whether trying again may help (the driver died again).
    private string? TryConnect(out bool retryable)
    {
        retryable = false;
        var r = driver.Call(BlockContracts.Connect, new ConnectRequest(window.Address), CallTimeoutMs);
        if (!r.IsOk)
        {
            retryable = DriverDied(r);
            return r.ToString();
        }
        var reply = r.Value;
        if (reply.Errno != BlockErrno.None) return $"connect: errno {reply.Errno}: {reply.Message}";
        if (reply.SectorSize != 512 || reply.Slots < 1 || reply.SlotBytes < 512 || reply.SlotBytes % 512 != 0)
            return $"connect: unusable geometry ({reply.SectorSize}-byte sectors, {reply.Slots} slots of {reply.SlotBytes} bytes)";
        if (Connects > 0 && (reply.Sectors != geometry.Sectors || reply.SlotBytes != geometry.SlotBytes))
            return $"connect: the disk changed ({geometry.Sectors} sectors before, {reply.Sectors} now)";
        geometry = reply;
        connected = true;
        Connects++;
        return null;
    }
}
