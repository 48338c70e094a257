// The observer list every pollable file object keeps (IPollable.Subscribe/Unsubscribe), and the
// edge notification it sends. Invariant: observers are called outside `gate`, with the readiness the
// owner computed after its change, so an observer may call back into the owner without deadlock.
using Biscuit.Posix.Events;

namespace Biscuit.Posix;

public sealed class ReadinessSource
{
    private readonly object gate = new();
    private IReadinessObserver[] observers = [];   // guarded by gate (copy on write)

    public void Subscribe(IReadinessObserver observer)
    {
        lock (gate) observers = [.. observers, observer];
    }

    public void Unsubscribe(IReadinessObserver observer)
    {
        lock (gate) observers = observers.Where(o => !ReferenceEquals(o, observer)).ToArray();
    }

    public void Notify(IPollable source, Readiness now)
    {
        IReadinessObserver[] current;
        lock (gate) current = observers;
        foreach (var o in current) o.ReadinessChanged(source, now);
    }
}
