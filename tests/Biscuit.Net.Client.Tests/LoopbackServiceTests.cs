// Sockets over loopback through the socket service, as posix uses them for a program that talks to
// 127.0.0.1: the calls only queue datagrams and ask the event loop to deliver them (StackHost's
// wakeEventLoop); the harness's Advance is that loop. Addresses reported are Linux's.
using Biscuit.Net.Client.Tests.Harness;
using Biscuit.Net.Protocol;
using static Biscuit.Net.Client.Tests.Harness.RemoteHost;
using static Biscuit.Net.Protocol.LinuxErrno;

namespace Biscuit.Net.Client.Tests;

public class LoopbackServiceTests
{
    static readonly uint Localhost = Ipv4Address.Loopback.Value;

    [Fact]
    public void A_connect_to_127_0_0_1_wakes_the_event_loop_which_completes_the_handshake()
    {
        using var h = new ServiceHarness();
        long listener = h.ListenOnA(8080);
        long client = h.Net.Socket(Inet, StreamType);
        int wakesBefore = h.EventLoopWakes;
        Assert.Equal(-EINPROGRESS, h.Net.Connect(client, Localhost, 8080));
        Assert.True(h.EventLoopWakes > wakesBefore);                      // the SYN waits for the loop
        long server = -EAGAIN;
        Assert.True(h.AdvanceUntil(() => (server = h.Net.Accept(listener, out _, out _)) != -EAGAIN));
        Assert.True(server > 0);

        Assert.Equal(0, h.Net.GetName(client, out uint address, out int clientPort));
        Assert.Equal(Localhost, address);
        Assert.Equal(0, h.Net.GetPeer(client, out address, out int port));
        Assert.Equal((Localhost, 8080), (address, port));
        Assert.Equal(0, h.Net.GetPeer(server, out address, out port));
        Assert.Equal((Localhost, clientPort), (address, port));
        Assert.Equal(0, h.Net.GetName(listener, out address, out port));
        Assert.Equal((0u, 8080), (address, port));                      // INADDR_ANY

        Assert.Equal(5, h.Net.Send(client, "hello"u8));
        var buffer = new byte[16];
        long n = -EAGAIN;
        Assert.True(h.AdvanceUntil(() => (n = h.Net.Receive(server, buffer)) != -EAGAIN));
        Assert.Equal("hello"u8.ToArray(), buffer[..(int)n]);
    }

    [Fact]
    public void Bind_accepts_addresses_of_127_0_0_0_slash_8_and_getsockname_reports_the_one_bound()
    {
        using var h = new ServiceHarness();
        long tcp = h.Net.Socket(Inet, StreamType), udp = h.Net.Socket(Inet, DatagramType);
        Assert.Equal(0, h.Net.Bind(tcp, Localhost, 9000));
        Assert.Equal(0, h.Net.Bind(udp, Ipv4Address.Parse("127.0.0.2").Value, 9000));
        Assert.Equal(0, h.Net.GetName(tcp, out uint address, out _));
        Assert.Equal(Localhost, address);
        Assert.Equal(0, h.Net.GetName(udp, out address, out _));
        Assert.Equal(Ipv4Address.Parse("127.0.0.2").Value, address);
        Assert.Equal(-EADDRNOTAVAIL, h.Net.Bind(h.Net.Socket(Inet, StreamType), ServiceHarness.AddressB.Value, 9001));
    }

    [Fact]
    public void A_connect_to_a_closed_loopback_port_reports_ECONNREFUSED_through_SO_ERROR()
    {
        using var h = new ServiceHarness();
        long client = h.Net.Socket(Inet, StreamType);
        Assert.Equal(-EINPROGRESS, h.Net.Connect(client, Localhost, 9));
        Assert.True(h.AdvanceUntil(() => (h.Net.Readiness(client) & (int)Readiness.Error) != 0));
        Assert.Equal(0, h.Net.GetOption(client, SocketConstants.SOL_SOCKET, SocketConstants.SO_ERROR, out long error));
        Assert.Equal(ECONNREFUSED, error);
    }

    [Fact]
    public void A_udp_datagram_to_127_0_0_1_arrives_from_127_0_0_1()
    {
        using var h = new ServiceHarness();
        long a = h.Net.Socket(Inet, DatagramType), b = h.Net.Socket(Inet, DatagramType);
        Assert.Equal(0, h.Net.Bind(a, 0, 7));
        Assert.Equal(3, h.Net.Send(b, "abc"u8, Localhost, 7));
        var buffer = new byte[8];
        long n = -EAGAIN; uint from = 0; int fromPort = 0;
        Assert.True(h.AdvanceUntil(() => (n = h.Net.Receive(a, buffer, out from, out fromPort)) != -EAGAIN));
        Assert.Equal(3, n);
        Assert.Equal(Localhost, from);
        Assert.Equal(0, h.Net.GetName(b, out _, out int bPort));
        Assert.Equal(bPort, fromPort);
    }
}


public class ReceiveReadinessAfterTests
{
    [Fact]
    public void A_receive_reports_the_readiness_it_leaves_so_a_drained_socket_is_known_unreadable()
    {
        using var h = new ServiceHarness();
        long listener = h.ListenOnA(8080);
        long client = h.Net.Socket(Inet, StreamType);
        h.Net.Connect(client, Ipv4Address.Loopback.Value, 8080);
        long server = -EAGAIN;
        Assert.True(h.AdvanceUntil(() => (server = h.Net.Accept(listener, out _, out _)) != -EAGAIN));
        h.Net.Send(client, "abcd"u8);
        Assert.True(h.AdvanceUntil(() => (h.Net.Readiness(server) & (int)Readiness.Readable) != 0));
        var buffer = new byte[2];
        Assert.Equal(2, h.Net.Receive(server, buffer, out _, out _, out long after));
        Assert.NotEqual(0, after & (int)Readiness.Readable);                 // two bytes are left
        Assert.Equal(2, h.Net.Receive(server, buffer, out _, out _, out after));
        Assert.Equal(0, after & (int)Readiness.Readable);
        Assert.Equal(-EAGAIN, h.Net.Receive(server, buffer, out _, out _, out after));
        Assert.Equal(0, after & (int)Readiness.Readable);
    }
}
