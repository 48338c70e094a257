// epoll(7) EPOLLET and EPOLLONESHOT: an edge-triggered registration is reported once per wake-up of its
// target (a readiness change, or - as Linux does for pipes and sockets - new data arriving), not again while
// the level merely lasts; a oneshot registration is reported once and then disabled until EPOLL_CTL_MOD.
using static Biscuit.Posix.Events.EpollConstants;

namespace Biscuit.Posix.Events.Tests;

public class EpollEdgeTriggeredTests
{
    private const uint In = PollBits.POLLIN, Out = PollBits.POLLOUT;
    private readonly EpollEvent[] _events = new EpollEvent[8];

    private int Poll(EpollInstance epoll) => epoll.Wait(_events, 0, WaitCancellation.Never);

    [Fact]
    public void An_edge_is_reported_once_while_the_level_stays()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource();
        epoll.Control(EPOLL_CTL_ADD, 3, source, In | EPOLLET, 0);
        source.Set(Readiness.In);
        Assert.Equal(1, Poll(epoll));
        Assert.Equal(0, Poll(epoll));
        Assert.Equal(0, Poll(epoll));
    }

    [Fact]
    public void A_new_edge_is_reported_again()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource();
        epoll.Control(EPOLL_CTL_ADD, 3, source, In | EPOLLET, 0);
        source.Set(Readiness.In);
        Assert.Equal(1, Poll(epoll));
        source.Set(Readiness.None);
        source.Set(Readiness.In);
        Assert.Equal(1, Poll(epoll));
    }

    [Fact]
    public void Several_edges_before_a_wait_are_reported_once()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource();
        epoll.Control(EPOLL_CTL_ADD, 3, source, In | EPOLLET, 0);
        source.Set(Readiness.In);
        source.Set(Readiness.In);
        Assert.Equal(1, Poll(epoll));
        Assert.Equal(0, Poll(epoll));
    }

    [Fact]
    public void An_edge_of_an_event_not_asked_for_is_not_reported()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource();
        epoll.Control(EPOLL_CTL_ADD, 3, source, In | EPOLLET, 0);
        source.Set(Readiness.Out);
        Assert.Equal(0, Poll(epoll));
    }

    [Fact]
    public void A_target_ready_when_added_is_reported_once()
    {
        using var epoll = new EpollInstance();
        epoll.Control(EPOLL_CTL_ADD, 3, new ManualSource(Readiness.In), In | EPOLLET, 0);
        Assert.Equal(1, Poll(epoll));
        Assert.Equal(0, Poll(epoll));
    }

    [Fact]
    public void An_edge_whose_level_is_gone_by_the_wait_is_not_reported()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource();
        epoll.Control(EPOLL_CTL_ADD, 3, source, In | EPOLLET, 0);
        source.Set(Readiness.In);
        source.Set(Readiness.None); // read away before epoll_wait
        Assert.Equal(0, Poll(epoll));
    }

    [Fact]
    public void Modify_rearms_an_edge_triggered_registration_at_the_current_level()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource(Readiness.In);
        epoll.Control(EPOLL_CTL_ADD, 3, source, In | EPOLLET, 0);
        Assert.Equal(1, Poll(epoll));
        Assert.Equal(0, epoll.Control(EPOLL_CTL_MOD, 3, source, In | EPOLLET, 0));
        Assert.Equal(1, Poll(epoll));
    }

    [Fact]
    public void A_wakeup_while_the_wait_is_looking_at_the_target_is_not_lost()
    {
        using var epoll = new EpollInstance();
        var source = new WakesWhileLookedAt();
        epoll.Control(EPOLL_CTL_ADD, 3, source, In | EPOLLET, 0);
        source.Fire();
        Assert.Equal(1, Poll(epoll)); // during this harvest the source woke again
        Assert.Equal(1, Poll(epoll));
        Assert.Equal(0, Poll(epoll));
    }

    [Fact]
    public void Oneshot_reports_once_then_stays_silent_while_the_level_lasts()
    {
        using var epoll = new EpollInstance();
        epoll.Control(EPOLL_CTL_ADD, 3, new ManualSource(Readiness.In), In | EPOLLONESHOT, 0);
        Assert.Equal(1, Poll(epoll));
        Assert.Equal(0, Poll(epoll));
    }

    [Fact]
    public void A_disabled_oneshot_ignores_new_edges_even_errors()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource(Readiness.In);
        epoll.Control(EPOLL_CTL_ADD, 3, source, In | EPOLLONESHOT, 0);
        Assert.Equal(1, Poll(epoll));
        source.Set(Readiness.In | Readiness.Hup | Readiness.Err);
        Assert.Equal(0, Poll(epoll));
    }

    [Fact]
    public void Modify_rearms_a_disabled_oneshot()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource(Readiness.In);
        epoll.Control(EPOLL_CTL_ADD, 3, source, In | EPOLLONESHOT, 1);
        Assert.Equal(1, Poll(epoll));
        Assert.Equal(0, epoll.Control(EPOLL_CTL_MOD, 3, source, In | EPOLLONESHOT, 2));
        Assert.Equal(1, Poll(epoll));
        Assert.Equal(2UL, _events[0].Data);
        Assert.Equal(0, Poll(epoll));
    }

    [Fact]
    public void A_rearmed_oneshot_that_is_not_ready_reports_at_the_next_edge()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource(Readiness.In);
        epoll.Control(EPOLL_CTL_ADD, 3, source, In | EPOLLONESHOT, 0);
        Assert.Equal(1, Poll(epoll));
        source.Set(Readiness.None);
        epoll.Control(EPOLL_CTL_MOD, 3, source, Out | EPOLLONESHOT, 0);
        Assert.Equal(0, Poll(epoll));
        source.Set(Readiness.Out);
        Assert.Equal(1, Poll(epoll));
        Assert.Equal(Out, _events[0].Events);
    }

    [Fact]
    public void Edge_triggered_oneshot_reports_once_for_many_edges()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource();
        epoll.Control(EPOLL_CTL_ADD, 3, source, In | EPOLLET | EPOLLONESHOT, 0);
        source.Set(Readiness.In);
        Assert.Equal(1, Poll(epoll));
        source.Set(Readiness.None);
        source.Set(Readiness.In);
        Assert.Equal(0, Poll(epoll));
    }

    /// <summary>A readable source that wakes its observers again the first time an epoll harvest looks at it.</summary>
    private sealed class WakesWhileLookedAt : IPollable
    {
        private readonly ReadinessObservers _observers = new();
        private bool _wokeDuringLook;
        private bool _fired;

        public void Fire() { _fired = true; _observers.Notify(this, Readiness.In); }

        public Readiness CurrentReadiness()
        {
            if (_fired && !_wokeDuringLook)
            {
                _wokeDuringLook = true;
                _observers.Notify(this, Readiness.In);
            }
            return _fired ? Readiness.In : Readiness.None;
        }

        public void Subscribe(IReadinessObserver observer) => _observers.Add(observer);
        public void Unsubscribe(IReadinessObserver observer) => _observers.Remove(observer);
    }
}
