// A window of pages another server granted posix (fs's data window, net's socket window), as posix's
// worker threads share it: divided into slots that a call takes and gives back, so several transfers
// are in flight at once without sharing bytes, and re-mapped when the granting server restarts.
// FsDataWindow and NetDataWindow are this class over each protocol's layout and map request.
//
// Invariants:
//   * a slot is held by one call at a time (`taken`, under `gate`); a call that finds every slot
//     taken does not wait: it moves its data through messages instead, so a full window is never a
//     hang; no lock is held while the server is called except `mapLock`, by the one thread that maps
//     the window (others needing the window wait for that call, bounded by its timeout);
//   * the pages are the granting server's: when it dies the kernel revokes them and they vanish.
//     Every touch is preceded by IsMapped, and a copy counts only if the window's generation (bumped
//     at each new mapping) is the same before and after it — else the copy may have met a newer
//     window, and the caller makes its call again. A vanished page touched between the probe and the
//     copy would still fault posix; the window is only the length of one copy (README.md says so);
//   * once the server said it cannot give a window (`unavailable`), posix uses messages for good.
namespace Biscuit.Posix.Links;

/// <summary>Where posix sees a window: on Biscuit a fixed address probed with memory_map; in the
/// host tests memory shared with a test server.</summary>
public interface IDataWindowView
{
    long Address { get; }

    /// <summary>True while the server's grant is in place.</summary>
    bool IsMapped();

    /// <summary>The window's bytes from `offset` (only after IsMapped said true).</summary>
    Span<byte> Bytes(int offset, int length);
}

/// <summary>What a window's layout says: its slots and their size.</summary>
public readonly record struct WindowShape(int Slots, int SlotBytes)
{
    /// <summary>A shape posix can use: at least one slot, whole pages, within 64 slots (the `taken`
    /// bits) and grant_create's 4 MiB.</summary>
    public bool Fits(int pageBytes) =>
        Slots is >= 1 and <= 64 && SlotBytes >= pageBytes && SlotBytes % pageBytes == 0 && (long)Slots * SlotBytes <= 4L << 20;
}

/// <summary>A server's answer to a map request: the layout it granted, or why not and whether
/// posix should give up on windows with this server (a server without one, a bad address, a window
/// it thinks is still ours) rather than try again later (a dead server, a busy admission).</summary>
public readonly record struct WindowGrant<TLayout>(TLayout? Layout, bool GiveUp) where TLayout : struct;

public sealed class SlottedWindow<TLayout>(IDataWindowView view, int defaultSlots, int pageBytes, Func<TLayout, WindowShape> shape)
    where TLayout : struct
{
    private readonly object gate = new();
    private readonly object mapLock = new();       // held by the one thread asking the server for a window
    private TLayout? layout;                       // guarded by gate: the window mapped now, or null
    private long generation;                       // guarded by gate: mappings made
    private ulong taken;                           // guarded by gate: bit i set while slot i is held
    private bool unavailable;                      // guarded by gate: the server cannot grant one
    private long slotsRefused, mappings;           // Interlocked: statistics

    /// <summary>Calls that found every slot taken (and used messages); windows mapped (1 + restarts).</summary>
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
            int slots = layout is { } l ? shape(l).Slots : defaultSlots;
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

    /// <summary>The window mapped now (asking the server with `map(client, address)` first if needed)
    /// and its generation; false when the server cannot give one (the caller uses messages). `map` is
    /// given its client rather than capturing it, so that a static lambda makes no allocation per call.</summary>
    public bool Current<TClient>(TClient client, Func<TClient, long, WindowGrant<TLayout>> map, out TLayout current, out long seen)
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
            var answer = map(client, view.Address);
            lock (gate)
            {
                if (answer.Layout is { } granted && shape(granted).Fits(pageBytes))
                {
                    layout = granted;
                    generation++;
                    Interlocked.Increment(ref mappings);
                    current = granted;
                    seen = generation;
                    return true;
                }
                // A layout that does not fit is as final as a server without windows.
                if (answer.GiveUp || answer.Layout is not null) unavailable = true;
                current = default;
                seen = 0;
                return false;
            }
        }
    }

    /// <summary>The window of generation `seen` proved gone (the server called it stale, or its pages
    /// vanished): the next Current maps a new one.</summary>
    public void Lost(long seen)
    {
        lock (gate) if (generation == seen) layout = null;
    }

    /// <summary>Copies `into.Length` bytes of `slot` out to `into`; false if the window of generation
    /// `seen` is gone (nothing copied counts).</summary>
    public bool CopyOut(long seen, TLayout l, int slot, Span<byte> into)
    {
        if (!Same(seen) || !view.IsMapped()) return false;
        view.Bytes(slot * shape(l).SlotBytes, into.Length).CopyTo(into);
        return Same(seen);
    }

    /// <summary>Copies `from` into `slot`; false if the window of generation `seen` is gone.</summary>
    public bool CopyIn(long seen, TLayout l, int slot, ReadOnlySpan<byte> from)
    {
        if (!Same(seen) || !view.IsMapped()) return false;
        from.CopyTo(view.Bytes(slot * shape(l).SlotBytes, from.Length));
        return Same(seen);
    }

    /// <summary>Lets `fill` write at most `length` bytes straight into `slot`: what fill answered, or
    /// null if the window of generation `seen` is gone (what fill wrote does not count).</summary>
    public long? Fill(long seen, TLayout l, int slot, int length, SpanFiller fill)
    {
        if (!Same(seen) || !view.IsMapped()) return null;
        long n = fill(view.Bytes(slot * shape(l).SlotBytes, length));
        return Same(seen) ? n : null;
    }

    private bool Same(long seen)
    {
        lock (gate) return generation == seen && layout != null;
    }
}
