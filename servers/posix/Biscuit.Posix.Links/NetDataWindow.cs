// posix's side of net's socket data window (Biscuit.Net.Protocol/SocketWindow.cs): the pages net
// granted at the view's Address, as SlottedWindow shares them among posix's worker threads (its
// invariants hold). net-specific: the map request is MapWindow; the id net gave the window travels in
// every transfer, so a slot filled for an old run's window is never sent by a new run (ESTALE).
using Biscuit.Net.Protocol;

namespace Biscuit.Posix.Links;

public sealed class NetDataWindow(IDataWindowView view)
{
    private readonly SlottedWindow<SocketWindowLayout> window =
        new(view, SocketWindowLimits.Slots, SocketWindowLimits.PageBytes, l => new WindowShape(l.Slots, l.SlotBytes));

    /// <summary>Calls that found every slot taken (and used messages); windows mapped (1 + net restarts).</summary>
    public long SlotsRefused => window.SlotsRefused;
    public long Mappings => window.Mappings;
    public bool Unavailable => window.Unavailable;

    public bool TryTakeSlot(out int slot) => window.TryTakeSlot(out slot);
    public void GiveSlot(int slot) => window.GiveSlot(slot);

    /// <summary>The window mapped now (mapping it first if needed, through `net`) and its generation;
    /// false when net cannot give one (the caller uses messages).</summary>
    public bool Current(SocketServiceClient net, out SocketWindowLayout current, out long seen) =>
        window.Current(net, static (client, address) => Granted(client.MapWindow(address)), out current, out seen);

    // No window from this net: a net without one, a bad address or a window it thinks is still ours
    // (EBUSY: a lost MapWindow reply) are final; a dead net (EIO) or EEXIST (another thread probing
    // the range at that moment) may do better next time.
    private static WindowGrant<SocketWindowLayout> Granted(SocketWindowLayout r) =>
        r.Result == 0 ? new(r, false) : new(null, r.Result is -LinuxErrno.EOPNOTSUPP or -LinuxErrno.EINVAL or -LinuxErrno.EBUSY or -14 /* EFAULT */);

    public void Lost(long seen) => window.Lost(seen);
    public bool CopyOut(long seen, SocketWindowLayout l, int slot, Span<byte> into) => window.CopyOut(seen, l, slot, into);
    public bool CopyIn(long seen, SocketWindowLayout l, int slot, ReadOnlySpan<byte> from) => window.CopyIn(seen, l, slot, from);

    /// <summary>Lets `fill` write at most `length` bytes straight into `slot` (sendfile: the file's
    /// bytes land in net's window in one copy): what fill answered, or null if the window is gone.</summary>
    public long? Fill(long seen, SocketWindowLayout l, int slot, int length, SpanFiller fill) => window.Fill(seen, l, slot, length, fill);
}
