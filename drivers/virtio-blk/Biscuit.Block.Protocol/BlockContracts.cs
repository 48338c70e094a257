// The requests the block driver answers (ids 16 and up; 1-15 are lib's: Stats, Shrink). Data never
// travels in a message: at Connect the driver grants its DMA buffer window to the caller (grant_create
// with process 0, Syscalls.md), and Read/Write name a slot of that window.
//
// Every request is idempotent: reading or writing the same sectors from the same slot twice has the
// effect of once, and so has a flush or a second Connect (the old grant is revoked, a new one made).
// So lib's client resends them when the driver died before replying; the new driver answers
// ENOTCONN until the client connects again (BlockErrno.NotConnected), which the client does.
using Biscuit.Lib.Messages;

namespace Biscuit.Block.Protocol;

public static class BlockContracts
{
    public static readonly RequestType<ConnectRequest, ConnectReply> Connect =
        new(16, "Connect", idempotent: true, BlockCodecs.ConnectRequest, BlockCodecs.ConnectReply);
    public static readonly RequestType<TransferRequest, BlockStatus> Read =
        new(17, "Read", idempotent: true, BlockCodecs.TransferRequest, BlockCodecs.Status);
    public static readonly RequestType<TransferRequest, BlockStatus> Write =
        new(18, "Write", idempotent: true, BlockCodecs.TransferRequest, BlockCodecs.Status);
    public static readonly RequestType<Empty, BlockStatus> Flush =
        new(19, "Flush", idempotent: true, Codecs.Empty, BlockCodecs.Status);
    public static readonly RequestType<Empty, ConnectReply> Identify =
        new(20, "Identify", idempotent: true, Codecs.Empty, BlockCodecs.ConnectReply);
    public static readonly RequestType<Empty, DiskStats> DiskStats =
        new(21, "DiskStats", idempotent: true, Codecs.Empty, BlockCodecs.DiskStats);
    // 22 PinDirect and 23 ReadDirect: DirectContracts.cs.
}

/// <summary>The Linux errno values a reply carries (0: done).</summary>
public static class BlockErrno
{
    public const int None = 0;
    public const int IoError = 5;          // EIO: the device reported an error
    public const int BeyondDevice = 6;     // ENXIO: a sector range that leaves the disk
    public const int OutOfMemory = 12;     // ENOMEM: no grant could be made
    public const int Invalid = 22;         // EINVAL: unknown slot, a count of 0 or more than a slot holds
    public const int NotConnected = 107;   // ENOTCONN: no window granted to this client (yet, or since a restart)
}

/// <summary>Connect: the address in the caller where the driver's window must appear (page aligned,
/// free in the caller).</summary>
public readonly record struct ConnectRequest(long WindowAddress);

/// <summary>The disk and the window: `Slots` buffers of `SlotBytes` each, slot i at window + i × SlotBytes.
/// `Generation` counts the driver's connects since it started (a new number each time).</summary>
public readonly record struct ConnectReply(int Errno, string Message, long Sectors, int SectorSize, int Slots, int SlotBytes,
    bool CanFlush, long Generation);

/// <summary>Read or write `Sectors` 512-byte sectors starting at `Sector` from or into slot `Slot`.</summary>
public readonly record struct TransferRequest(int Slot, long Sector, int Sectors);

public readonly record struct BlockStatus(int Errno, string Message)
{
    public static readonly BlockStatus Done = new(BlockErrno.None, "");
    public bool IsOk => Errno == BlockErrno.None;
}

/// <summary>The driver's figures (GC figures come from lib's standard Stats). DirectReads and Pins
/// (DirectContracts.cs) came later: a reader of an older driver sees 0.</summary>
public readonly record struct DiskStats(long Requests, long Reads, long Writes, long Flushes, long BytesRead, long BytesWritten,
    long Errors, long Interrupts, int InFlight, int MaxInFlight, int QueueSize, long Connects, long DirectReads = 0, long Pins = 0);
