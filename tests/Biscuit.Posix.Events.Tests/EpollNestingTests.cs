// epoll(7) nesting: an epoll instance is itself pollable (readable while it has events to report) and can
// sit inside another; a loop, or a chain deeper than EPOLL_MAX_NESTS (4 edges), is ELOOP (fs/eventpoll.c).
using static Biscuit.Posix.Events.EpollConstants;

namespace Biscuit.Posix.Events.Tests;

public class EpollNestingTests
{
    private const uint In = PollBits.POLLIN;
    private readonly EpollEvent[] _events = new EpollEvent[8];

    [Fact]
    public void An_epoll_instance_is_readable_while_a_registration_has_an_event()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource();
        epoll.Control(EPOLL_CTL_ADD, 3, source, In, 0);
        Assert.Equal(Readiness.None, epoll.CurrentReadiness());
        source.Set(Readiness.In);
        Assert.Equal(Readiness.In, epoll.CurrentReadiness());
    }

    [Fact]
    public void Looking_at_an_epoll_instance_does_not_consume_its_events()
    {
        using var epoll = new EpollInstance();
        epoll.Control(EPOLL_CTL_ADD, 3, new ManualSource(Readiness.In), In | EPOLLET, 0);
        Assert.Equal(Readiness.In, epoll.CurrentReadiness());
        Assert.Equal(1, epoll.Wait(_events, 0, WaitCancellation.Never));
    }

    [Fact]
    public void An_epoll_instance_whose_queued_target_lost_its_level_is_not_readable()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource();
        epoll.Control(EPOLL_CTL_ADD, 3, source, In, 0);
        source.Set(Readiness.In);
        source.Set(Readiness.None);
        Assert.Equal(Readiness.None, epoll.CurrentReadiness());
    }

    [Fact]
    public void The_outer_instance_reports_the_inner_one_when_its_target_is_ready()
    {
        using var outer = new EpollInstance();
        using var inner = new EpollInstance();
        var source = new ManualSource();
        inner.Control(EPOLL_CTL_ADD, 3, source, In, 0);
        Assert.Equal(0, outer.Control(EPOLL_CTL_ADD, 4, inner, In, 44));
        Assert.Equal(0, outer.Wait(_events, 0, WaitCancellation.Never));
        source.Set(Readiness.In);
        Assert.Equal(1, outer.Wait(_events, 0, WaitCancellation.Never));
        Assert.Equal(new EpollEvent(In, 44), _events[0]);
    }

    [Fact]
    public void A_wait_blocked_on_the_outer_instance_wakes_when_the_inner_target_is_ready()
    {
        using var outer = new EpollInstance();
        using var inner = new EpollInstance();
        var source = new ManualSource();
        inner.Control(EPOLL_CTL_ADD, 3, source, In, 0);
        outer.Control(EPOLL_CTL_ADD, 4, inner, In | EPOLLET, 44);
        var cancel = new WatchedCancellation();
        var waiting = Task.Run(() => outer.Wait(new EpollEvent[2], -1, cancel));
        cancel.AwaitBlocking();
        source.Set(Readiness.In);
        Assert.Equal(1, Finish.Within(waiting));
    }

    [Fact]
    public void Adding_an_instance_into_one_it_contains_is_ELOOP()
    {
        using var a = new EpollInstance();
        using var b = new EpollInstance();
        Assert.Equal(0, a.Control(EPOLL_CTL_ADD, 3, b, In, 0));
        Assert.Equal(-LinuxErrno.ELOOP, b.Control(EPOLL_CTL_ADD, 4, a, In, 0));
        Assert.Equal(0, b.RegistrationCount);
    }

    [Fact]
    public void A_loop_through_three_instances_is_ELOOP()
    {
        using var a = new EpollInstance();
        using var b = new EpollInstance();
        using var c = new EpollInstance();
        a.Control(EPOLL_CTL_ADD, 3, b, In, 0);
        b.Control(EPOLL_CTL_ADD, 3, c, In, 0);
        Assert.Equal(-LinuxErrno.ELOOP, c.Control(EPOLL_CTL_ADD, 3, a, In, 0));
    }

    [Fact]
    public void Once_the_inner_instance_is_deleted_the_reverse_add_is_allowed()
    {
        using var a = new EpollInstance();
        using var b = new EpollInstance();
        a.Control(EPOLL_CTL_ADD, 3, b, In, 0);
        a.Control(EPOLL_CTL_DEL, 3, b, 0, 0);
        Assert.Equal(0, b.Control(EPOLL_CTL_ADD, 4, a, In, 0));
    }

    [Fact]
    public void Once_the_inner_instance_is_forgotten_the_reverse_add_is_allowed()
    {
        using var a = new EpollInstance();
        using var b = new EpollInstance();
        a.Control(EPOLL_CTL_ADD, 3, b, In, 0);
        a.Forget(3);
        Assert.Equal(0, b.Control(EPOLL_CTL_ADD, 4, a, In, 0));
    }

    [Fact]
    public void A_chain_of_four_edges_is_allowed_and_a_fifth_is_ELOOP()
    {
        var chain = Enumerable.Range(0, 6).Select(_ => new EpollInstance()).ToArray();
        try
        {
            for (int i = 0; i < 4; i++) Assert.Equal(0, chain[i].Control(EPOLL_CTL_ADD, 3, chain[i + 1], In, 0));
            Assert.Equal(-LinuxErrno.ELOOP, chain[4].Control(EPOLL_CTL_ADD, 3, chain[5], In, 0));
            Assert.Equal(-LinuxErrno.ELOOP, chain[5].Control(EPOLL_CTL_ADD, 3, chain[0], In, 0));
        }
        finally
        {
            foreach (var instance in chain) instance.Dispose();
        }
    }

    [Fact]
    public void Joining_two_chains_whose_total_depth_is_too_deep_is_ELOOP()
    {
        var top = Enumerable.Range(0, 3).Select(_ => new EpollInstance()).ToArray();    // 2 edges
        var bottom = Enumerable.Range(0, 3).Select(_ => new EpollInstance()).ToArray(); // 2 edges
        try
        {
            for (int i = 0; i < 2; i++) top[i].Control(EPOLL_CTL_ADD, 3, top[i + 1], In, 0);
            for (int i = 0; i < 2; i++) bottom[i].Control(EPOLL_CTL_ADD, 3, bottom[i + 1], In, 0);
            Assert.Equal(-LinuxErrno.ELOOP, top[2].Control(EPOLL_CTL_ADD, 3, bottom[0], In, 0)); // 2 + 1 + 2 edges
            Assert.Equal(0, top[2].Control(EPOLL_CTL_ADD, 3, bottom[1], In, 0));                  // 2 + 1 + 1 edges
        }
        finally
        {
            foreach (var instance in top.Concat(bottom)) instance.Dispose();
        }
    }

    [Fact]
    public void Poll_on_an_epoll_instance_reports_it_readable()
    {
        using var epoll = new EpollInstance();
        epoll.Control(EPOLL_CTL_ADD, 3, new ManualSource(Readiness.In), In, 0);
        var entries = new[] { new PollEntry(epoll, (short)PollBits.POLLIN) };
        Assert.Equal(1, PollWait.Wait(entries, 0, WaitCancellation.Never));
        Assert.Equal((short)PollBits.POLLIN, entries[0].Revents);
    }

    [Fact]
    public void Disposing_an_inner_instance_removes_it_from_the_instances_that_contain_it()
    {
        using var outer = new EpollInstance();
        var inner = new EpollInstance();
        outer.Control(EPOLL_CTL_ADD, 3, inner, In, 0);
        inner.Dispose();
        Assert.Equal(0, outer.RegistrationCount);
        Assert.Equal(-LinuxErrno.EBADF, inner.Control(EPOLL_CTL_ADD, 4, outer, In, 0));
        using var another = new EpollInstance();
        Assert.Equal(0, another.Control(EPOLL_CTL_ADD, 4, outer, In, 0)); // no stale edge left behind
    }
}
