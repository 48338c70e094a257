// PinDirect and ReadDirect (Biscuit.Block.Protocol/DirectContracts.cs): the disk reads straight into
// pages the client lent the driver. Every bad request is an error reply: pages out of 1..MaxPages or
// no pin support → EINVAL; a read before a pin → ENOTCONN; an offset not a multiple of 512, a count
// of 0 or above MaxTransferBytes, a range outside the pinned pages → EINVAL; sectors off the disk →
// ENXIO; a pin the kernel refused → its errno (and nothing stays pinned).
//
// Invariants (under pinGate): pinnedPages is the count the pin holds now (0: none); a pin changes
// only while directInFlight is 0, so a read's pages stay pinned until the device is done with them
// (the kernel's pin is the only thing that protects memory from the device: no IOMMU).
using Biscuit.Annotations;
using Biscuit.Block.Protocol;

namespace Biscuit.VirtioBlk;

public sealed partial class BlockService
{
    private readonly object pinGate = new();
    private int pinnedPages;        // guarded by pinGate
    private int directInFlight;     // guarded by pinGate
    private long directReads;       // Interlocked
    private long pins;              // Interlocked: pins made since start

    /// <summary>Direct reads completed (for tests and the README's figures).</summary>
    public long DirectReads => Volatile.Read(ref directReads);

    [RequestHandler("PinDirect")]
    public BlockStatus PinDirect(PinRequest request)
    {
        if (direct == null) return BlockMessages.NoDirect;
        if (request.Pages < 1 || request.Pages > DirectWindow.MaxPages) return BlockMessages.BadPinCount(request.Pages, DirectWindow.MaxPages);
        lock (pinGate)
        {
            while (directInFlight > 0) Monitor.Wait(pinGate);
            int error = KernelPin(request.Pages);
            pinnedPages = error == 0 ? request.Pages : 0;
            if (error == 0) Interlocked.Increment(ref pins);
            return error == 0 ? BlockStatus.Done : BlockMessages.PinFailed(error);
        }
    }

    [RequestHandler("ReadDirect")]
    public BlockStatus ReadDirect(DirectRead request)
    {
        if (request.Offset < 0 || request.Offset % SectorSize != 0) return BlockMessages.MisalignedOffset(request.Offset);
        if (request.Sectors <= 0 || (long)request.Sectors * SectorSize > DirectWindow.MaxTransferBytes)
            return BlockMessages.BadCount(request.Sectors, DirectWindow.MaxTransferBytes / SectorSize);
        if (request.Sector < 0 || request.Sector > disk.Sectors - request.Sectors)
            return BlockMessages.BeyondDisk(request.Sector, request.Sectors, disk.Sectors);
        long bytes = (long)request.Sectors * SectorSize;
        lock (pinGate)
        {
            if (pinnedPages == 0) return BlockMessages.NotPinned;
            if (request.Offset > (long)pinnedPages * DirectWindow.PageBytes - bytes)
                return BlockMessages.OutsidePinned(request.Offset, bytes, pinnedPages);
            directInFlight++;
        }
        Interlocked.Increment(ref requests);
        Interlocked.Increment(ref reads);
        Enter();
        BlockStatus status = DeviceReadInto(request.Offset, request.Sector, request.Sectors);
        Leave();
        lock (pinGate)
        {
            directInFlight--;
            if (directInFlight == 0) Monitor.PulseAll(pinGate);
        }
        if (!status.IsOk) Interlocked.Increment(ref errors);
        else
        {
            Interlocked.Add(ref bytesRead, bytes);
            Interlocked.Increment(ref directReads);
        }
        return status;
    }

    // Calls into the kernel and the device (interface calls maxlive cannot follow): the pin allocates
    // nothing (its address array is preallocated), a read as much as a slot transfer.
    [AssumeAllocation(0)]
    private int KernelPin(int pages) => direct!.Pin(pages);

    [AssumeAllocation(512)]
    private BlockStatus DeviceReadInto(long offset, long sector, int sectors) => disk.ReadInto(direct!, offset, sector, sectors);
}
