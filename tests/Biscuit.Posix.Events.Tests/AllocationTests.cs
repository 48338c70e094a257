// The hot paths run inside a server with a GC budget: once set up, waiting, polling, reading and writing
// allocate nothing on the managed heap. Each path is run once first (set-up allocations such as a pipe's
// ring or a thread's poll waiter happen then), then measured on this thread.
using static Biscuit.Posix.Events.EpollConstants;

namespace Biscuit.Posix.Events.Tests;

public class AllocationTests
{
    private static long AllocatedBy(Action action)
    {
        action();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void Harvesting_ready_events_allocates_nothing()
    {
        using var epoll = new EpollInstance();
        var eventFd = new EventFd(1, semaphore: false, nonBlocking: true);
        var source = new ManualSource(Readiness.In);
        epoll.Control(EPOLL_CTL_ADD, 3, eventFd, PollBits.POLLIN, 3);
        epoll.Control(EPOLL_CTL_ADD, 4, source, PollBits.POLLIN | EPOLLET, 4);
        var events = new EpollEvent[4];
        Assert.Equal(0, AllocatedBy(() =>
        {
            source.Set(Readiness.In);
            epoll.Wait(events, 0, WaitCancellation.Never);
        }));
    }

    [Fact]
    public void Eventfd_reads_and_writes_allocate_nothing()
    {
        var eventFd = new EventFd(0, semaphore: false, nonBlocking: true);
        Assert.Equal(0, AllocatedBy(() =>
        {
            eventFd.Write(3);
            eventFd.Read(out _);
        }));
    }

    [Fact]
    public void Pipe_reads_and_writes_allocate_nothing_after_the_first_write()
    {
        var pipe = new PipeBuffer();
        var data = new byte[1000];
        var sink = new byte[1000];
        Assert.Equal(0, AllocatedBy(() =>
        {
            pipe.Write(data, true, WaitCancellation.Never);
            pipe.Read(sink, true, WaitCancellation.Never);
        }));
    }

    [Fact]
    public void A_poll_that_finds_something_ready_allocates_nothing()
    {
        var entries = new[] { new PollEntry(new ManualSource(Readiness.In), (short)PollBits.POLLIN), new PollEntry(null, 0) };
        Assert.Equal(0, AllocatedBy(() => PollWait.Wait(entries, -1, WaitCancellation.Never)));
    }
}
