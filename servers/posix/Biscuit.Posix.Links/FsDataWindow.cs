// posix's side of fs's data window (Biscuit.Fs.Protocol/DataWindow.cs): the pages fs granted at
// `Address`, divided into slots that posix's worker threads take and give back, so several reads
// and writes are in flight at once without sharing bytes.
//
// Invariants:
//   * a slot is held by one call at a time (`taken`, under `gate`); a call that finds every slot
//     taken does not wait: it moves its data through messages instead (FsLink), so a full window is
//     never a hang, and no lock is held while fs is called except `mapLock`, by the one thread that
//     maps the window (others needing the window then wait for that call, bounded by its timeout);
//   * the pages are fs's: when fs dies the kernel revokes them and they vanish. Every touch is
//     preceded by IsMapped, and a copy counts only if the window's generation (bumped at each new
//     mapping) is the same before and after it — else the copy may have met a newer window, and
//     the caller makes its call again (Read/Write are idempotent). A vanished page touched between
//     the probe and the copy would still fault posix; the window is only the length of one copy
//     (README.md says so);
//   * the id fs gave the window travels in every transfer, so a copy into an old run's window is
//     never written by a new run (it answers ENOTCONN).
using Biscuit.Fs.Protocol;

namespace Biscuit.Posix.Links;

/// <summary>Where posix sees the window: on Biscuit a fixed address probed with memory_map; in the
/// host tests memory shared with a test fs.</summary>
public interface IDataWindowView
{
    long Address { get; }

    /// <summary>True while fs's grant is in place.</summary>
    bool IsMapped();

    /// <summary>The window's bytes from `offset` (only after IsMapped said true).</summary>
    Span<byte> Bytes(int offset, int length);
}

public sealed class FsDataWindow(IDataWindowView view)
{
    private readonly object gate = new();
    private readonly object mapLock = new();       // held by the one thread asking fs for a window
    private DataWindowLayout? layout;              // guarded by gate: the window mapped now, or null
    private long generation;                       // guarded by gate (read with Volatile): mappings made
    private ulong taken;                           // guarded by gate: bit i set while slot i is held
    private bool unavailable;                      // guarded by gate: fs cannot grant one (old fs, address in use)
    private long slotsRefused, remaps;             // Interlocked: statistics

    /// <summary>Calls that found every slot taken (and used messages); windows mapped (1 + fs restarts).</summary>
    public long SlotsRefused => Interlocked.Read(ref slotsRefused);
    public long Mappings => Interlocked.Read(ref remaps);
    public bool Unavailable { get { lock (gate) return unavailable; } }

    /// <summary>A free slot, or false when every slot is taken or there is no window to take one of.</summary>
    public bool TryTakeSlot(out int slot)
    {
        slot = -1;
        lock (gate)
        {
            if (unavailable) return false;
            int slots = layout?.Slots ?? DataWindowLimits.Slots;
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

    /// <summary>The window mapped now (mapping it first if needed, through `fs`) and its generation;
    /// false when fs cannot give one (the caller uses messages).</summary>
    public bool Current(FileServiceClient fs, out DataWindowLayout current, out long seen)
    {
        lock (gate)
        {
            if (layout is { } l && !unavailable)
            {
                current = l;
                seen = generation;
                return true;
            }
        }
        lock (mapLock)
        {
            lock (gate)
            {
                if (unavailable) { current = default; seen = 0; return false; }
                if (layout is { } l) { current = l; seen = generation; return true; }   // another thread mapped it
            }
            var r = fs.MapDataWindow(view.Address);
            lock (gate)
            {
                if (r.IsOk && Fits(r.Value))
                {
                    layout = r.Value;
                    generation++;
                    Interlocked.Increment(ref remaps);
                    current = r.Value;
                    seen = generation;
                    return true;
                }
                // No window from this fs: an fs without one, a bad address, a window it thinks
                // is still ours (EBUSY: a lost MapDataWindow reply) or a layout that does not fit:
                // messages from now on. A dead fs, a refused admission or EEXIST (another thread probing
                // the range at that moment, IsMapped) may do better next time.
                if (r.IsOk || r.Errno is Errno.EOPNOTSUPP or Errno.EINVAL or Errno.EFAULT or Errno.EBUSY)
                    unavailable = true;
                current = default;
                seen = 0;
                return false;
            }
        }
    }

    /// <summary>The window of generation `seen` proved gone (fs answered ENOTCONN, or its pages
    /// vanished): the next Current maps a new one.</summary>
    public void Lost(long seen)
    {
        lock (gate) if (generation == seen) layout = null;
    }

    /// <summary>Copies `count` bytes of `slot` out to `into`; false if the window of generation
    /// `seen` is gone (nothing copied counts).</summary>
    public bool CopyOut(long seen, DataWindowLayout l, int slot, Span<byte> into)
    {
        if (!Same(seen) || !view.IsMapped()) return false;
        view.Bytes(slot * l.SlotBytes, into.Length).CopyTo(into);
        return Same(seen);
    }

    /// <summary>Copies `from` into `slot`; false if the window of generation `seen` is gone.</summary>
    public bool CopyIn(long seen, DataWindowLayout l, int slot, ReadOnlySpan<byte> from)
    {
        if (!Same(seen) || !view.IsMapped()) return false;
        from.CopyTo(view.Bytes(slot * l.SlotBytes, from.Length));
        return Same(seen);
    }

    private bool Same(long seen)
    {
        lock (gate) return generation == seen && layout != null;
    }

    // A layout posix can use: at least one slot, whole pages, within 64 slots and grant_create's 4 MiB.
    private static bool Fits(DataWindowLayout l) =>
        l.Slots >= 1 && l.Slots <= 64 && l.SlotBytes >= DataWindowLimits.PageBytes && l.SlotBytes % DataWindowLimits.PageBytes == 0
        && l.Bytes <= 4L << 20;
}
