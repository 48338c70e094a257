// poll(2) and select(2): revents is what was asked for plus POLLERR/POLLHUP, POLLNVAL for an fd that is not
// open, nothing for a negative fd; the count is the number of entries with revents; blocking, timeouts and
// cancellation as epoll_wait.
namespace Biscuit.Posix.Events.Tests;

public class PollWaitTests
{
    private const short In = (short)PollBits.POLLIN, Out = (short)PollBits.POLLOUT;

    [Fact]
    public void An_fd_that_is_not_open_is_POLLNVAL_and_counted()
    {
        var entries = new[] { new PollEntry(null, In) };
        Assert.Equal(1, PollWait.Wait(entries, -1, WaitCancellation.Never));
        Assert.Equal((short)PollBits.POLLNVAL, entries[0].Revents);
    }

    [Fact]
    public void A_negative_fd_is_skipped_with_zero_revents()
    {
        var entries = new[] { PollEntry.Ignored, new PollEntry(new ManualSource(Readiness.In), In) };
        entries[0].Revents = 77;
        Assert.Equal(1, PollWait.Wait(entries, 0, WaitCancellation.Never));
        Assert.Equal(0, entries[0].Revents);
    }

    [Fact]
    public void Revents_holds_only_the_asked_for_events()
    {
        var entries = new[] { new PollEntry(new ManualSource(Readiness.In | Readiness.Out), Out) };
        Assert.Equal(1, PollWait.Wait(entries, 0, WaitCancellation.Never));
        Assert.Equal(Out, entries[0].Revents);
    }

    [Fact]
    public void Error_and_hang_up_are_reported_even_when_not_asked_for()
    {
        var entries = new[] { new PollEntry(new ManualSource(Readiness.Err | Readiness.Hup), 0) };
        Assert.Equal(1, PollWait.Wait(entries, 0, WaitCancellation.Never));
        Assert.Equal((short)(PollBits.POLLERR | PollBits.POLLHUP), entries[0].Revents);
    }

    [Fact]
    public void Peer_shutdown_is_reported_only_when_asked_for()
    {
        var source = new ManualSource(Readiness.In | Readiness.RdHup);
        var entries = new[] { new PollEntry(source, In), new PollEntry(source, (short)(In | PollBits.POLLRDHUP)) };
        Assert.Equal(2, PollWait.Wait(entries, 0, WaitCancellation.Never));
        Assert.Equal(In, entries[0].Revents);
        Assert.Equal((short)(In | PollBits.POLLRDHUP), entries[1].Revents);
    }

    [Fact]
    public void Normal_data_bits_are_reported_when_asked_for()
    {
        var entries = new[] { new PollEntry(new ManualSource(Readiness.In | Readiness.Out), (short)(PollBits.POLLRDNORM | PollBits.POLLWRNORM)) };
        Assert.Equal(1, PollWait.Wait(entries, 0, WaitCancellation.Never));
        Assert.Equal((short)(PollBits.POLLRDNORM | PollBits.POLLWRNORM), entries[0].Revents);
    }

    [Fact]
    public void Revents_left_from_an_earlier_call_are_overwritten()
    {
        var entries = new[] { new PollEntry(new ManualSource(), In) { Revents = In } };
        Assert.Equal(0, PollWait.Wait(entries, 0, WaitCancellation.Never));
        Assert.Equal(0, entries[0].Revents);
    }

    [Fact]
    public void The_count_is_the_number_of_entries_with_events()
    {
        var entries = new[]
        {
            new PollEntry(new ManualSource(Readiness.In), In),
            new PollEntry(new ManualSource(), In),
            new PollEntry(new ManualSource(Readiness.Out), (short)(In | Out)),
        };
        Assert.Equal(2, PollWait.Wait(entries, 0, WaitCancellation.Never));
    }

    [Fact]
    public void A_zero_timeout_returns_0_when_nothing_is_ready()
    {
        var entries = new[] { new PollEntry(new ManualSource(), In) };
        Assert.Equal(0, PollWait.Wait(entries, 0, WaitCancellation.Never));
    }

    [Fact]
    public void A_finite_timeout_returns_0_and_leaves_no_subscription()
    {
        var source = new ManualSource();
        var entries = new[] { new PollEntry(source, In) };
        Assert.Equal(0, PollWait.Wait(entries, 25, WaitCancellation.Never));
        Assert.Equal(0, source.ObserverCount);
    }

