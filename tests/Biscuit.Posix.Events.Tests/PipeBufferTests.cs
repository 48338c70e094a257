// pipe(7): a 65536-byte FIFO of bytes; writes of at most PIPE_BUF (4096) bytes are atomic; EOF once every
// writer closed, EPIPE once every reader closed; the read end polls readable / hung up, the write end
// writable / in error.
namespace Biscuit.Posix.Events.Tests;

public class PipeBufferTests
{
    private static readonly IWaitCancellation Never = WaitCancellation.Never;

    private static byte[] Bytes(int count, int seed = 0) => Enumerable.Range(seed, count).Select(i => (byte)(i * 7 + 3)).ToArray();

    [Fact]
    public void Bytes_come_out_in_the_order_they_went_in()
    {
        var pipe = new PipeBuffer();
        Assert.Equal(3, pipe.Write(new byte[] { 1, 2, 3 }, nonBlocking: true, Never));
        Assert.Equal(2, pipe.Write(new byte[] { 4, 5 }, nonBlocking: true, Never));
        var buffer = new byte[10];
        Assert.Equal(5, pipe.Read(buffer, nonBlocking: true, Never));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, buffer[..5]);
    }

    [Fact]
    public void A_short_read_leaves_the_rest_for_the_next_read()
    {
        var pipe = new PipeBuffer();
        pipe.Write(new byte[] { 1, 2, 3 }, true, Never);
        var two = new byte[2];
        Assert.Equal(2, pipe.Read(two, true, Never));
        Assert.Equal(1, pipe.Read(two, true, Never));
        Assert.Equal(3, two[0]);
        Assert.Equal(0, pipe.BytesAvailable);
    }

    [Fact]
    public void Bytes_survive_wrapping_around_the_ring()
    {
        var pipe = new PipeBuffer();
        var sink = new byte[PipeBuffer.Capacity];
        pipe.Write(Bytes(60_000), true, Never);
        pipe.Read(sink.AsSpan(0, 60_000), true, Never);
        var data = Bytes(20_000, seed: 11);
        Assert.Equal(20_000, pipe.Write(data, true, Never));
        Assert.Equal(20_000, pipe.Read(sink, true, Never));
        Assert.Equal(data, sink[..20_000]);
    }

    [Fact]
    public void Reading_an_empty_pipe_without_blocking_is_EAGAIN()
    {
        Assert.Equal(-LinuxErrno.EAGAIN, new PipeBuffer().Read(new byte[4], true, Never));
    }

    [Fact]
    public void Reading_into_an_empty_buffer_returns_0()
    {
        Assert.Equal(0, new PipeBuffer().Read(Span<byte>.Empty, false, Never));
    }

    [Fact]
    public void Queued_bytes_are_still_read_after_the_writer_closed_then_end_of_file()
    {
        var pipe = new PipeBuffer();
        pipe.Write(new byte[] { 9 }, true, Never);
        pipe.CloseWriter();
        var buffer = new byte[4];
        Assert.Equal(1, pipe.Read(buffer, false, Never));
        Assert.Equal(0, pipe.Read(buffer, false, Never));
    }

    [Fact]
    public void Writing_with_no_reader_is_EPIPE()
    {
        var pipe = new PipeBuffer();
        pipe.CloseReader();
        Assert.Equal(-LinuxErrno.EPIPE, pipe.Write(new byte[] { 1 }, false, Never));
    }

    [Fact]
    public void An_empty_write_succeeds_even_with_no_reader()
    {
        var pipe = new PipeBuffer();
        pipe.CloseReader();
        Assert.Equal(0, pipe.Write(ReadOnlySpan<byte>.Empty, false, Never));
    }

    [Fact]
    public void The_pipe_holds_65536_bytes_and_then_refuses_more_without_blocking()
    {
        var pipe = new PipeBuffer();
        Assert.Equal(PipeBuffer.Capacity, pipe.Write(Bytes(PipeBuffer.Capacity), true, Never));
        Assert.Equal(-LinuxErrno.EAGAIN, pipe.Write(new byte[] { 1 }, true, Never));
    }

    [Fact]
    public void A_small_write_that_does_not_fit_whole_is_EAGAIN_not_partial()
    {
        var pipe = new PipeBuffer();
        pipe.Write(Bytes(PipeBuffer.Capacity - 100), true, Never);
        Assert.Equal(-LinuxErrno.EAGAIN, pipe.Write(Bytes(101), true, Never));
        Assert.Equal(PipeBuffer.Capacity - 100, pipe.BytesAvailable);
    }

    [Fact]
    public void A_large_nonblocking_write_writes_what_fits()
    {
        var pipe = new PipeBuffer();
        pipe.Write(Bytes(PipeBuffer.Capacity - 100), true, Never);
        Assert.Equal(100, pipe.Write(Bytes(PipeBuffer.AtomicWriteLimit + 1), true, Never));
        Assert.Equal(PipeBuffer.Capacity, pipe.BytesAvailable);
    }

    [Fact]
    public void A_blocking_write_larger_than_the_pipe_completes_as_a_reader_drains_it()
    {
        var pipe = new PipeBuffer();
        var data = Bytes(200_000);
        var writing = Task.Run(() => pipe.Write(data, false, Never));
        var received = new MemoryStream();
        var buffer = new byte[7_000];
        while (received.Length < data.Length)
        {
            int n = pipe.Read(buffer, false, Never);
            Assert.True(n > 0);
            received.Write(buffer, 0, n);
        }
        Assert.Equal(data.Length, Finish.Within(writing));
        Assert.Equal(data, received.ToArray());
    }

    [Fact]
    public void Writes_of_PIPE_BUF_bytes_from_two_writers_never_interleave()
    {
        const int records = 64;
        var pipe = new PipeBuffer();
        Task<int> Writer(byte mark) => Task.Run(() =>
        {
            var record = Enumerable.Repeat(mark, PipeBuffer.AtomicWriteLimit).ToArray();
            for (int i = 0; i < records; i++) Assert.Equal(record.Length, pipe.Write(record, false, Never));
            return records;
        });
        var a = Writer(0xAA);
        var b = Writer(0xBB);
        var all = new byte[2 * records * PipeBuffer.AtomicWriteLimit];
        int got = 0;
        while (got < all.Length) got += pipe.Read(all.AsSpan(got), false, Never);
        Finish.Within(a);
        Finish.Within(b);
        for (int r = 0; r < 2 * records; r++)
        {
            var record = all.AsSpan(r * PipeBuffer.AtomicWriteLimit, PipeBuffer.AtomicWriteLimit);
            Assert.True(record.IndexOfAnyExcept(record[0]) < 0, $"record {r} is interleaved");
        }
    }

    [Fact]
    public void A_blocked_read_returns_the_bytes_of_a_later_write()
    {
        var pipe = new PipeBuffer();
        var cancel = new WatchedCancellation();
        var buffer = new byte[8];
        var reading = Task.Run(() => pipe.Read(buffer, false, cancel));
        cancel.AwaitBlocking();
        pipe.Write(new byte[] { 5, 6 }, false, Never);
        Assert.Equal(2, Finish.Within(reading));
        Assert.Equal(new byte[] { 5, 6 }, buffer[..2]);
    }

    [Fact]
    public void A_blocked_read_returns_end_of_file_when_the_last_writer_closes()
    {
        var pipe = new PipeBuffer();
        pipe.AddWriter();
        var cancel = new WatchedCancellation();
        var reading = Task.Run(() => pipe.Read(new byte[8], false, cancel));
        cancel.AwaitBlocking();
        pipe.CloseWriter();
        Assert.Equal(1, pipe.OpenWriters);
        pipe.CloseWriter();
        Assert.Equal(0, Finish.Within(reading));
    }

    [Fact]
    public void A_blocked_read_that_is_cancelled_returns_EINTR()
    {
        var pipe = new PipeBuffer();
        var cancel = new WatchedCancellation();
        var reading = Task.Run(() => pipe.Read(new byte[8], false, cancel));
        cancel.AwaitBlocking();
        cancel.Cancel();
        Assert.Equal(-LinuxErrno.EINTR, Finish.Within(reading));
    }

    [Fact]
    public void A_blocked_write_returns_EPIPE_when_the_last_reader_closes()
    {
        var pipe = new PipeBuffer();
        pipe.Write(Bytes(PipeBuffer.Capacity), true, Never);
        var cancel = new WatchedCancellation();
        var writing = Task.Run(() => pipe.Write(new byte[] { 1 }, false, cancel));
        cancel.AwaitBlocking();
        pipe.CloseReader();
        Assert.Equal(-LinuxErrno.EPIPE, Finish.Within(writing));
    }

    [Fact]
    public void A_cancelled_large_write_returns_what_it_wrote()
    {
        var pipe = new PipeBuffer();
        pipe.Write(Bytes(PipeBuffer.Capacity - 10), true, Never);
        var cancel = new WatchedCancellation();
        var writing = Task.Run(() => pipe.Write(Bytes(10_000), false, cancel));
        cancel.AwaitBlocking();
        cancel.Cancel();
        Assert.Equal(10, Finish.Within(writing));
    }

    [Fact]
    public void A_cancelled_write_that_wrote_nothing_returns_EINTR()
    {
        var pipe = new PipeBuffer();
        pipe.Write(Bytes(PipeBuffer.Capacity), true, Never);
        var cancel = new WatchedCancellation();
        var writing = Task.Run(() => pipe.Write(new byte[] { 1 }, false, cancel));
        cancel.AwaitBlocking();
        cancel.Cancel();
        Assert.Equal(-LinuxErrno.EINTR, Finish.Within(writing));
    }

    [Fact]
    public void The_read_end_is_readable_while_bytes_are_queued_and_hung_up_once_writers_closed()
    {
        var pipe = new PipeBuffer();
        Assert.Equal(Readiness.None, pipe.ReadEnd.CurrentReadiness());
        pipe.Write(new byte[] { 1 }, true, Never);
        Assert.Equal(Readiness.In, pipe.ReadEnd.CurrentReadiness());
        pipe.CloseWriter();
        Assert.Equal(Readiness.In | Readiness.Hup, pipe.ReadEnd.CurrentReadiness());
        pipe.Read(new byte[1], true, Never);
        Assert.Equal(Readiness.Hup, pipe.ReadEnd.CurrentReadiness());
    }

    [Fact]
    public void The_write_end_is_writable_only_while_PIPE_BUF_bytes_fit()
    {
        var pipe = new PipeBuffer();
        Assert.Equal(Readiness.Out, pipe.WriteEnd.CurrentReadiness());
        pipe.Write(Bytes(PipeBuffer.Capacity - PipeBuffer.AtomicWriteLimit), true, Never);
        Assert.Equal(Readiness.Out, pipe.WriteEnd.CurrentReadiness());
        pipe.Write(new byte[] { 1 }, true, Never);
        Assert.Equal(Readiness.None, pipe.WriteEnd.CurrentReadiness());
    }

    [Fact]
    public void The_write_end_is_in_error_once_readers_closed()
    {
        var pipe = new PipeBuffer();
        pipe.CloseReader();
        Assert.Equal(Readiness.Out | Readiness.Err, pipe.WriteEnd.CurrentReadiness());
    }

    [Fact]
    public void Closing_an_end_more_often_than_it_was_opened_is_EBADF()
    {
        var pipe = new PipeBuffer();
        Assert.Equal(0, pipe.CloseReader());
        Assert.Equal(-LinuxErrno.EBADF, pipe.CloseReader());
        Assert.Equal(-LinuxErrno.EBADF, pipe.AddReader());
        Assert.Equal(0, pipe.OpenReaders);
    }

    [Fact]
    public void Epoll_edge_triggered_on_the_read_end_is_told_of_each_new_write_as_Linux_does()
    {
        using var epoll = new EpollInstance();
        var pipe = new PipeBuffer();
        epoll.Control(EpollConstants.EPOLL_CTL_ADD, 3, pipe.ReadEnd, PollBits.POLLIN | EpollConstants.EPOLLET, 3);
        var events = new EpollEvent[2];
        pipe.Write(new byte[] { 1 }, true, Never);
        Assert.Equal(1, epoll.Wait(events, 0, Never));
        Assert.Equal(0, epoll.Wait(events, 0, Never));
        pipe.Write(new byte[] { 2 }, true, Never);
        Assert.Equal(1, epoll.Wait(events, 0, Never));
    }

    [Fact]
    public void Epoll_edge_triggered_on_the_write_end_is_told_when_a_full_pipe_becomes_writable()
    {
        using var epoll = new EpollInstance();
        var pipe = new PipeBuffer();
        epoll.Control(EpollConstants.EPOLL_CTL_ADD, 4, pipe.WriteEnd, PollBits.POLLOUT | EpollConstants.EPOLLET, 4);
        var events = new EpollEvent[2];
        Assert.Equal(1, epoll.Wait(events, 0, Never));
        pipe.Write(Bytes(PipeBuffer.Capacity), true, Never);
        Assert.Equal(0, epoll.Wait(events, 0, Never));
        pipe.Read(new byte[100], true, Never);
        Assert.Equal(0, epoll.Wait(events, 0, Never)); // 100 bytes free: not yet PIPE_BUF
        pipe.Read(new byte[PipeBuffer.AtomicWriteLimit], true, Never);
        Assert.Equal(1, epoll.Wait(events, 0, Never));
        Assert.Equal(new EpollEvent(PollBits.POLLOUT, 4), events[0]);
    }

    [Fact]
    public void Epoll_reports_hang_up_on_the_read_end_when_the_writer_closes()
    {
        using var epoll = new EpollInstance();
        var pipe = new PipeBuffer();
        epoll.Control(EpollConstants.EPOLL_CTL_ADD, 3, pipe.ReadEnd, PollBits.POLLIN | EpollConstants.EPOLLET, 3);
        var events = new EpollEvent[2];
        pipe.CloseWriter();
        Assert.Equal(1, epoll.Wait(events, 0, Never));
        Assert.Equal(PollBits.POLLHUP, events[0].Events);
    }

    [Fact]
    public void Epoll_reports_error_on_the_write_end_when_the_reader_closes()
    {
        using var epoll = new EpollInstance();
        var pipe = new PipeBuffer();
        pipe.Write(Bytes(PipeBuffer.Capacity), true, Never);
        epoll.Control(EpollConstants.EPOLL_CTL_ADD, 4, pipe.WriteEnd, PollBits.POLLOUT | EpollConstants.EPOLLET, 4);
        var events = new EpollEvent[2];
        Assert.Equal(0, epoll.Wait(events, 0, Never));
        pipe.CloseReader();
        Assert.Equal(1, epoll.Wait(events, 0, Never));
        Assert.Equal(PollBits.POLLERR, events[0].Events);
    }
}
