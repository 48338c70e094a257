// Test doubles: a readiness source whose level the test sets by hand, and cancellations that let a test
// know, deterministically, that a waiter has looked, found nothing and is about to block (a blocking
// operation reads IsCancelled only then), or that cancel it on the test's word.
using System.Threading;

namespace Biscuit.Posix.Events.Tests;

/// <summary>A source whose readiness the test sets; every Set notifies the observers (an edge).</summary>
internal sealed class ManualSource : IPollable
{
    private readonly ReadinessObservers _observers = new();
    private volatile uint _level;

    public ManualSource(Readiness initial = Readiness.None) => _level = (uint)initial;

    public int ObserverCount => _observers.Count;
    public int PollCount;

    public void Set(Readiness level)
    {
        _level = (uint)level;
        _observers.Notify(this, level);
    }

    public Readiness CurrentReadiness()
    {
        Interlocked.Increment(ref PollCount);
        return (Readiness)_level;
    }

    public void Subscribe(IReadinessObserver observer) => _observers.Add(observer);
    public void Unsubscribe(IReadinessObserver observer) => _observers.Remove(observer);
}

/// <summary>Signals BlockingStarted the first time a waiter reads IsCancelled; cancelled when the test says so.</summary>
internal sealed class WatchedCancellation : IWaitCancellation
{
    private volatile bool _cancelled;
    public readonly ManualResetEventSlim BlockingStarted = new(false);

    public bool IsCancelled
    {
        get
        {
            BlockingStarted.Set();
            return _cancelled;
        }
    }

    public void Cancel() => _cancelled = true;

    /// <summary>Waits (bounded, as a safety net only) until the waiter is about to block.</summary>
    public void AwaitBlocking() => Assert.True(BlockingStarted.Wait(TimeSpan.FromSeconds(30)), "the waiter never blocked");
}

internal static class Finish
{
    /// <summary>The result of a background wait; the bound is a safety net against a hang, not a timing claim.</summary>
    public static T Within<T>(Task<T> task)
    {
        Assert.True(task.Wait(TimeSpan.FromSeconds(30)), "the blocked operation never returned");
        return task.Result;
    }
}
