// Readiness reporting, the service's replacement for blocking: Subscribe hands over a notification,
// the server signals it when the queue of changed sockets goes from empty to non-empty, and
// PollEvents returns each changed socket once, oldest change first, with its readiness now.
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;
using Biscuit.Net.Client.Tests.Harness;
using Biscuit.Net.Protocol;
using static Biscuit.Net.Client.Tests.Harness.RemoteHost;
using static Biscuit.Net.Protocol.EpollEvents;
using static Biscuit.Net.Protocol.LinuxErrno;

namespace Biscuit.Net.Client.Tests;

public class ReadinessEventTests
{
    [Fact]
    public void Events_come_in_the_order_the_sockets_changed_each_socket_once_with_its_level_state()
    {
        using var h = new ServiceHarness();
        long listener = h.ListenOnA(80);
        var (first, a) = h.ConnectFromB(listener, 80);
        var (second, b) = h.ConnectFromB(listener, 80);
        h.PollAll();
        second.Send("2"u8);
        h.Advance(1);
        first.Send("1"u8);
        h.Advance(1);
        second.Send("22"u8);
        h.Advance(1);
        var events = h.PollAll();
        Assert.Equal(new[] { b, a }, events.Select(e => e.Id).ToArray());
        Assert.All(events, e => Assert.Equal(EPOLLIN | EPOLLOUT, e.Events));
        Assert.Empty(h.PollAll());
    }

    [Fact]
    public void Readiness_answers_one_sockets_level_state_without_touching_the_queue()
    {
        using var h = new ServiceHarness();
        var (remote, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        h.PollAll();
        Assert.Equal(EPOLLOUT, h.Net.Readiness(id));
        remote.Send("x"u8);
        h.Advance(2);
        Assert.Equal(EPOLLIN | EPOLLOUT, h.Net.Readiness(id));
        Assert.Contains(h.PollAll(), e => e.Id == id);                // still reported by PollEvents
        Assert.Equal(-EBADF, h.Net.Readiness(12345));
    }

    [Fact]
    public void A_connection_whose_data_came_before_accept_is_reported_once_accepted()
    {
        using var h = new ServiceHarness();
        long listener = h.ListenOnA(80);
        Assert.Equal(0, h.Net.Subscribe(new Handle(3)));
        var remote = h.B.CreateTcpSocket();
        remote.Connect(ServiceHarness.AddressA, 80);
        h.Advance(3);
        remote.Send("early"u8);
        h.Advance(3);
        h.PollAll();
        int signals = h.Signal(3).Signals;
        long id = h.Net.Accept(listener, out _, out _);
        Assert.Equal(signals + 1, h.Signal(3).Signals);
        Assert.Equal(EPOLLIN | EPOLLOUT, EventsOf(h.PollAll(), id));
    }

    [Fact]
    public void A_quiet_accepted_connection_is_not_reported()
    {
        using var h = new ServiceHarness();
        var (_, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        Assert.DoesNotContain(h.PollAll(), e => e.Id == id);
    }

    [Fact]
    public void A_listener_with_a_connection_waiting_reports_EPOLLIN()
    {
        using var h = new ServiceHarness();
        long listener = h.ListenOnA(80);
        h.PollAll();
        h.B.CreateTcpSocket().Connect(ServiceHarness.AddressA, 80);
        h.Advance(3);
        Assert.Equal(EPOLLIN, EventsOf(h.PollAll(), listener));
    }

    [Fact]
    public void The_peers_close_reports_EPOLLIN_and_EPOLLRDHUP()
    {
        using var h = new ServiceHarness();
        var (remote, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        h.PollAll();
        remote.Close();
        h.Advance(3);
        int events = EventsOf(h.PollAll(), id);
        Assert.Equal(EPOLLIN | EPOLLRDHUP, events & (EPOLLIN | EPOLLRDHUP));
    }

    [Fact]
    public void PollEvents_returns_at_most_what_was_asked_and_says_more_are_waiting()
    {
        using var h = new ServiceHarness();
        long listener = h.ListenOnA(80);
        var remotes = Enumerable.Range(0, 3).Select(_ => h.ConnectFromB(listener, 80).Remote).ToList();
        h.PollAll();
        foreach (var r in remotes) { r.Send("x"u8); h.Advance(1); }
        var one = h.Net.PollEvents(1, out bool more);
        Assert.Single(one);
        Assert.True(more);
        var rest = h.Net.PollEvents(0, out more);                     // 0 counts as 1
        Assert.Single(rest);
        Assert.True(more);
        Assert.Single(h.Net.PollEvents(100, out more));
        Assert.False(more);
    }

    [Fact]
    public void The_subscriber_is_signalled_when_the_first_change_is_queued_not_for_every_change()
    {
        using var h = new ServiceHarness();
        Assert.Equal(0, h.Net.Subscribe(new Handle(77)));
        var signal = h.Signal(77);
        var (remote, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        remote.NoDelay = true;                                        // every send leaves at once
        h.PollAll();
        int before = signal.Signals;
        remote.Send("a"u8);
        h.Advance(1);
        Assert.Equal(before + 1, signal.Signals);
        remote.Send("b"u8);
        h.Advance(1);
        Assert.Equal(before + 1, signal.Signals);                     // still queued: no second signal
        Assert.Contains(h.PollAll(), e => e.Id == id);
        remote.Send("c"u8);
        h.Advance(1);
        Assert.Equal(before + 2, signal.Signals);                     // queue emptied, then a new change
    }

    [Fact]
    public void Subscribing_while_events_wait_signals_at_once_and_a_replaced_subscriber_is_released()
    {
        using var h = new ServiceHarness();
        h.ListenOnA(80);
        h.B.CreateTcpSocket().Connect(ServiceHarness.AddressA, 80);
        h.Advance(3);
        Assert.Equal(0, h.Net.Subscribe(new Handle(5)));
        Assert.Equal(1, h.Signal(5).Signals);
        Assert.Equal(0, h.Net.Subscribe(new Handle(6)));
        Assert.Equal(1, h.Signal(5).Releases);
        Assert.Equal(0, h.Signal(6).Releases);
    }

    [Fact]
    public void Subscribe_without_a_handle_or_with_two_is_EINVAL()
    {
        using var h = new ServiceHarness();
        Assert.Equal(-EINVAL, h.Raw.Call(SocketRequests.Subscribe, default(Empty), 10_000).Value);
        var two = new HandleList();
        two.Add(new Handle(1));
        two.Add(new Handle(2));
        Assert.Equal(-EINVAL, h.Raw.Call(SocketRequests.Subscribe, default(Empty), two, 10_000).Value);
    }

    [Fact]
    public void A_socket_closed_while_its_event_waits_is_not_reported()
    {
        using var h = new ServiceHarness();
        var (remote, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        h.PollAll();
        remote.Send("x"u8);
        h.Advance(1);
        h.Net.Close(id);
        Assert.DoesNotContain(h.PollAll(), e => e.Id == id);
    }

    [Fact]
    public void Connecting_sockets_report_EPOLLOUT_once_established()
    {
        using var h = new ServiceHarness();
        var listener = h.ListenOnB(7);
        long id = h.Net.Socket(Inet, StreamType);
        h.Net.Connect(id, ServiceHarness.AddressB.Value, 7);
        Assert.DoesNotContain(h.PollAll(), e => e.Id == id && (e.Events & EPOLLOUT) != 0);   // not writable while connecting
        h.Advance(3);
        Assert.Equal(EPOLLOUT, EventsOf(h.PollAll(), id) & EPOLLOUT);
        Assert.NotNull(listener.Accept(out _));
    }
}
