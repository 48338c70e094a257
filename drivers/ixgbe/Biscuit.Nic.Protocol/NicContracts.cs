// The requests the NIC driver server answers (ids 16 and up; 1-15 are lib's: Stats, Shrink).
// Frames never travel in a message: Attach grants the driver's packet slots to the caller
// (grant_create with process 0, Syscalls.md 0x852) — the RX slots read-only at the window address,
// the TX slots writable right after them — and Receive/Transmit only name slots and lengths.
//
// Slot ownership (the protocol's invariant): an RX slot named in a Receive reply belongs to the
// client until it names it in `Returned` of a later Receive; a TX slot belongs to the client unless
// it was named in a Transmit and not yet reported back in `Completed` (or `TxBusy` of Attach).
// None of Attach, Hold, Receive or Transmit is idempotent (slots change hands), so lib's client never
// resends them after the driver died: the client attaches again instead (a new session).
using Biscuit.Lib.Messages;

namespace Biscuit.Nic.Protocol;

public static class NicContracts
{
    public static readonly RequestType<AttachRequest, AttachReply> Attach =
        new(16, "Attach", idempotent: false, NicCodecs.AttachRequest, NicCodecs.AttachReply);
    public static readonly RequestType<SessionRequest, NicStatus> Hold =
        new(17, "Hold", idempotent: false, NicCodecs.SessionRequest, NicCodecs.Status);
    public static readonly RequestType<ReceiveRequest, ReceiveReply> Receive =
        new(18, "Receive", idempotent: false, NicCodecs.ReceiveRequest, NicCodecs.ReceiveReply);
    public static readonly RequestType<TransmitRequest, TransmitReply> Transmit =
        new(19, "Transmit", idempotent: false, NicCodecs.TransmitRequest, NicCodecs.TransmitReply);
    public static readonly RequestType<Empty, NicStats> NicStats =
        new(20, "NicStats", idempotent: true, Codecs.Empty, NicCodecs.NicStats);
}

/// <summary>The Linux errno values a reply carries (0: done).</summary>
public static class NicErrno
{
    public const int None = 0;
    public const int Busy = 16;            // EBUSY: another client is attached (and still alive)
    public const int Invalid = 22;         // EINVAL: a bad slot, length or window address
    public const int NotConnected = 107;   // ENOTCONN: no session, or a session of another attach
}

/// <summary>The sizes the protocol promises: frames fit a slot; a batch fits one IPC message.</summary>
public static class NicLimits
{
    public const int SlotBytes = 2048;
    public const int MinFrameBytes = 14;          // an Ethernet II header (IEEE 802.3 §3.1.1, FCS excluded)
    public const int MaxFrameBytes = 1514;        // 1500 bytes of payload + the header; the device adds the FCS
    public const int MaxSlotsPerMessage = 256;    // any slot list in one message
    public const int MaxFramesPerReceive = 64;    // frames named by one Receive reply
}

/// <summary>Attach: where the caller wants the window (page aligned; RX slots, then TX slots).
/// The request carries one handle: a notification (Signal right) the driver signals, bit 1, when
/// frames wait.</summary>
public readonly record struct AttachRequest(long WindowAddress);

public sealed record AttachReply(int Errno, string Message, long Mac, int Mtu, int RxSlots, int TxSlots, int SlotBytes,
    long Instance, long Session, bool LinkUp, int[] TxBusy)
{
    public bool IsOk => Errno == NicErrno.None;
}

public readonly record struct SessionRequest(long Session);

public readonly record struct NicStatus(int Errno, string Message)
{
    public bool IsOk => Errno == NicErrno.None;
}

/// <summary>Receive: give back the RX slots the client is done with, take the frames that arrived.</summary>
public sealed record ReceiveRequest(long Session, int[] Returned);

/// <summary>Frame i is `Lengths[i]` bytes at the start of RX slot `Slots[i]`; More: frames still wait.</summary>
public sealed record ReceiveReply(int Errno, string Message, int[] Slots, int[] Lengths, bool More)
{
    public bool IsOk => Errno == NicErrno.None;
}

/// <summary>Transmit: frame i is `Lengths[i]` bytes at the start of TX slot `Slots[i]`. An empty list
/// only collects completions.</summary>
public sealed record TransmitRequest(long Session, int[] Slots, int[] Lengths);

/// <summary>Accepted: frames queued to the device (all or, on an error, none); Completed: TX slots
/// the device has finished with since the last reply (the client's again).</summary>
public sealed record TransmitReply(int Errno, string Message, int Accepted, int[] Completed)
{
    public bool IsOk => Errno == NicErrno.None;
}

public readonly record struct NicStats(long FramesIn, long BytesIn, long FramesOut, long BytesOut, long RxDropped,
    long Interrupts, long Attaches, long BadRequests, long ClientSignals, int RxSlotsWithDevice, int RxSlotsWithClient)
{
    /// <summary>Frames received per interrupt, ×100 (batching: above 100 when interrupts carry several).</summary>
    public long FramesPerInterruptTimes100 => Interrupts == 0 ? 0 : FramesIn * 100 / Interrupts;
}
