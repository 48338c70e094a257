// ReadinessObservers: the subscriber list of one readiness source, shared by every source in this library.
// Invariant: _observers is an immutable array replaced (copy on write) under _lock, so Notify reads it
// without a lock and never allocates; only Subscribe and Unsubscribe allocate.
namespace Biscuit.Posix.Events;

/// <summary>A thread-safe list of observers of one source.</summary>
public sealed class ReadinessObservers
{
    private readonly object _lock = new();
    private IReadinessObserver[] _observers = Array.Empty<IReadinessObserver>(); // replaced under _lock

    public int Count => Volatile.Read(ref _observers).Length;

    public void Add(IReadinessObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (_lock)
        {
            var old = _observers;
            var grown = new IReadinessObserver[old.Length + 1];
            old.CopyTo(grown, 0);
            grown[old.Length] = observer;
            Volatile.Write(ref _observers, grown);
        }
    }

    /// <summary>Removes one subscription of the observer; an observer never added is ignored.</summary>
    public void Remove(IReadinessObserver observer)
    {
        lock (_lock)
        {
            var old = _observers;
            int at = Array.IndexOf(old, observer);
            if (at < 0) return;
            if (old.Length == 1) { Volatile.Write(ref _observers, Array.Empty<IReadinessObserver>()); return; }
            var shrunk = new IReadinessObserver[old.Length - 1];
            Array.Copy(old, 0, shrunk, 0, at);
            Array.Copy(old, at + 1, shrunk, at, old.Length - at - 1);
            Volatile.Write(ref _observers, shrunk);
        }
    }

    /// <summary>Tells every observer subscribed now that the source's readiness changed.</summary>
    public void Notify(IPollable source, Readiness now)
    {
        var snapshot = Volatile.Read(ref _observers);
        foreach (var observer in snapshot) observer.ReadinessChanged(source, now);
    }
}
