// Creating, binding, listening, accepting, connecting and closing sockets through the service, and
// every way a request can name no socket (EBADF).
using Biscuit.Net.Client.Tests.Harness;
using Biscuit.Net.Protocol;
using static Biscuit.Net.Client.Tests.Harness.RemoteHost;
using static Biscuit.Net.Protocol.LinuxErrno;

namespace Biscuit.Net.Client.Tests;

public class SocketLifecycleTests
{
    [Fact]
    public void Socket_hands_out_distinct_positive_ids_and_ignores_the_nonblock_and_cloexec_flags()
    {
        using var h = new ServiceHarness();
        long a = h.Net.Socket(Inet, StreamType), b = h.Net.Socket(Inet, DatagramType, SocketConstants.IPPROTO_UDP);
        long c = h.Net.Socket(Inet, StreamType | SocketConstants.SOCK_NONBLOCK | SocketConstants.SOCK_CLOEXEC, SocketConstants.IPPROTO_TCP);
        Assert.All(new[] { a, b, c }, id => Assert.True(id > 0));
        Assert.Equal(3, new[] { a, b, c }.Distinct().Count());
        Assert.Equal(0, h.Net.GetOption(b, SocketConstants.SOL_SOCKET, SocketConstants.SO_TYPE, out long type));
        Assert.Equal(SocketConstants.SOCK_DGRAM, type);
    }

    [Fact]
    public void Socket_refuses_other_families_types_protocols_and_unknown_flags()
    {
        using var h = new ServiceHarness();
        Assert.Equal(-EAFNOSUPPORT, h.Net.Socket(10 /* AF_INET6 */, StreamType));
        Assert.Equal(-ESOCKTNOSUPPORT, h.Net.Socket(Inet, 3 /* SOCK_RAW */));
        Assert.Equal(-EPROTONOSUPPORT, h.Net.Socket(Inet, StreamType, SocketConstants.IPPROTO_UDP));
        Assert.Equal(-EPROTONOSUPPORT, h.Net.Socket(Inet, DatagramType, SocketConstants.IPPROTO_TCP));
        Assert.Equal(-EINVAL, h.Net.Socket(Inet, StreamType | 0x100));
    }

    [Fact]
    public void A_full_socket_table_answers_ENFILE_and_a_close_makes_room()
    {
        using var h = new ServiceHarness(maxSockets: 2);
        long a = h.Net.Socket(Inet, StreamType);
        Assert.True(h.Net.Socket(Inet, DatagramType) > 0);
        Assert.Equal(-ENFILE, h.Net.Socket(Inet, StreamType));
        Assert.Equal(0, h.Net.Close(a));
        Assert.True(h.Net.Socket(Inet, StreamType) > 0);
    }

    [Fact]
    public void Every_call_on_an_id_never_handed_out_or_closed_answers_EBADF()
    {
        using var h = new ServiceHarness(maxSockets: 4);
        long closed = h.Net.Socket(Inet, StreamType);
        h.Net.Close(closed);
        long reused = h.Net.Socket(Inet, StreamType);              // takes the closed id's slot
        Assert.NotEqual(closed, reused);
        foreach (long id in new[] { 0L, -1L, 999L, closed, long.MaxValue })
        {
            Assert.Equal(-EBADF, h.Net.Bind(id, 0, 1000));
            Assert.Equal(-EBADF, h.Net.Listen(id, 1));
            Assert.Equal(-EBADF, h.Net.Accept(id, out _, out _));
            Assert.Equal(-EBADF, h.Net.Connect(id, AddressB(), 7));
            Assert.Equal(-EBADF, h.Net.Send(id, [1]));
            Assert.Equal(-EBADF, h.Net.Receive(id, new byte[4]));
            Assert.Equal(-EBADF, h.Net.Shutdown(id, SocketConstants.SHUT_RDWR));
            Assert.Equal(-EBADF, h.Net.SetOption(id, SocketConstants.SOL_SOCKET, SocketConstants.SO_REUSEADDR, 1));
            Assert.Equal(-EBADF, h.Net.GetOption(id, SocketConstants.SOL_SOCKET, SocketConstants.SO_ERROR, out _));
            Assert.Equal(-EBADF, h.Net.GetName(id, out _, out _));
            Assert.Equal(-EBADF, h.Net.GetPeer(id, out _, out _));
            Assert.Equal(-EBADF, h.Net.Close(id));
        }
        Assert.Equal(0, h.Net.Bind(reused, 0, 1000));          // the live socket in the reused slot is untouched
    }

    private static uint AddressB() => ServiceHarness.AddressB.Value;

    [Fact]
    public void Bind_checks_the_port_and_the_address_and_reports_a_port_in_use()
    {
        using var h = new ServiceHarness();
        long a = h.Net.Socket(Inet, StreamType), b = h.Net.Socket(Inet, StreamType);
        Assert.Equal(-EINVAL, h.Net.Bind(a, 0, 70_000));
        Assert.Equal(-EINVAL, h.Net.Bind(a, 0, -1));
        Assert.Equal(-EADDRNOTAVAIL, h.Net.Bind(a, AddressB(), 80));
        Assert.Equal(0, h.Net.Bind(a, ServiceHarness.AddressA.Value, 80));
        Assert.Equal(-EINVAL, h.Net.Bind(a, 0, 81));              // bound already
        Assert.Equal(-EADDRINUSE, h.Net.Bind(b, 0, 80));
        Assert.Equal(0, h.Net.GetName(a, out uint address, out int port));
        Assert.Equal((ServiceHarness.AddressA.Value, 80), (address, port));   // the address bound, as Linux reports it
    }

