// epoll_wait(2) blocking: timeouts (0 = poll, -1 = forever), wake-up by a target from another thread,
// cancellation (-EINTR), and no lost wake-ups under concurrent writers. Synchronisation is by events the
// waiter itself signals (it reads its cancellation only when about to block), never by sleeping.
using static Biscuit.Posix.Events.EpollConstants;

namespace Biscuit.Posix.Events.Tests;

public class EpollWaitTests
{
    private const uint In = PollBits.POLLIN;

    [Fact]
    public void A_zero_timeout_returns_0_at_once_when_nothing_is_ready()
    {
        using var epoll = new EpollInstance();
        epoll.Control(EPOLL_CTL_ADD, 3, new ManualSource(), In, 0);
        Assert.Equal(0, epoll.Wait(new EpollEvent[4], 0, WaitCancellation.Never));
    }

    [Fact]
    public void A_finite_timeout_returns_0_when_nothing_becomes_ready()
    {
        using var epoll = new EpollInstance();
        epoll.Control(EPOLL_CTL_ADD, 3, new ManualSource(), In, 0);
        Assert.Equal(0, epoll.Wait(new EpollEvent[4], 25, WaitCancellation.Never));
    }

    [Fact]
    public void A_blocked_wait_returns_when_a_target_becomes_ready()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource();
        epoll.Control(EPOLL_CTL_ADD, 3, source, In, 42);
        var cancel = new WatchedCancellation();
        var events = new EpollEvent[4];
        var waiting = Task.Run(() => epoll.Wait(events, -1, cancel));
        cancel.AwaitBlocking();
        source.Set(Readiness.In);
        Assert.Equal(1, Finish.Within(waiting));
        Assert.Equal(42UL, events[0].Data);
    }

    [Fact]
    public void A_blocked_wait_with_a_long_timeout_returns_when_a_target_becomes_ready()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource();
        epoll.Control(EPOLL_CTL_ADD, 3, source, In, 42);
        var cancel = new WatchedCancellation();
        var waiting = Task.Run(() => epoll.Wait(new EpollEvent[4], 600_000, cancel));
        cancel.AwaitBlocking();
        source.Set(Readiness.In);
        Assert.Equal(1, Finish.Within(waiting));
    }

    [Fact]
    public void A_blocked_wait_that_is_cancelled_returns_EINTR()
    {
        using var epoll = new EpollInstance();
        epoll.Control(EPOLL_CTL_ADD, 3, new ManualSource(), In, 0);
        var cancel = new WatchedCancellation();
        var waiting = Task.Run(() => epoll.Wait(new EpollEvent[4], -1, cancel));
        cancel.AwaitBlocking();
        cancel.Cancel();
        Assert.Equal(-LinuxErrno.EINTR, Finish.Within(waiting));
    }

    [Fact]
    public void Ready_events_are_returned_even_when_the_caller_is_cancelled()
    {
        using var epoll = new EpollInstance();
        epoll.Control(EPOLL_CTL_ADD, 3, new ManualSource(Readiness.In), In, 0);
        var cancel = new WatchedCancellation();
        cancel.Cancel();
        Assert.Equal(1, epoll.Wait(new EpollEvent[4], -1, cancel));
    }

    [Fact]
    public void A_zero_timeout_never_reports_EINTR()
    {
        using var epoll = new EpollInstance();
        var cancel = new WatchedCancellation();
        cancel.Cancel();
        Assert.Equal(0, epoll.Wait(new EpollEvent[4], 0, cancel));
    }

    [Fact]
    public void A_missing_cancellation_means_never_cancelled()
    {
        using var epoll = new EpollInstance();
        epoll.Control(EPOLL_CTL_ADD, 3, new ManualSource(Readiness.In), In, 0);
        Assert.Equal(1, epoll.Wait(new EpollEvent[4], -1, null!));
    }

    [Fact]
    public void Disposing_wakes_a_blocked_wait_with_EBADF()
    {
        var epoll = new EpollInstance();
        var cancel = new WatchedCancellation();
        var waiting = Task.Run(() => epoll.Wait(new EpollEvent[4], -1, cancel));
        cancel.AwaitBlocking();
        epoll.Dispose();
        Assert.Equal(-LinuxErrno.EBADF, Finish.Within(waiting));
    }

    [Fact]
    public void An_fd_added_while_a_wait_is_blocked_wakes_it_when_ready()
    {
        using var epoll = new EpollInstance();
        var cancel = new WatchedCancellation();
        var events = new EpollEvent[4];
        var waiting = Task.Run(() => epoll.Wait(events, -1, cancel));
        cancel.AwaitBlocking();
        epoll.Control(EPOLL_CTL_ADD, 3, new ManualSource(Readiness.In), In, 5);
        Assert.Equal(1, Finish.Within(waiting));
        Assert.Equal(5UL, events[0].Data);
    }

    [Fact]
    public void No_wakeup_is_lost_between_concurrent_writers_and_an_edge_triggered_reader()
    {
        // Four threads add 1 to an eventfd 2,000 times each; one thread waits edge-triggered and reads.
        // With a lost wake-up the reader would block forever with a non-zero counter.
        const int writers = 4, writesEach = 2_000;
        using var epoll = new EpollInstance();
        var counter = new EventFd(0, semaphore: false, nonBlocking: true);
        epoll.Control(EPOLL_CTL_ADD, 3, counter, In | EPOLLET, 0);
        var reader = Task.Run(() =>
        {
            var events = new EpollEvent[1];
            ulong total = 0;
            while (total < writers * writesEach)
            {
                int n = epoll.Wait(events, -1, WaitCancellation.Never);
                Assert.Equal(1, n);
                while (counter.Read(out ulong value) == 0) total += value; // until EAGAIN, as ET requires
            }
            return total;
        });
        var writing = Enumerable.Range(0, writers).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < writesEach; i++) Assert.Equal(0, counter.Write(1));
        })).ToArray();
        Assert.True(Task.WaitAll(writing, TimeSpan.FromSeconds(60)));
        Assert.Equal((ulong)(writers * writesEach), Finish.Within(reader));
    }

    [Fact]
    public void Two_threads_waiting_on_one_instance_both_return_when_two_fds_become_ready()
    {
        using var epoll = new EpollInstance();
        var a = new ManualSource();
        var b = new ManualSource();
        epoll.Control(EPOLL_CTL_ADD, 3, a, In | EPOLLONESHOT, 3);
        epoll.Control(EPOLL_CTL_ADD, 4, b, In | EPOLLONESHOT, 4);
        var cancelFirst = new WatchedCancellation();
        var cancelSecond = new WatchedCancellation();
        var first = Task.Run(() => { var e = new EpollEvent[1]; return epoll.Wait(e, -1, cancelFirst) == 1 ? e[0].Data : 0; });
        var second = Task.Run(() => { var e = new EpollEvent[1]; return epoll.Wait(e, -1, cancelSecond) == 1 ? e[0].Data : 0; });
        cancelFirst.AwaitBlocking();
        cancelSecond.AwaitBlocking();
        a.Set(Readiness.In);
        b.Set(Readiness.In);
        var got = new[] { Finish.Within(first), Finish.Within(second) }.OrderBy(d => d);
        Assert.Equal(new ulong[] { 3, 4 }, got);
    }

    [Fact]
    public void Any_negative_timeout_blocks_until_ready()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource();
        epoll.Control(EPOLL_CTL_ADD, 3, source, In, 0);
        var cancel = new WatchedCancellation();
        var waiting = Task.Run(() => epoll.Wait(new EpollEvent[1], -7, cancel));
        cancel.AwaitBlocking();
        source.Set(Readiness.In);
        Assert.Equal(1, Finish.Within(waiting));
    }

    [Fact]
    public void Exclusive_registrations_in_two_instances_wake_both_which_is_one_or_more()
    {
        using var first = new EpollInstance();
        using var second = new EpollInstance();
        var source = new ManualSource();
        first.Control(EPOLL_CTL_ADD, 3, source, In | EPOLLEXCLUSIVE, 1);
        second.Control(EPOLL_CTL_ADD, 3, source, In | EPOLLEXCLUSIVE, 2);
        source.Set(Readiness.In);
        Assert.Equal(1, first.Wait(new EpollEvent[1], 0, WaitCancellation.Never));
        Assert.Equal(1, second.Wait(new EpollEvent[1], 0, WaitCancellation.Never));
    }

    [Fact]
    public void A_blocked_wait_keeps_checking_its_cancellation_without_any_wakeup()
    {
        using var epoll = new EpollInstance();
        var cancel = new CountingCancellation(cancelAfterReads: 3);
        Assert.Equal(-LinuxErrno.EINTR, epoll.Wait(new EpollEvent[1], -1, cancel));
        Assert.Equal(3, cancel.Reads);
    }

    /// <summary>Answers "cancelled" on its n-th read: only a wait that re-reads it on its own returns.</summary>
    private sealed class CountingCancellation(int cancelAfterReads) : IWaitCancellation
    {
        public int Reads;
        public bool IsCancelled => ++Reads >= cancelAfterReads;
    }
}
