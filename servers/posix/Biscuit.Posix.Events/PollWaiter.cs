// PollWaiter: the observer a blocked poll(2) subscribes to every target it waits on; any wake-up of any
// target makes the waiting thread look at all of them again. One per thread, reused (allocation-light).
// Invariant: _woken is set by a wake-up and cleared by the waiting thread before it looks at the targets,
// so a wake-up between its look and its sleep is never lost. _woken is guarded by the waiter's monitor.
namespace Biscuit.Posix.Events;

internal sealed class PollWaiter : IReadinessObserver
{
    [ThreadStatic] private static PollWaiter? t_cached;

    private bool _woken; // this

    /// <summary>The calling thread's waiter (a poll blocks only its own thread, so one each is enough).</summary>
    public static PollWaiter ForThisThread() => t_cached ??= new PollWaiter();

    public void ReadinessChanged(IPollable source, Readiness now)
    {
        lock (this)
        {
            _woken = true;
            Monitor.Pulse(this);
        }
    }

    /// <summary>Forget earlier wake-ups: call before looking at the targets.</summary>
    public void Reset()
    {
        lock (this) _woken = false;
    }

    /// <summary>Sleeps until a wake-up or at most <paramref name="milliseconds"/>.</summary>
    public void Sleep(int milliseconds)
    {
        lock (this)
        {
            if (!_woken && milliseconds > 0) Monitor.Wait(this, milliseconds);
        }
    }
}
