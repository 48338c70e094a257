// Direct reads into fs's data window (Biscuit.Block.Protocol/DirectContracts.cs, WindowDisk.cs): once
// per driver instance fs lends its window's pages to the driver and asks it to pin them (PinDirect);
// ReadIntoWindow then has the device DMA sectors into the window. The driver's death is handled as
// for slot requests: the read is idempotent, so after a new Connect the pages are lent and pinned
// again and the read is issued again (the new driver answers ENOTCONN until then). The data lands in
// fs's own pages, so no window check is needed after a direct read: a dying driver takes nothing away.
//
// A loan or pin the driver or kernel refuses for a reason other than the driver's death (an older
// driver without PinDirect, a loan the kernel refuses) turns direct reads off for this run, with the
// reason kept in DirectOffReason: reads then go through the cache as before, nothing fails.
using Biscuit.Block.Protocol;

namespace Biscuit.Fs.Service;

public sealed partial class RemoteBlockDevice
{
    private const int ESRCH = 3;
    private readonly IWindowLoan? loan;
    private bool pinned;            // the driver now serving has our window pinned
    private string? directOff;      // why direct reads are off for this run (null: on, if lent)

    /// <summary>Direct reads completed; pins made (one per driver instance, normally).</summary>
    public long DirectReads { get; private set; }
    public long Pins { get; private set; }

    /// <summary>Null while direct reads are possible; else why not.</summary>
    public string? DirectOffReason => loan == null ? "no window lent" : directOff;

    public bool ReadIntoWindow(long windowOffset, long sector, int sectors)
    {
        if (loan == null || directOff != null) return false;
        var request = new DirectRead(windowOffset, sector, sectors);
        var deadline = DateTime.UtcNow + giveUpAfter;
        while (true)
        {
            EnsureConnected(deadline);
            if (!pinned && !Pin(deadline)) return false;
            if (!connected) continue;
            var r = driver.Call(DirectContracts.ReadDirect, request, CallTimeoutMs);
            if (!Completed(r, deadline, $"direct read of sectors {sector}+{sectors} into window byte {windowOffset}")) continue;
            DirectReads++;
            return true;
        }
    }

    // Lends and pins. True: pinned, or the driver died meanwhile (connected is false: the caller
    // loops and connects again); false: direct reads are now off (directOff says why).
    private bool Pin(DateTime deadline)
    {
        int lent = loan!.LendToDriver();
        if (lent == ESRCH)
        {
            Died(deadline, "lending the window (no driver serving)");
            return true;
        }
        if (lent != 0) return TurnOff($"the kernel refused to lend the window to the driver: errno {lent}");
        var r = driver.Call(DirectContracts.PinDirect, new PinRequest(loan.Pages), CallTimeoutMs);
        if (!r.IsOk && DriverDied(r))
        {
            Died(deadline, "pinning the window");
            return true;
        }
        if (!r.IsOk || !r.Value.IsOk)
            return TurnOff(r.IsOk ? $"the driver refused the pin: errno {r.Value.Errno}: {r.Value.Message}" : $"PinDirect: {r}");
        pinned = true;
        if (Pins++ == 0) Console.WriteLine($"fs: the block driver pinned the {loan.Pages} pages of the data window: large reads go disk → window");
        return true;
    }

    // Says why once (the serial console) and keeps the reason: reads go through the cache from now on.
    private bool TurnOff(string why)
    {
        directOff = why;
        Console.WriteLine($"fs: direct reads off: {why}");
        return false;
    }
}
