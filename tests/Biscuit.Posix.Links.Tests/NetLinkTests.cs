// NetLink is posix's network: sockets made through it talk TCP to a real peer stack, readiness
// changes reach posix's sink with the level state the server reports, Readiness answers the last
// reported level, and socket options cross the boundary in their C layouts.
using Biscuit.Net.Client.Tests.Harness;
using Biscuit.Posix;
using Biscuit.Posix.Links;

namespace Biscuit.Posix.Links.Tests;

public class NetLinkTests
{
    private const int SOCK_STREAM = 1, SOL_SOCKET = 1, SO_LINGER = 13, IPPROTO_TCP = 6, TCP_NODELAY = 1;
    private const uint EPOLLIN = 0x1, EPOLLOUT = 0x4, EPOLLRDHUP = 0x2000;

    private sealed class RecordingSink : ISocketReadinessSink
    {
        public readonly List<(long Socket, uint Mask)> Events = [];
        public void ReadinessChanged(long socket, uint epollMask) { lock (Events) Events.Add((socket, epollMask)); }
    }

    private static (ServiceHarness H, NetLink Net, RecordingSink Sink, long Listener) Listening(ushort port)
    {
        var h = new ServiceHarness();
        var net = new NetLink(() => h.Net);
        var sink = new RecordingSink();
        net.Attach(sink);
        long listener = net.Create(SOCK_STREAM, 0);
        Assert.True(listener > 0);
        Assert.Equal(0, net.Bind(listener, new Ipv4Endpoint(0, port)));
        Assert.Equal(0, net.Listen(listener, 16));
        return (h, net, sink, listener);
    }

    private static long AcceptFromB(ServiceHarness h, NetLink net, long listener, ushort port, out Biscuit.Net.TcpSocket remote)
    {
        remote = h.B.CreateTcpSocket();
        remote.Connect(ServiceHarness.AddressA, port);
        long id = -Errno.EAGAIN;
        Assert.True(h.AdvanceUntil(() => (id = net.Accept(listener, out _)) != -Errno.EAGAIN));
        Assert.True(id > 0, $"accept: {id}");
        return id;
    }

    [Fact]
    public void An_accepted_connection_carries_bytes_both_ways_and_reports_its_peer()
    {
        var (h, net, _, listener) = Listening(80);
        using var harness = h;
        Assert.Equal(-Errno.EAGAIN, net.Accept(listener, out _));
        long id = AcceptFromB(h, net, listener, 80, out var remote);
        Assert.Equal(0, net.PeerAddress(id, out var peer));
        Assert.Equal(ServiceHarness.AddressB.Value, peer.Address);
        Assert.Equal(0, net.LocalAddress(id, out var local));
        Assert.Equal(80, local.Port);
        Assert.Equal(5, net.Send(id, "hello"u8, null));
        var got = new byte[16];
        int n = 0;
        Assert.True(h.AdvanceUntil(() => (n = remote.Receive(got)) > 0));
        Assert.Equal("hello"u8.ToArray(), got[..n]);
        remote.Send("world"u8);
        h.Advance(1);
        Assert.Equal(5, net.Receive(id, got, false, out _));
        Assert.Equal("world"u8.ToArray(), got[..5]);
        Assert.Equal(-Errno.EAGAIN, net.Receive(id, got, false, out _));
    }

    [Fact]
    public void Readiness_changes_reach_the_sink_and_Readiness_answers_the_last_level()
    {
        var (h, net, sink, listener) = Listening(81);
        using var harness = h;
        long id = AcceptFromB(h, net, listener, 81, out var remote);
        net.DeliverEvents();
        sink.Events.Clear();
        remote.Send("data"u8);
        h.Advance(1);
        Assert.True(net.DeliverEvents() >= 1);
        Assert.Contains(sink.Events, e => e.Socket == id && (e.Mask & EPOLLIN) != 0);
        Assert.Equal(EPOLLIN | EPOLLOUT, net.Readiness(id) & (EPOLLIN | EPOLLOUT));
        Assert.Equal(4, net.Receive(id, new byte[8], false, out _));
        remote.Close();
        h.Advance(5);
        net.DeliverEvents();
        Assert.NotEqual(0u, net.Readiness(id) & EPOLLRDHUP);
    }

