// eventfd(2): a 64-bit counter; write adds, read takes all (or 1 with EFD_SEMAPHORE); the counter never
// passes 0xfffffffffffffffe; readable while > 0, writable while a write of 1 fits.
namespace Biscuit.Posix.Events.Tests;

public class EventFdTests
{
    private static EventFd Make(uint initial = 0, bool semaphore = false, bool nonBlocking = true) => new(initial, semaphore, nonBlocking);

    [Fact]
    public void Create_refuses_unknown_flags_with_EINVAL()
    {
        Assert.Equal(-LinuxErrno.EINVAL, EventFd.Create(0, 0x4, out var eventFd));
        Assert.Null(eventFd);
    }

    [Fact]
    public void Create_accepts_semaphore_nonblock_and_cloexec()
    {
        Assert.Equal(0, EventFd.Create(3, EventFd.EFD_SEMAPHORE | EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC, out var eventFd));
        Assert.True(eventFd!.Semaphore);
        Assert.True(eventFd.NonBlocking);
        Assert.Equal(3UL, eventFd.Counter);
    }

    [Fact]
    public void A_read_returns_the_whole_counter_and_resets_it()
    {
        var eventFd = Make(5);
        Assert.Equal(0, eventFd.Write(2));
        Assert.Equal(0, eventFd.Read(out ulong value));
        Assert.Equal(7UL, value);
        Assert.Equal(0UL, eventFd.Counter);
    }

    [Fact]
    public void A_semaphore_read_returns_1_and_decrements()
    {
        var eventFd = Make(2, semaphore: true);
        Assert.Equal(0, eventFd.Read(out ulong first));
        Assert.Equal(0, eventFd.Read(out ulong second));
        Assert.Equal((1UL, 1UL), (first, second));
        Assert.Equal(-LinuxErrno.EAGAIN, eventFd.Read(out _));
    }

    [Fact]
    public void Reading_a_zero_counter_without_blocking_is_EAGAIN()
    {
        Assert.Equal(-LinuxErrno.EAGAIN, Make().Read(out _));
    }

    [Fact]
    public void Writing_all_ones_is_EINVAL()
    {
        var eventFd = Make();
        Assert.Equal(-LinuxErrno.EINVAL, eventFd.Write(ulong.MaxValue));
        Assert.Equal(0UL, eventFd.Counter);
    }

    [Fact]
    public void The_counter_can_reach_its_maximum_and_is_then_not_writable()
    {
        var eventFd = Make();
        Assert.Equal(0, eventFd.Write(EventFd.MaxCounter));
        Assert.Equal(Readiness.In, eventFd.CurrentReadiness());
    }

    [Fact]
    public void A_write_that_would_overflow_without_blocking_is_EAGAIN_and_changes_nothing()
    {
        var eventFd = Make();
        eventFd.Write(EventFd.MaxCounter - 1);
        Assert.Equal(-LinuxErrno.EAGAIN, eventFd.Write(2));
        Assert.Equal(EventFd.MaxCounter - 1, eventFd.Counter);
        Assert.Equal(0, eventFd.Write(1));
    }

    [Fact]
    public void Writing_zero_succeeds_and_changes_nothing()
    {
        var eventFd = Make();
        Assert.Equal(0, eventFd.Write(0));
        Assert.Equal(Readiness.Out, eventFd.CurrentReadiness());
    }

    [Fact]
    public void Readiness_is_writable_when_zero_and_readable_and_writable_when_positive()
    {
        var eventFd = Make();
        Assert.Equal(Readiness.Out, eventFd.CurrentReadiness());
        eventFd.Write(1);
        Assert.Equal(Readiness.In | Readiness.Out, eventFd.CurrentReadiness());
    }

    [Fact]
    public void A_blocked_read_returns_when_a_write_arrives()
    {
        var eventFd = Make(nonBlocking: false);
        var cancel = new WatchedCancellation();
        var reading = Task.Run(() => (eventFd.Read(out ulong value, cancel), value));
        cancel.AwaitBlocking();
        Assert.Equal(0, eventFd.Write(9));
        Assert.Equal((0, 9UL), Finish.Within(reading));
    }

    [Fact]
    public void A_blocked_read_that_is_cancelled_returns_EINTR()
    {
        var eventFd = Make(nonBlocking: false);
        var cancel = new WatchedCancellation();
        var reading = Task.Run(() => eventFd.Read(out _, cancel));
        cancel.AwaitBlocking();
        cancel.Cancel();
        Assert.Equal(-LinuxErrno.EINTR, Finish.Within(reading));
    }