    [Fact]
    public void An_empty_set_with_a_finite_timeout_just_sleeps_and_returns_0()
    {
        Assert.Equal(0, PollWait.Wait(Span<PollEntry>.Empty, 15, WaitCancellation.Never));
    }

    [Fact]
    public void A_blocked_poll_returns_when_a_target_becomes_ready_and_unsubscribes()
    {
        var quiet = new ManualSource();
        var source = new ManualSource();
        var entries = new[] { new PollEntry(quiet, In), new PollEntry(source, In) };
        var cancel = new WatchedCancellation();
        var waiting = Task.Run(() => PollWait.Wait(entries, -1, cancel));
        cancel.AwaitBlocking();
        source.Set(Readiness.In);
        Assert.Equal(1, Finish.Within(waiting));
        Assert.Equal(In, entries[1].Revents);
        Assert.Equal(0, source.ObserverCount);
        Assert.Equal(0, quiet.ObserverCount);
    }

    [Fact]
    public void A_blocked_poll_that_is_cancelled_returns_EINTR()
    {
        var source = new ManualSource();
        var entries = new[] { new PollEntry(source, In) };
        var cancel = new WatchedCancellation();
        var waiting = Task.Run(() => PollWait.Wait(entries, -1, cancel));
        cancel.AwaitBlocking();
        cancel.Cancel();
        Assert.Equal(-LinuxErrno.EINTR, Finish.Within(waiting));
        Assert.Equal(0, source.ObserverCount);
    }

    [Fact]
    public void Ready_entries_are_returned_even_when_the_caller_is_cancelled()
    {
        var cancel = new WatchedCancellation();
        cancel.Cancel();
        var entries = new[] { new PollEntry(new ManualSource(Readiness.In), In) };
        Assert.Equal(1, PollWait.Wait(entries, -1, cancel));
    }

    [Fact]
    public void The_same_file_twice_is_reported_twice_and_unsubscribed_twice()
    {
        var source = new ManualSource();
        var entries = new[] { new PollEntry(source, In), new PollEntry(source, In) };
        var cancel = new WatchedCancellation();
        var waiting = Task.Run(() => PollWait.Wait(entries, -1, cancel));
        cancel.AwaitBlocking();
        source.Set(Readiness.In);
        Assert.Equal(2, Finish.Within(waiting));
        Assert.Equal(0, source.ObserverCount);
    }

    [Fact]
    public void Select_counts_hang_up_and_error_as_readable_and_error_as_writable()
    {
        Assert.True(SelectMasks.IsReadable((short)PollBits.POLLHUP));
        Assert.True(SelectMasks.IsReadable((short)PollBits.POLLERR));
        Assert.True(SelectMasks.IsWritable((short)PollBits.POLLERR));
        Assert.False(SelectMasks.IsWritable((short)PollBits.POLLHUP));
        Assert.True(SelectMasks.IsExceptional((short)PollBits.POLLPRI));
        Assert.False(SelectMasks.IsExceptional(In));
    }

    [Fact]
    public void Select_on_a_pipe_whose_writer_closed_sees_it_readable()
    {
        var pipe = new PipeBuffer();
        pipe.CloseWriter();
        var entries = new[] { new PollEntry(pipe.ReadEnd, SelectMasks.Readable) };
        Assert.Equal(1, PollWait.Wait(entries, 0, WaitCancellation.Never));
        Assert.True(SelectMasks.IsReadable(entries[0].Revents));
    }

    [Fact]
    public void Any_negative_timeout_blocks_until_ready()
    {
        var source = new ManualSource();
        var entries = new[] { new PollEntry(source, In) };
        var cancel = new WatchedCancellation();
        var waiting = Task.Run(() => PollWait.Wait(entries, -3, cancel));
        cancel.AwaitBlocking();
        source.Set(Readiness.In);
        Assert.Equal(1, Finish.Within(waiting));
    }

    [Fact]
    public void A_blocked_poll_on_no_fds_returns_EINTR_when_cancelled()
    {
        var cancel = new WatchedCancellation();
        var waiting = Task.Run(() => PollWait.Wait(Span<PollEntry>.Empty, -1, cancel));
        cancel.AwaitBlocking();
        cancel.Cancel();
        Assert.Equal(-LinuxErrno.EINTR, Finish.Within(waiting));
    }
}
