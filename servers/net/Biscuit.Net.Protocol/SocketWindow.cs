// The socket data window (issue 7, issue 6 item 3: "socket data through shared pages"). Once per
// client run posix asks MapWindow(address): net grants it a window of its own pages (grant_create to
// the caller, writable) at that page-aligned address and answers the layout. Socket data then moves
// through the window: SendFromWindow hands the socket Count bytes of slot Slot from Offset, and
// ReceiveToWindow puts at most Max received bytes there. Only the request and its counts travel in
// messages; the old Send and Receive (data inside the message, at most MaxTransferBytes) stay for
// small transfers and for other clients. The same shape as fs's window (Biscuit.Fs.Protocol/DataWindow.cs).
//
// Invariants the server keeps (Biscuit.Net.Service/SocketService.Window.cs):
//   * one window at a time, granted to one caller (its badge): a second MapWindow is EBUSY until
//     ResetClient (a restarted client's first call) takes the old one back;
//   * every transfer names the window it was meant for (WindowId: the instance's nonce above a
//     counter): a transfer naming no window or another run's is ESTALE — never bytes from fresh,
//     zeroed pages of a new net — and one from a caller other than the grantee is EACCES;
//   * a transfer stays inside one slot: 0 <= Slot < Slots, 0 <= Offset, 0 <= Count and
//     Offset + Count <= SlotBytes (else ERANGE). Which thread holds which slot is the client's business;
//   * the window's pages are net's: when net dies the kernel revokes the grant, and the client must
//     check they are there before each touch (posix's NetDataWindow).
namespace Biscuit.Net.Protocol;

/// <summary>MapWindow's reply: Result 0 and the window (its id to name in transfers, Slots slots of
/// SlotBytes bytes, slot i at byte i × SlotBytes from the address given), or -errno.</summary>
public readonly record struct SocketWindowLayout(long Result, ulong WindowId, int Slots, int SlotBytes)
{
    public long Bytes => (long)Slots * SlotBytes;
}

/// <summary>send(2)/sendto(2) of Count bytes at Offset in slot Slot of window WindowId; for UDP a
/// destination as in SendRequest (Port 0: the connected peer). The reply is Send's.</summary>
public readonly record struct WindowSend(ulong WindowId, long Id, int Slot, int Offset, int Count, long Address, long Port);

/// <summary>recv(2)/recvfrom(2) of at most Max bytes into slot Slot at Offset of window WindowId;
/// Flags as in ReceiveRequest.</summary>
public readonly record struct WindowReceive(ulong WindowId, long Id, int Slot, int Offset, int Max, long Flags);

/// <summary>ReceiveToWindow's reply: as ReceiveReply, without the bytes (they are in the slot).</summary>
public readonly record struct WindowReceiveReply(long Result, long Address, long Port, long ReadinessAfter);

public static class SocketWindowLimits
{
    /// <summary>The window net grants: 16 slots of 64 KiB (1 MiB, 256 pages, within grant_create's 1024).</summary>
    public const int Slots = 16;
    public const int SlotBytes = 64 * 1024;
    public const int PageBytes = 4096;
    public const int WindowBytes = Slots * SlotBytes;
}

public static class SocketWindowCodecs
{
    public static readonly IntegerRecordCodec<SocketWindowLayout> Layout = new("SocketWindowLayout", 4,
        (v, f) => { f[0] = v.Result; f[1] = (long)v.WindowId; f[2] = v.Slots; f[3] = v.SlotBytes; },
        f => new SocketWindowLayout(f[0], (ulong)f[1], Int(f[2]), Int(f[3])));

    public static readonly IntegerRecordCodec<WindowSend> Send = new("WindowSend", 7,
        (v, f) => { f[0] = (long)v.WindowId; f[1] = v.Id; f[2] = v.Slot; f[3] = v.Offset; f[4] = v.Count; f[5] = v.Address; f[6] = v.Port; },
        f => new WindowSend((ulong)f[0], f[1], Int(f[2]), Int(f[3]), Int(f[4]), f[5], f[6]));

    public static readonly IntegerRecordCodec<WindowReceive> Receive = new("WindowReceive", 6,
        (v, f) => { f[0] = (long)v.WindowId; f[1] = v.Id; f[2] = v.Slot; f[3] = v.Offset; f[4] = v.Max; f[5] = v.Flags; },
        f => new WindowReceive((ulong)f[0], f[1], Int(f[2]), Int(f[3]), Int(f[4]), f[5]));

    public static readonly IntegerRecordCodec<WindowReceiveReply> ReceiveReply = new("WindowReceiveReply", 4,
        (v, f) => { f[0] = v.Result; f[1] = v.Address; f[2] = v.Port; f[3] = v.ReadinessAfter; },
        f => new WindowReceiveReply(f[0], f[1], f[2], f[3]));

    // A 64-bit field that must be a 32-bit one: out of range becomes -1, which every check refuses (ERANGE).
    private static int Int(long value) => value is >= int.MinValue and <= int.MaxValue ? (int)value : -1;
}
