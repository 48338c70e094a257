// What a server does when asked to shrink (the standard Shrink request, issue 8 item 5): it runs
// the shrink callbacks its code registered — each drops what can be rebuilt (fs: its clean cached
// blocks; never dirty blocks or journal state) and says how many bytes it let go — and then a full,
// blocking, compacting collection in the GC's aggressive mode, which also decommits the free heap
// so the frames go back to the kernel (MADV_DONTNEED / a PROT_NONE remap: the kernel frees them).
// Invariants: a callback that throws or returns a negative count is logged and counted, and the
// others and the collection still run; callbacks run one Shrink at a time (`runGate`), so a
// callback needs no guard against itself, only against the server's own request handlers.
// Callbacks may be registered at any time (`callbacks` is guarded by its own lock).
using Biscuit.Lib.Messages;

namespace Biscuit.Lib.Server;

public sealed class Shrinker(Action<string> log)
{
    private readonly List<(string Name, Func<long> Drop)> callbacks = [];   // guarded by itself (lock)
    private readonly object runGate = new();                               // one ShrinkNow at a time

    /// <summary>Registers what `name` can drop: `drop` lets it go and returns the bytes it dropped.</summary>
    public void Register(string name, Func<long> drop)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(drop);
        lock (callbacks) callbacks.Add((name, drop));
    }

    public int Count
    {
        get { lock (callbacks) return callbacks.Count; }
    }

    /// <summary>Runs every callback, then the aggressive collection; returns what it gave back.</summary>
    public ShrinkReport ShrinkNow()
    {
        lock (runGate)
        {
            (string Name, Func<long> Drop)[] now;
            lock (callbacks) now = callbacks.ToArray();
            long heapBefore = GC.GetTotalMemory(forceFullCollection: false);
            long committedBefore = GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes;
            long dropped = 0;
            int failed = 0;
            foreach (var (name, drop) in now)
            {
                try
                {
                    long bytes = drop();
                    if (bytes < 0)
                    {
                        failed++;
                        log($"shrink: callback {name} returned a negative count ({bytes})");
                    }
                    else dropped += bytes;
                }
                catch (Exception e)
                {
                    failed++;
                    log($"shrink: callback {name} failed: {e.GetType().Name}: {e.Message.Replace('\n', ' ')}");
                }
            }
            // Aggressive: blocking, compacting, and the free space decommitted (GCCollectionMode.Aggressive).
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            long heapAfter = GC.GetTotalMemory(forceFullCollection: false);
            long committedAfter = GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes;
            // GetTotalMemory sums per-heap allocation counters without a lock; read while other threads
            // allocate it has been seen below zero (a host test, now and then). The report carries sizes.
            return new ShrinkReport(dropped, now.Length, failed, Math.Max(0, heapBefore), Math.Max(0, heapAfter),
                Math.Max(0, committedBefore), Math.Max(0, committedAfter));
        }
    }
}
