// The shared data window (issue 5 item 4: "file data moved through shared pages, not MessagePack").
// Once per connection the client asks MapDataWindow(address): fs grants it a window of pages
// (grant_create to the caller, writable) at that page-aligned address and answers the layout. File
// data then moves through the window: ReadToWindow copies file bytes from fs's cache into a slot,
// WriteFromWindow writes a slot's bytes into the file. Only the request and its counts travel in
// messages.
//
// Invariants the server keeps (FileService.Window.cs):
//   * a window is granted once per client run: a second MapDataWindow is EBUSY until ResetClient
//     (a restarted client's first call) gives the old one back;
//   * every transfer names the window it was meant for (WindowId, a per-run nonce above a counter,
//     like handles): a transfer naming another run's window — the client copied into pages of a
//     window that died with an earlier fs — is ENOTCONN, never data read from or written into fresh,
//     zeroed pages; so is any transfer when no window is granted;
//   * a transfer stays inside one slot: Slot < Slots, 0 <= Count <= SlotBytes (else ERANGE); which
//     thread holds which slot is the client's business (its threads share one window);
//   * the window's pages are fs's: when fs dies the kernel revokes the grant and they vanish from the
//     client, which must check they are there before each touch (posix's FsDataWindow).
using Biscuit.Lib.Messages;
using MessagePack;

namespace Biscuit.Fs.Protocol;

/// <summary>A granted window: its id (to name in transfers), Slots slots of SlotBytes bytes each,
/// slot i at byte i × SlotBytes from the address the client gave.</summary>
public readonly record struct DataWindowLayout(ulong WindowId, int Slots, int SlotBytes)
{
    public long Bytes => (long)Slots * SlotBytes;
}

/// <summary>A read into, or a write from, slot Slot of window WindowId: Count bytes of the open
/// file Handle at Offset. The reply is the count moved (a read stops early at the end of the file).</summary>
public readonly record struct WindowTransfer(ulong WindowId, ulong Handle, long Offset, int Slot, int Count);

public static class DataWindowLimits
{
    /// <summary>The window fs grants: 16 slots of 64 KiB (1 MiB, 256 pages, within grant_create's
    /// 1024). posix serves on fewer worker threads than there are slots.</summary>
    public const int Slots = 16;
    public const int SlotBytes = 64 * 1024;
    public const int PageBytes = 4096;
}

public static class DataWindowCodecs
{
    public static readonly RecordCodec<DataWindowLayout> Layout = new("DataWindowLayout", 3,
        (ref MessagePackWriter w, DataWindowLayout l) => { w.Write(l.WindowId); w.Write(l.Slots); w.Write(l.SlotBytes); },
        (ref MessagePackReader r) => new DataWindowLayout(r.ReadUInt64(), Fields.NonNegativeInt(ref r, "DataWindowLayout.Slots"),
            Fields.NonNegativeInt(ref r, "DataWindowLayout.SlotBytes")));

    public static readonly RecordCodec<WindowTransfer> Transfer = new("WindowTransfer", 5,
        (ref MessagePackWriter w, WindowTransfer t) => { w.Write(t.WindowId); w.Write(t.Handle); w.Write(t.Offset); w.Write(t.Slot); w.Write(t.Count); },
        (ref MessagePackReader r) => new WindowTransfer(r.ReadUInt64(), r.ReadUInt64(), Fields.NonNegativeLong(ref r, "WindowTransfer.Offset"),
            r.ReadInt32(), r.ReadInt32()));
}
