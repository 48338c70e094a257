// posix's side of net's socket data window (Biscuit.Net.Protocol/SocketWindow.cs): the pages net
// granted at the view's Address, divided into slots that posix's worker threads take and give back,
// so several sends and receives are in flight at once without sharing bytes. The same discipline as
// fs's window (FsDataWindow.cs), over the same view (IDataWindowView) at another address.
//
// Invariants:
//   * a slot is held by one call at a time (`taken`, under `gate`); a call that finds every slot
//     taken does not wait: it moves its data through messages instead (NetLink), so a full window is
//     never a hang; no lock is held while net is called except `mapLock`, by the one thread that maps
//     the window (others needing the window wait for that call, bounded by its timeout);
//   * the pages are net's: when net dies the kernel revokes them and they vanish. Every touch is
//     preceded by IsMapped, and a copy counts only if the window's generation (bumped at each new
//     mapping) is the same before and after it — else the caller maps again and repeats. A page that
//     vanishes between the probe and the copy would still fault posix: the window is one copy long
//     (README.md says so);
//   * the id net gave the window travels in every transfer, so a slot filled for an old run's window
//     is never sent by a new run (it answers ESTALE).
using Biscuit.Net.Protocol;

namespace Biscuit.Posix.Links;

public sealed class NetDataWindow(IDataWindowView view)
{
    private readonly object gate = new();
    private readonly object mapLock = new();       // held by the one thread asking net for a window
    private SocketWindowLayout? layout;            // guarded by gate: the window mapped now, or null
    private long generation;                       // guarded by gate: mappings made
    private ulong taken;                           // guarded by gate: bit i set while slot i is held
    private bool unavailable;                      // guarded by gate: net cannot grant one (old net, address in use)
    private long slotsRefused, mappings;           // Interlocked: statistics

    /// <summary>Calls that found every slot taken (and used messages); windows mapped (1 + net restarts).</summary>
    public long SlotsRefused => Interlocked.Read(ref slotsRefused);
    public long Mappings => Interlocked.Read(ref mappings);
    public bool Unavailable { get { lock (gate) return unavailable; } }

    /// <summary>A free slot, or false when every slot is taken or there is no window to take one of.</summary>
    public bool TryTakeSlot(out int slot)
    {
        slot = -1;
        lock (gate)
        {
            if (unavailable) return false;
            int slots = layout?.Slots ?? SocketWindowLimits.Slots;
            for (int i = 0; i < slots && i < 64; i++)
                if ((taken & (1UL << i)) == 0)
                {
                    taken |= 1UL << i;
                    slot = i;
                    return true;
                }
        }
        Interlocked.Increment(ref slotsRefused);
        return false;
    }

    public void GiveSlot(int slot)
    {
        lock (gate) taken &= ~(1UL << slot);
    }

    /// <summary>The window mapped now (mapping it first if needed, through `net`) and its generation;
    /// false when net cannot give one (the caller uses messages).</summary>
    public bool Current(SocketServiceClient net, out SocketWindowLayout current, out long seen)
    {
        lock (gate)
        {
            if (layout is { } l && !unavailable) { current = l; seen = generation; return true; }
        }
        lock (mapLock)
        {
            lock (gate)
            {
                if (unavailable) { current = default; seen = 0; return false; }
                if (layout is { } l) { current = l; seen = generation; return true; }   // another thread mapped it
            }
            var r = net.MapWindow(view.Address);
            lock (gate)
            {
                if (r.Result == 0 && Fits(r))
                {
                    layout = r;
                    generation++;
                    Interlocked.Increment(ref mappings);
                    current = r;
                    seen = generation;
                    return true;
                }
                // No window from this net: a net without one, a bad address, a window it thinks is still
                // ours (EBUSY: a lost MapWindow reply) or a layout that does not fit: messages from now
                // on. A dead net (EIO) or EEXIST (another thread probing the range at that moment) may
                // do better next time.
                if (r.Result == 0 || r.Result is -LinuxErrno.EOPNOTSUPP or -LinuxErrno.EINVAL or -LinuxErrno.EBUSY or -14 /* EFAULT */)
                    unavailable = true;
                current = default;
                seen = 0;
                return false;
            }
        }
    }

    /// <summary>The window of generation `seen` proved gone (net answered ESTALE, or its pages
    /// vanished): the next Current maps a new one.</summary>
    public void Lost(long seen)
    {
        lock (gate) if (generation == seen) layout = null;
    }

    /// <summary>Copies `length` bytes of `slot` out to `into`; false if the window of generation `seen` is gone.</summary>
    public bool CopyOut(long seen, SocketWindowLayout l, int slot, Span<byte> into)
    {
        if (!Same(seen) || !view.IsMapped()) return false;
        view.Bytes(slot * l.SlotBytes, into.Length).CopyTo(into);
        return Same(seen);
    }

    /// <summary>Copies `from` into `slot`; false if the window of generation `seen` is gone.</summary>
    public bool CopyIn(long seen, SocketWindowLayout l, int slot, ReadOnlySpan<byte> from)
    {
        if (!Same(seen) || !view.IsMapped()) return false;
        from.CopyTo(view.Bytes(slot * l.SlotBytes, from.Length));
        return Same(seen);
    }

    /// <summary>Lets `fill` write at most `length` bytes straight into `slot` (sendfile: the file's
    /// bytes land in net's window in one copy): what fill answered, or null if the window of generation
    /// `seen` is gone (what fill wrote does not count).</summary>
    public long? Fill(long seen, SocketWindowLayout l, int slot, int length, SpanFiller fill)
    {
        if (!Same(seen) || !view.IsMapped()) return null;
        long n = fill(view.Bytes(slot * l.SlotBytes, length));
        return Same(seen) ? n : null;
    }

    private bool Same(long seen)
    {
        lock (gate) return generation == seen && layout != null;
    }

    // A layout posix can use: at least one slot, whole pages, within 64 slots and grant_create's 4 MiB.
    private static bool Fits(SocketWindowLayout l) =>
        l.Slots >= 1 && l.Slots <= 64 && l.SlotBytes >= SocketWindowLimits.PageBytes && l.SlotBytes % SocketWindowLimits.PageBytes == 0
        && l.Bytes <= 4L << 20;
}