    [Fact]
    public void Data_that_arrived_before_accept_is_readable_at_once_after_it()
    {
        var (h, net, sink, listener) = Listening(82);
        using var harness = h;
        var remote = h.B.CreateTcpSocket();
        remote.Connect(ServiceHarness.AddressA, 82);
        h.Advance(5);
        remote.Send("early"u8);
        h.Advance(5);
        long id = net.Accept(listener, out _);
        Assert.True(id > 0);
        net.DeliverEvents();
        Assert.NotEqual(0u, net.Readiness(id) & EPOLLIN);
    }

    [Fact]
    public void A_closed_socket_is_forgotten_and_its_id_is_no_longer_valid()
    {
        var (h, net, sink, listener) = Listening(83);
        using var harness = h;
        long id = AcceptFromB(h, net, listener, 83, out var remote);
        Assert.Equal(0, net.Close(id));
        remote.Send("late"u8);
        h.Advance(2);
        net.DeliverEvents();
        Assert.DoesNotContain(sink.Events, e => e.Socket == id && (e.Mask & EPOLLIN) != 0);
        Assert.Equal(0x008u, net.Readiness(id));                              // EPOLLERR: net no longer knows the id
        Assert.Equal(-Errno.EBADF, net.Send(id, "x"u8, null));
    }

    [Fact]
    public void Options_cross_in_their_c_layouts_and_short_buffers_are_EINVAL()
    {
        var (h, net, _, listener) = Listening(84);
        using var harness = h;
        long id = AcceptFromB(h, net, listener, 84, out _);
        Assert.Equal(0, net.SetOption(id, IPPROTO_TCP, TCP_NODELAY, BitConverter.GetBytes(1)));
        var value = new byte[8];
        Assert.Equal(4, net.GetOption(id, IPPROTO_TCP, TCP_NODELAY, value));
        Assert.Equal(1, BitConverter.ToInt32(value));
        byte[] linger = [.. BitConverter.GetBytes(1), .. BitConverter.GetBytes(7)];  // struct linger { l_onoff 1, l_linger 7 }
        Assert.Equal(0, net.SetOption(id, SOL_SOCKET, SO_LINGER, linger));
        Assert.Equal(8, net.GetOption(id, SOL_SOCKET, SO_LINGER, value));
        Assert.Equal(linger, value);
        Assert.Equal(-Errno.EINVAL, net.SetOption(id, IPPROTO_TCP, TCP_NODELAY, new byte[2]));
        Assert.Equal(-Errno.EINVAL, net.GetOption(id, SOL_SOCKET, SO_LINGER, new byte[4]));
    }

    [Fact]
    public void A_peek_leaves_the_bytes_for_the_next_receive()
    {
        var (h, net, _, listener) = Listening(85);
        using var harness = h;
        long id = AcceptFromB(h, net, listener, 85, out var remote);
        remote.Send("peek"u8);
        h.Advance(2);
        var buffer = new byte[8];
        Assert.Equal(4, net.Receive(id, buffer, peek: true, out _));
        Assert.Equal(4, net.Receive(id, buffer, peek: false, out _));
        Assert.Equal("peek"u8.ToArray(), buffer[..4]);
        Assert.Equal(-Errno.EAGAIN, net.Receive(id, buffer, peek: false, out _));
    }

    [Fact]
    public void EAGAIN_clears_the_readiness_bit_until_net_reports_the_socket_again()
    {
        var (h, net, sink, listener) = Listening(86);
        using var harness = h;
        long id = AcceptFromB(h, net, listener, 86, out var remote);
        remote.Send("x"u8);
        h.Advance(2);
        net.DeliverEvents();
        Assert.NotEqual(0u, net.Readiness(id) & EPOLLIN);
        Assert.Equal(1, net.Receive(id, new byte[8], false, out _));
        Assert.Equal(-Errno.EAGAIN, net.Receive(id, new byte[8], false, out _));
        Assert.Equal(0u, net.Readiness(id) & EPOLLIN);                       // known empty: no IPC needed to say so
        remote.Send("y"u8);
        h.Advance(2);
        net.DeliverEvents();
        Assert.NotEqual(0u, net.Readiness(id) & EPOLLIN);
        Assert.Contains(sink.Events, e => e.Socket == id && (e.Mask & EPOLLIN) != 0);
    }
}
