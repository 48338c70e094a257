// epoll(7) level-triggered registrations (the default): reported on every epoll_wait while the level
// lasts, with exactly the asked-for bits plus EPOLLERR/EPOLLHUP; reported round robin across fds.
using static Biscuit.Posix.Events.EpollConstants;

namespace Biscuit.Posix.Events.Tests;

public class EpollLevelTriggeredTests
{
    private const uint In = PollBits.POLLIN, Out = PollBits.POLLOUT;
    private readonly EpollEvent[] _events = new EpollEvent[8];

    private int Poll(EpollInstance epoll) => epoll.Wait(_events, 0, WaitCancellation.Never);

    [Fact]
    public void A_ready_target_is_reported_with_its_data()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource();
        epoll.Control(EPOLL_CTL_ADD, 3, source, In, 0xDEAD_BEEF_0000_0001);
        source.Set(Readiness.In);
        Assert.Equal(1, Poll(epoll));
        Assert.Equal(new EpollEvent(In, 0xDEAD_BEEF_0000_0001), _events[0]);
    }

    [Fact]
    public void A_target_ready_when_added_is_reported()
    {
        using var epoll = new EpollInstance();
        epoll.Control(EPOLL_CTL_ADD, 3, new ManualSource(Readiness.Out), Out, 7);
        Assert.Equal(1, Poll(epoll));
        Assert.Equal(7UL, _events[0].Data);
    }

    [Fact]
    public void The_level_is_reported_again_on_every_wait_while_it_lasts()
    {
        using var epoll = new EpollInstance();
        epoll.Control(EPOLL_CTL_ADD, 3, new ManualSource(Readiness.In), In, 0);
        Assert.Equal(1, Poll(epoll));
        Assert.Equal(1, Poll(epoll));
        Assert.Equal(1, Poll(epoll));
    }

    [Fact]
    public void Nothing_is_reported_once_the_level_drops_without_a_wakeup()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource(Readiness.In);
        epoll.Control(EPOLL_CTL_ADD, 3, source, In, 0);
        Assert.Equal(1, Poll(epoll));
        source.Set(Readiness.None);
        Assert.Equal(0, Poll(epoll));
    }

    [Fact]
    public void Only_the_asked_for_events_are_reported()
    {
        using var epoll = new EpollInstance();
        epoll.Control(EPOLL_CTL_ADD, 3, new ManualSource(Readiness.In | Readiness.Out), In, 0);
        Assert.Equal(1, Poll(epoll));
        Assert.Equal(In, _events[0].Events);
    }

    [Fact]
    public void A_target_ready_only_for_events_not_asked_for_is_not_reported()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource();
        epoll.Control(EPOLL_CTL_ADD, 3, source, In, 0);
        source.Set(Readiness.Out);
        Assert.Equal(0, Poll(epoll));
    }

    [Theory]
    [InlineData(Readiness.Err)]
    [InlineData(Readiness.Hup)]
    public void Error_and_hang_up_are_reported_even_when_not_asked_for(Readiness condition)
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource();
        epoll.Control(EPOLL_CTL_ADD, 3, source, 0, 0);
        source.Set(condition);
        Assert.Equal(1, Poll(epoll));
        Assert.Equal((uint)condition, _events[0].Events);
    }

    [Fact]
    public void Peer_shutdown_is_reported_only_when_asked_for()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource(Readiness.In | Readiness.RdHup);
        epoll.Control(EPOLL_CTL_ADD, 3, source, In, 1);
        epoll.Control(EPOLL_CTL_ADD, 4, source, In | PollBits.POLLRDHUP, 2);
        Assert.Equal(2, Poll(epoll));
        var byData = _events.Take(2).ToDictionary(e => e.Data, e => e.Events);
        Assert.Equal(0u, byData[1] & PollBits.POLLRDHUP);
        Assert.Equal(PollBits.POLLRDHUP, byData[2] & PollBits.POLLRDHUP);
    }

    [Fact]
    public void Normal_data_bits_are_reported_when_asked_for_alone()
    {
        using var epoll = new EpollInstance();
        epoll.Control(EPOLL_CTL_ADD, 3, new ManualSource(Readiness.In | Readiness.Out), PollBits.POLLRDNORM | PollBits.POLLWRNORM, 0);
        Assert.Equal(1, Poll(epoll));
        Assert.Equal(PollBits.POLLRDNORM | PollBits.POLLWRNORM, _events[0].Events);
    }

    [Fact]
    public void Modify_changes_the_interest_and_the_data()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource(Readiness.Out);
        epoll.Control(EPOLL_CTL_ADD, 3, source, In, 1);
        Assert.Equal(0, Poll(epoll));
        Assert.Equal(0, epoll.Control(EPOLL_CTL_MOD, 3, source, Out, 2));
        Assert.Equal(1, Poll(epoll));
        Assert.Equal(new EpollEvent(Out, 2), _events[0]);
    }

    [Fact]
    public void Maxevents_of_zero_is_EINVAL()
    {
        using var epoll = new EpollInstance();
        Assert.Equal(-LinuxErrno.EINVAL, epoll.Wait(Span<EpollEvent>.Empty, 0, WaitCancellation.Never));
    }

    [Fact]
    public void More_ready_fds_than_maxevents_are_reported_over_several_waits()
    {
        using var epoll = new EpollInstance();
        for (int fd = 3; fd < 6; fd++) epoll.Control(EPOLL_CTL_ADD, fd, new ManualSource(Readiness.In), In | EPOLLET, (ulong)fd);
        var two = new EpollEvent[2];
        Assert.Equal(2, epoll.Wait(two, 0, WaitCancellation.Never));
        Assert.Equal(new ulong[] { 3, 4 }, two.Select(e => e.Data));
        Assert.Equal(1, epoll.Wait(two, 0, WaitCancellation.Never));
        Assert.Equal(5UL, two[0].Data);
        Assert.Equal(0, epoll.Wait(two, 0, WaitCancellation.Never));
    }

    [Fact]
    public void Busy_fds_are_reported_round_robin_so_none_starves()
    {
        using var epoll = new EpollInstance();
        for (int fd = 3; fd < 6; fd++) epoll.Control(EPOLL_CTL_ADD, fd, new ManualSource(Readiness.In), In, (ulong)fd);
        var one = new EpollEvent[1];
        var order = new List<ulong>();
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(1, epoll.Wait(one, 0, WaitCancellation.Never));
            order.Add(one[0].Data);
        }
        Assert.Equal(new ulong[] { 3, 4, 5, 3, 4, 5 }, order);
    }

    [Fact]
    public void A_busy_fd_that_keeps_waking_does_not_starve_a_quiet_ready_one()
    {
        using var epoll = new EpollInstance();
        var busy = new ManualSource(Readiness.In);
        var quiet = new ManualSource(Readiness.In);
        epoll.Control(EPOLL_CTL_ADD, 3, busy, In, 3);
        epoll.Control(EPOLL_CTL_ADD, 4, quiet, In, 4);
        var one = new EpollEvent[1];
        Assert.Equal(1, epoll.Wait(one, 0, WaitCancellation.Never));
        Assert.Equal(3UL, one[0].Data);
        busy.Set(Readiness.In); // more data on the busy fd
        Assert.Equal(1, epoll.Wait(one, 0, WaitCancellation.Never));
        Assert.Equal(4UL, one[0].Data);
    }

    [Fact]
    public void The_same_file_under_two_fds_is_reported_for_each()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource(Readiness.In);
        epoll.Control(EPOLL_CTL_ADD, 3, source, In, 3);
        epoll.Control(EPOLL_CTL_ADD, 4, source, In, 4);
        Assert.Equal(2, Poll(epoll));
        Assert.Equal(new ulong[] { 3, 4 }, _events.Take(2).Select(e => e.Data).OrderBy(d => d));
    }

    [Fact]
    public void A_target_that_throws_while_looked_at_leaves_the_ready_list_intact()
    {
        using var epoll = new EpollInstance();
        var faulty = new FaultySource();
        epoll.Control(EPOLL_CTL_ADD, 3, faulty, In, 3);
        epoll.Control(EPOLL_CTL_ADD, 4, new ManualSource(Readiness.In), In, 4);
        faulty.Throws = true;
        Assert.Throws<InvalidOperationException>(() => Poll(epoll));
        faulty.Throws = false;
        Assert.Equal(2, Poll(epoll));
    }

    /// <summary>A readable source whose CurrentReadiness fails while Throws is set (a bug in a file object).</summary>
    private sealed class FaultySource : IPollable
    {
        public bool Throws;
        public Readiness CurrentReadiness() => Throws ? throw new InvalidOperationException("broken file object") : Readiness.In;
        public void Subscribe(IReadinessObserver observer) { }
        public void Unsubscribe(IReadinessObserver observer) { }
    }
}
