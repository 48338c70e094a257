// Thread safety under contention: epoll_ctl, epoll_wait, close and readiness changes from several threads at
// once must neither deadlock nor corrupt the instance. Each test runs a bounded number of iterations and
// then checks a state that only a consistent instance can have.
using static Biscuit.Posix.Events.EpollConstants;

namespace Biscuit.Posix.Events.Tests;

public class ConcurrencyTests
{
    private const uint In = PollBits.POLLIN;

    [Fact]
    public void Control_wait_forget_and_wakeups_racing_leave_a_consistent_instance()
    {
        const int iterations = 3_000;
        using var outer = new EpollInstance();
        using var inner = new EpollInstance();
        var sources = Enumerable.Range(0, 4).Select(_ => new ManualSource()).ToArray();
        inner.Control(EPOLL_CTL_ADD, 100, sources[0], In, 100);
        outer.Control(EPOLL_CTL_ADD, 101, inner, In | EPOLLET, 101);
        using var stop = new CancellationTokenSource();

        var toggler = Task.Run(() =>
        {
            for (int i = 0; i < iterations; i++)
                foreach (var s in sources) s.Set((i & 1) == 0 ? Readiness.In : Readiness.None);
        });
        var controller = Task.Run(() =>
        {
            for (int i = 0; i < iterations; i++)
            {
                int fd = 3 + i % 3;
                var source = sources[1 + i % 3];
                outer.Control(EPOLL_CTL_ADD, fd, source, In | ((i & 2) == 0 ? EPOLLET : EPOLLONESHOT), (ulong)fd);
                outer.Control(EPOLL_CTL_MOD, fd, source, In, (ulong)fd);
                if ((i & 1) == 0) outer.Forget(fd); else outer.Control(EPOLL_CTL_DEL, fd, source, 0, 0);
            }
        });
        var waiter = Task.Run(() =>
        {
            var events = new EpollEvent[3];
            while (!stop.IsCancellationRequested)
            {
                int n = outer.Wait(events, 1, WaitCancellation.Never);
                Assert.InRange(n, 0, 3);
                inner.CurrentReadiness();
            }
        });

        Assert.True(Task.WaitAll(new[] { toggler, controller }, TimeSpan.FromSeconds(120)), "deadlock between control and wake-ups");
        stop.Cancel();
        Finish.Within(waiter.ContinueWith(_ => 0));
        Assert.True(waiter.IsCompletedSuccessfully);

        Assert.Equal(1, outer.RegistrationCount); // only the inner instance is left
        Assert.All(sources.Skip(1), s => Assert.Equal(0, s.ObserverCount));
        sources[0].Set(Readiness.In);
        var last = new EpollEvent[4];
        Assert.Equal(1, outer.Wait(last, 0, WaitCancellation.Never));
        Assert.Equal(101UL, last[0].Data);
    }

    [Fact]
    public void A_pipe_carries_a_stream_intact_between_a_writer_and_an_epoll_driven_nonblocking_reader()
    {
        const int total = 1_000_000;
        var pipe = new PipeBuffer();
        using var epoll = new EpollInstance();
        epoll.Control(EPOLL_CTL_ADD, 3, pipe.ReadEnd, In | EPOLLET | PollBits.POLLRDHUP, 3);
        var writer = Task.Run(() =>
        {
            var chunk = new byte[3_001];
            for (int sent = 0; sent < total;)
            {
                int n = Math.Min(chunk.Length, total - sent);
                for (int i = 0; i < n; i++) chunk[i] = (byte)((sent + i) % 251);
                Assert.Equal(n, pipe.Write(chunk.AsSpan(0, n), false, WaitCancellation.Never));
                sent += n;
            }
            pipe.CloseWriter();
        });
        var events = new EpollEvent[1];
        var buffer = new byte[5_000];
        long received = 0;
        bool endOfFile = false;
        while (!endOfFile)
        {
            Assert.Equal(1, epoll.Wait(events, -1, WaitCancellation.Never));
            while (true) // edge-triggered: read until EAGAIN or end of file
            {
                int n = pipe.Read(buffer, nonBlocking: true, WaitCancellation.Never);
                if (n == -LinuxErrno.EAGAIN) break;
                if (n == 0) { endOfFile = true; break; }
                for (int i = 0; i < n; i++) Assert.Equal((byte)((received + i) % 251), buffer[i]);
                received += n;
            }
        }
        Finish.Within(writer.ContinueWith(_ => 0));
        Assert.True(writer.IsCompletedSuccessfully);
        Assert.Equal(total, received);
    }
}
