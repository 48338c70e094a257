// The block driver's request handlers (drivers/virtio-blk/README.md): Connect grants the DMA slot
// window to the caller, Read/Write move sectors between the disk and a slot, Flush, Identify and
// DiskStats. Bad input is an error reply, never an exception: an unknown slot or a count that does
// not fit a slot is EINVAL, a range that leaves the disk ENXIO, a request before Connect ENOTCONN.
//
// Invariants: `connected` and `connects` change only under `gate` (Connect is rare and serialised);
// Read/Write/Flush run concurrently on lib's workers, each blocking only itself in the queue;
// counters are updated with Interlocked. One client at a time: a Connect moves the window to its
// caller (the previous grant, a dead fs's, is revoked). Direct reads into lent pages:
// BlockService.Direct.cs.
using Biscuit.Annotations;
using Biscuit.Block.Protocol;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Server;

namespace Biscuit.VirtioBlk;

public sealed partial class BlockService(IDiskQueue disk, IWindowGrant window, IDirectPin? direct = null)
{
    public const int SectorSize = 512;

    private readonly object gate = new();
    private bool connected;                 // guarded by gate: a window is granted to a client
    private long connects;                  // guarded by gate: connects since start (the generation)
    private long requests, reads, writes, flushes, bytesRead, bytesWritten, errors;   // Interlocked
    private int inFlight, maxInFlight;      // Interlocked

    public void RegisterOn(MessageServer server)
    {
        server.Register(BlockContracts.Connect, Connect);
        server.Register(BlockContracts.Read, Read);
        server.Register(BlockContracts.Write, Write);
        server.Register(BlockContracts.Flush, Flush);
        server.Register(BlockContracts.Identify, Identify);
        server.Register(BlockContracts.DiskStats, Stats);
        server.Register(DirectContracts.PinDirect, PinDirect);
        server.Register(DirectContracts.ReadDirect, ReadDirect);
    }

    [RequestHandler("Connect")]
    public ConnectReply Connect(ConnectRequest request)
    {
        if (request.WindowAddress == 0 || request.WindowAddress % 4096 != 0)
            return Geometry(BlockErrno.Invalid, BlockMessages.BadWindow(request.WindowAddress), 0);
        lock (gate)
        {
            int error = GrantWindow(request.WindowAddress);
            if (error != 0)
            {
                connected = false;
                return Geometry(error, BlockMessages.GrantFailed(error), connects);
            }
            connected = true;
            connects++;
            return Geometry(BlockErrno.None, "", connects);
        }
    }

    [RequestHandler("Identify")]
    public ConnectReply Identify(Empty request)
    {
        lock (gate) return Geometry(BlockErrno.None, "", connects);
    }

    [RequestHandler("Read")]
    public BlockStatus Read(TransferRequest request) => Move(write: false, request);

    [RequestHandler("Write")]
    public BlockStatus Write(TransferRequest request) => Move(write: true, request);

    [RequestHandler("Flush")]
    public BlockStatus Flush(Empty request)
    {
        if (!IsConnected) return BlockMessages.NotConnected;
        Interlocked.Increment(ref requests);
        Interlocked.Increment(ref flushes);
        Enter();
        BlockStatus status = DeviceFlush();
        Leave();
        if (!status.IsOk) Interlocked.Increment(ref errors);
        return status;
    }

    [RequestHandler("DiskStats")]
    public DiskStats Stats(Empty request) => new(Volatile.Read(ref requests), Volatile.Read(ref reads), Volatile.Read(ref writes),
        Volatile.Read(ref flushes), Volatile.Read(ref bytesRead), Volatile.Read(ref bytesWritten), Volatile.Read(ref errors),
        disk.Interrupts, Volatile.Read(ref inFlight), Volatile.Read(ref maxInFlight), disk.QueueSize, ConnectCount,
        DirectReads, Volatile.Read(ref pins));

    private bool IsConnected
    {
        get { lock (gate) return connected; }
    }

    private long ConnectCount
    {
        get { lock (gate) return connects; }
    }

    private BlockStatus Move(bool write, TransferRequest request)
    {
        if (!IsConnected) return BlockMessages.NotConnected;
        if (request.Slot < 0 || request.Slot >= disk.Slots) return BlockMessages.BadSlot(request.Slot, disk.Slots);
        if (request.Sectors <= 0 || (long)request.Sectors * SectorSize > disk.SlotBytes)
            return BlockMessages.BadCount(request.Sectors, disk.SlotBytes / SectorSize);
        if (request.Sector < 0 || request.Sector > disk.Sectors - request.Sectors)
            return BlockMessages.BeyondDisk(request.Sector, request.Sectors, disk.Sectors);
        Interlocked.Increment(ref requests);
        Interlocked.Increment(ref write ? ref writes : ref reads);
        Enter();
        BlockStatus status = DeviceTransfer(write, request.Slot, request.Sector, request.Sectors);
        Leave();
        if (!status.IsOk) Interlocked.Increment(ref errors);
        else Interlocked.Add(ref write ? ref bytesWritten : ref bytesRead, (long)request.Sectors * SectorSize);
        return status;
    }

    private void Enter()
    {
        int now = Interlocked.Increment(ref inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref maxInFlight)) && Interlocked.CompareExchange(ref maxInFlight, now, seen) != seen) { }
    }

    private void Leave() => Interlocked.Decrement(ref inFlight);

    private ConnectReply Geometry(int errno, string message, long generation) =>
        new(errno, message, disk.Sectors, SectorSize, disk.Slots, disk.SlotBytes, disk.CanFlush, generation);

    // The calls into the device and the kernel: interface calls maxlive cannot follow. The queue and
    // the grant allocate nothing per request (descriptors, tags and waits are preallocated; a status
    // carries a message only on a device error, one string of < 200 bytes).
    [AssumeAllocation(512)]
    private BlockStatus DeviceTransfer(bool write, int slot, long sector, int sectors) => disk.Transfer(write, slot, sector, sectors);

    [AssumeAllocation(512)]
    private BlockStatus DeviceFlush() => disk.Flush();

    [AssumeAllocation(0)]
    private int GrantWindow(long address) => window.GrantToCaller(address);
}