    [Fact]
    public void Accept_answers_EAGAIN_until_a_connection_arrives_then_its_id_and_the_peer_address()
    {
        using var h = new ServiceHarness();
        long listener = h.ListenOnA(80);
        Assert.Equal(-EAGAIN, h.Net.Accept(listener, out _, out _));
        var remote = h.B.CreateTcpSocket();
        remote.Connect(ServiceHarness.AddressA, 80);
        h.Advance(5);
        long id = h.Net.Accept(listener, out uint peer, out int peerPort);
        Assert.True(id > 0 && id != listener);
        Assert.Equal((AddressB(), (int)remote.LocalPort), (peer, peerPort));
        Assert.Equal(0, h.Net.GetPeer(id, out uint p, out int pp));
        Assert.Equal((AddressB(), (int)remote.LocalPort), (p, pp));
        Assert.Equal(0, h.Net.GetName(id, out uint local, out int localPort));
        Assert.Equal((ServiceHarness.AddressA.Value, 80), (local, localPort));
        Assert.Equal(-EAGAIN, h.Net.Accept(listener, out _, out _));
    }

    [Fact]
    public void Listen_and_accept_on_the_wrong_kind_of_socket_are_refused()
    {
        using var h = new ServiceHarness();
        long udp = h.Net.Socket(Inet, DatagramType), tcp = h.Net.Socket(Inet, StreamType);
        Assert.Equal(-EOPNOTSUPP, h.Net.Listen(udp, 5));
        Assert.Equal(-EOPNOTSUPP, h.Net.Accept(udp, out _, out _));
        Assert.Equal(-EINVAL, h.Net.Accept(tcp, out _, out _));          // not listening
        Assert.Equal(-ENOTCONN, h.Net.GetPeer(tcp, out _, out _));
    }

    [Fact]
    public void A_full_table_leaves_the_connection_in_the_accept_queue()
    {
        using var h = new ServiceHarness(maxSockets: 2);
        long listener = h.ListenOnA(80);
        long filler = h.Net.Socket(Inet, StreamType);
        var remote = h.B.CreateTcpSocket();
        remote.Connect(ServiceHarness.AddressA, 80);
        h.Advance(5);
        Assert.Equal(-ENFILE, h.Net.Accept(listener, out _, out _));
        h.Net.Close(filler);
        Assert.True(h.Net.Accept(listener, out _, out _) > 0);
    }

    [Fact]
    public void Connect_answers_EINPROGRESS_then_the_socket_becomes_writable_and_knows_its_peer()
    {
        using var h = new ServiceHarness();
        var listener = h.ListenOnB(7);
        var (id, _) = h.ConnectToB(listener, 7);
        h.Advance(2);
        var events = h.PollAll();
        Assert.True((EventsOf(events, id) & EpollEvents.EPOLLOUT) != 0, "no EPOLLOUT after the handshake");
        Assert.Equal(0, h.Net.GetOption(id, SocketConstants.SOL_SOCKET, SocketConstants.SO_ERROR, out long error));
        Assert.Equal(0, error);
        Assert.Equal(0, h.Net.GetPeer(id, out uint peer, out int port));
        Assert.Equal((AddressB(), 7), (peer, port));
        Assert.Equal(-EISCONN, h.Net.Connect(id, AddressB(), 7));
    }

    [Fact]
    public void Connect_to_a_closed_port_reports_EPOLLERR_and_SO_ERROR_ECONNREFUSED_once()
    {
        using var h = new ServiceHarness();
        long id = h.Net.Socket(Inet, StreamType);
        Assert.Equal(-EINPROGRESS, h.Net.Connect(id, AddressB(), 9));
        h.Advance(5);
        var events = h.PollAll();
        Assert.True((EventsOf(events, id) & EpollEvents.EPOLLERR) != 0, "no EPOLLERR after the reset");
        Assert.Equal(0, h.Net.GetOption(id, SocketConstants.SOL_SOCKET, SocketConstants.SO_ERROR, out long error));
        Assert.Equal(ECONNREFUSED, error);
        Assert.Equal(0, h.Net.GetOption(id, SocketConstants.SOL_SOCKET, SocketConstants.SO_ERROR, out error));
        Assert.Equal(0, error);
    }

    [Fact]
    public void Connect_checks_its_arguments()
    {
        using var h = new ServiceHarness();
        long id = h.Net.Socket(Inet, StreamType);
        Assert.Equal(-EINVAL, h.Net.Connect(id, AddressB(), 0));
        Assert.Equal(-EINVAL, h.Net.Connect(id, AddressB(), 65_536));
        Assert.Equal(-EINVAL, h.Net.Connect(id, 0, 80));
    }

    [Fact]
    public void Close_of_a_connected_socket_finishes_the_connection_gracefully()
    {
        using var h = new ServiceHarness();
        var listener = h.ListenOnB(7);
        var (id, remote) = h.ConnectToB(listener, 7);
        Assert.Equal(0, h.Net.Close(id));
        Assert.True(h.AdvanceUntil(() => remote.Receive(new byte[1]) == 0), "B never saw the FIN");
    }
}
