// posix's side of fs's data window (Biscuit.Fs.Protocol/DataWindow.cs): the pages fs granted at the
// view's Address, as SlottedWindow shares them among posix's worker threads (its invariants hold).
// fs-specific: the map request is MapDataWindow; the id fs gave the window travels in every
// transfer, so a copy into an old run's window is never written by a new run (it answers ENOTCONN,
// and the caller makes its call again: Read/Write are idempotent).
using Biscuit.Fs.Protocol;

namespace Biscuit.Posix.Links;

public sealed class FsDataWindow(IDataWindowView view)
{
    private readonly SlottedWindow<DataWindowLayout> window =
        new(view, DataWindowLimits.Slots, DataWindowLimits.PageBytes, l => new WindowShape(l.Slots, l.SlotBytes));

    /// <summary>Calls that found every slot taken (and used messages); windows mapped (1 + fs restarts).</summary>
    public long SlotsRefused => window.SlotsRefused;
    public long Mappings => window.Mappings;
    public bool Unavailable => window.Unavailable;

    public bool TryTakeSlot(out int slot) => window.TryTakeSlot(out slot);
    public void GiveSlot(int slot) => window.GiveSlot(slot);

    /// <summary>The window mapped now (mapping it first if needed, through `fs`) and its generation;
    /// false when fs cannot give one (the caller uses messages).</summary>
    public bool Current(FileServiceClient fs, out DataWindowLayout current, out long seen) =>
        window.Current(fs, static (client, address) => Granted(client.MapDataWindow(address)), out current, out seen);

    // No window from this fs: an fs without one, a bad address or a window it thinks is still ours
    // (EBUSY: a lost MapDataWindow reply) are final; a dead fs, a refused admission or EEXIST
    // (another thread probing the range at that moment, IsMapped) may do better next time.
    private static WindowGrant<DataWindowLayout> Granted(FsResult<DataWindowLayout> r) =>
        r.IsOk ? new(r.Value, false) : new(null, r.Errno is Errno.EOPNOTSUPP or Errno.EINVAL or Errno.EFAULT or Errno.EBUSY);

    public void Lost(long seen) => window.Lost(seen);
    public bool CopyOut(long seen, DataWindowLayout l, int slot, Span<byte> into) => window.CopyOut(seen, l, slot, into);
    public bool CopyIn(long seen, DataWindowLayout l, int slot, ReadOnlySpan<byte> from) => window.CopyIn(seen, l, slot, from);
}
