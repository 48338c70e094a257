// The subscriber list every source uses: each subscription is told once per notification, removals remove
// one subscription, and unknown observers are ignored.
namespace Biscuit.Posix.Events.Tests;

public class ReadinessObserversTests
{
    private sealed class Counter : IReadinessObserver
    {
        public int Calls;
        public void ReadinessChanged(IPollable source, Readiness now) => Calls++;
    }

    [Fact]
    public void Every_subscription_is_told_of_each_change()
    {
        var observers = new ReadinessObservers();
        var counter = new Counter();
        observers.Add(counter);
        observers.Add(counter);
        observers.Notify(new ManualSource(), Readiness.In);
        Assert.Equal(2, counter.Calls);
    }

    [Fact]
    public void Removing_drops_one_subscription_and_unknown_observers_are_ignored()
    {
        var observers = new ReadinessObservers();
        var counter = new Counter();
        observers.Add(counter);
        observers.Add(counter);
        observers.Remove(counter);
        observers.Remove(new Counter());
        observers.Notify(new ManualSource(), Readiness.In);
        Assert.Equal(1, counter.Calls);
        Assert.Equal(1, observers.Count);
    }

    [Fact]
    public void A_null_observer_is_refused_with_an_argument_error()
    {
        Assert.Throws<ArgumentNullException>(() => new ReadinessObservers().Add(null!));
    }
}