    [Fact]
    public void A_blocked_overflowing_write_completes_after_a_read()
    {
        var eventFd = Make(nonBlocking: false);
        eventFd.Write(EventFd.MaxCounter);
        var cancel = new WatchedCancellation();
        var writing = Task.Run(() => eventFd.Write(5, cancel));
        cancel.AwaitBlocking();
        Assert.Equal(0, eventFd.Read(out ulong drained));
        Assert.Equal(EventFd.MaxCounter, drained);
        Assert.Equal(0, Finish.Within(writing));
        Assert.Equal(5UL, eventFd.Counter);
    }

    [Fact]
    public void A_blocked_overflowing_write_that_is_cancelled_returns_EINTR()
    {
        var eventFd = Make(nonBlocking: false);
        eventFd.Write(EventFd.MaxCounter);
        var cancel = new WatchedCancellation();
        var writing = Task.Run(() => eventFd.Write(1, cancel));
        cancel.AwaitBlocking();
        cancel.Cancel();
        Assert.Equal(-LinuxErrno.EINTR, Finish.Within(writing));
        Assert.Equal(EventFd.MaxCounter, eventFd.Counter);
    }

    [Fact]
    public void Clearing_nonblocking_makes_reads_block()
    {
        var eventFd = Make();
        eventFd.NonBlocking = false;
        var cancel = new WatchedCancellation();
        var reading = Task.Run(() => eventFd.Read(out _, cancel));
        cancel.AwaitBlocking();
        eventFd.Write(1);
        Assert.Equal(0, Finish.Within(reading));
    }

    [Fact]
    public void Reading_into_fewer_than_8_bytes_is_EINVAL_and_keeps_the_counter()
    {
        var eventFd = Make(4);
        Assert.Equal(-LinuxErrno.EINVAL, eventFd.ReadInto(new byte[7], WaitCancellation.Never));
        Assert.Equal(4UL, eventFd.Counter);
    }

    [Fact]
    public void Writing_from_fewer_than_8_bytes_is_EINVAL()
    {
        Assert.Equal(-LinuxErrno.EINVAL, Make().WriteFrom(new byte[4], WaitCancellation.Never));
    }

    [Fact]
    public void The_value_travels_as_8_little_endian_bytes()
    {
        var eventFd = Make();
        Assert.Equal(8, eventFd.WriteFrom(new byte[] { 1, 2, 0, 0, 0, 0, 0, 0, 99 }, WaitCancellation.Never));
        var buffer = new byte[16];
        Assert.Equal(8, eventFd.ReadInto(buffer, WaitCancellation.Never));
        Assert.Equal(new byte[] { 1, 2, 0, 0, 0, 0, 0, 0 }, buffer[..8]);
        Assert.Equal(-LinuxErrno.EAGAIN, eventFd.ReadInto(buffer, WaitCancellation.Never));
    }

    [Fact]
    public void Observers_are_told_of_every_write_and_read()
    {
        var eventFd = Make();
        var seen = new List<Readiness>();
        eventFd.Subscribe(new Recorder(seen));
        eventFd.Write(1);
        eventFd.Write(1);
        eventFd.Read(out _);
        Assert.Equal(new[] { Readiness.In | Readiness.Out, Readiness.In | Readiness.Out, Readiness.Out }, seen);
    }

    [Fact]
    public void Epoll_reports_an_eventfd_readable_after_a_write()
    {
        using var epoll = new EpollInstance();
        var eventFd = Make();
        epoll.Control(EpollConstants.EPOLL_CTL_ADD, 3, eventFd, PollBits.POLLIN, 3);
        var events = new EpollEvent[2];
        Assert.Equal(0, epoll.Wait(events, 0, WaitCancellation.Never));
        eventFd.Write(1);
        Assert.Equal(1, epoll.Wait(events, 0, WaitCancellation.Never));
        eventFd.Read(out _);
        Assert.Equal(0, epoll.Wait(events, 0, WaitCancellation.Never));
    }

    private sealed class Recorder(List<Readiness> seen) : IReadinessObserver
    {
        public void ReadinessChanged(IPollable source, Readiness now) => seen.Add(now);
    }
}
