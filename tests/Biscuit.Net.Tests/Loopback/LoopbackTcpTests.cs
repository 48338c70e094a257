// TCP over the loopback interface (RFC 1122 3.2.1.3): connections to 127.0.0.1 and to the stack's own
// address are made, carry data and close entirely inside the stack; nothing reaches the link. Which
// listener hears which local address follows Linux: INADDR_ANY hears all, a listener bound to one
// address hears only that one.
using Biscuit.Net.Tests.Harness;

namespace Biscuit.Net.Tests.Loopback;

public sealed class LoopbackTcpTests
{
    [Fact]
    public void A_connection_to_127_0_0_1_is_accepted_by_a_listener_on_INADDR_ANY_and_never_reaches_the_link()
    {
        var h = new LoopbackHost();
        var listener = h.Listen(Ipv4Address.Any, 8080);
        var (client, server) = h.Connect(listener, LoopbackHost.Localhost, 8080);

        Assert.Equal(LoopbackHost.Localhost, client.LocalAddress);       // source 127.0.0.1 toward 127/8
        Assert.Equal(LoopbackHost.Localhost, client.RemoteAddress);
        Assert.Equal((ushort)8080, client.RemotePort);
        Assert.Equal(LoopbackHost.Localhost, server.LocalAddress);
        Assert.Equal(LoopbackHost.Localhost, server.RemoteAddress);
        Assert.Equal(client.LocalPort, server.RemotePort);
        Assert.Equal(Ipv4Address.Any, listener.LocalAddress);
        Assert.Empty(h.Link.Frames);
        Assert.Equal(0, h.Stack.Stats.FramesOut);
        Assert.True(h.Stack.Stats.LoopbackDatagrams >= 3);              // SYN, SYN-ACK, ACK
    }

    [Fact]
    public void A_connection_to_the_stacks_own_address_goes_through_loopback_too()
    {
        var h = new LoopbackHost();
        var listener = h.Listen(Ipv4Address.Any, 80);
        var (client, server) = h.Connect(listener, LoopbackHost.Own, 80);
        Assert.Equal(LoopbackHost.Own, client.LocalAddress);
        Assert.Equal(LoopbackHost.Own, server.RemoteAddress);
        Assert.Equal(3, client.Send("abc"u8));
        var buffer = new byte[8];
        int n = 0;
        Assert.True(h.Run(() => (n = server.Receive(buffer)) > 0));
        Assert.Equal("abc"u8.ToArray(), buffer[..n]);
        Assert.Empty(h.Link.Frames);
    }

    [Fact]
    public void One_megabyte_crosses_loopback_each_way_intact_with_no_datagram_lost()
    {
        // One direction at a time: a full window (256 KiB) fits the loopback queue (512 KiB), so
        // nothing is dropped and nothing is sent twice.
        const int Total = 1 << 20;
        var h = new LoopbackHost();
        var listener = h.Listen(Ipv4Address.Any, 5001);
        var (client, server) = h.Connect(listener, LoopbackHost.Localhost, 5001);
        var up = new Transfer(client, server, Total);
        Assert.True(h.Run(() => up.Done, maxMs: 60_000, step: up.Pump), $"sent {up.Sent}, received {up.Received}");
        var down = new Transfer(server, client, Total);
        Assert.True(h.Run(() => down.Done, maxMs: 60_000, step: down.Pump), $"sent {down.Sent}, received {down.Received}");
        Assert.True(up.Intact && down.Intact);
        Assert.Equal(0, h.Stack.Stats.Dropped(DropReason.LoopbackQueueFull));
        Assert.Equal(0, h.Stack.Stats.TcpRetransmissions);
        Assert.Empty(h.Link.Frames);
    }

    [Fact]
    public void One_megabyte_each_way_at_the_same_time_arrives_intact()
    {
        // Two full windows at once may overflow the queue: what it drops TCP sends again.
        const int Total = 1 << 20;
        var h = new LoopbackHost();
        var listener = h.Listen(Ipv4Address.Any, 5001);
        var (client, server) = h.Connect(listener, LoopbackHost.Localhost, 5001);
        var up = new Transfer(client, server, Total);
        var down = new Transfer(server, client, Total);
        Assert.True(h.Run(() => up.Done && down.Done, maxMs: 120_000, step: () => { up.Pump(); down.Pump(); }),
            $"sent {up.Sent}/{down.Sent}, received {up.Received}/{down.Received}");
        Assert.True(up.Intact && down.Intact);
        Assert.Empty(h.Link.Frames);
    }

    [Fact]
    public void Shutdown_of_writing_is_seen_as_end_of_file_by_the_peer_in_each_direction()
    {
        var h = new LoopbackHost();
        var listener = h.Listen(Ipv4Address.Any, 7000);
        var (client, server) = h.Connect(listener, LoopbackHost.Localhost, 7000);
        var buffer = new byte[16];

        Assert.Equal(Errno.None, client.Shutdown(ShutdownHow.Write));
        Assert.True(h.Run(() => server.Readiness.HasFlag(Readiness.ReadHangUp)));
        Assert.Equal(0, server.Receive(buffer));                          // end of file
        Assert.Equal(TcpState.CloseWait, server.State);
        Assert.Equal(2, server.Send("hi"u8));                            // the other direction still works
        int n = 0;
        Assert.True(h.Run(() => (n = client.Receive(buffer)) > 0));
        Assert.Equal("hi"u8.ToArray(), buffer[..n]);

        server.Close();
        Assert.True(h.Run(() => client.Readiness.HasFlag(Readiness.HangUp)));
        Assert.Equal(0, client.Receive(buffer));
        Assert.Equal(TcpState.TimeWait, client.State);                  // the active closer waits 2 MSL
        Assert.Empty(h.Link.Frames);
    }

    [Fact]
    public void A_connect_to_a_port_nobody_listens_on_is_refused_by_a_reset()
    {
        var h = new LoopbackHost();
        var client = h.Stack.CreateTcpSocket();
        Assert.Equal(Errno.EINPROGRESS, client.Connect(LoopbackHost.Localhost, 9));
        Assert.True(h.Run(() => client.State == TcpState.Closed));
        Assert.True(client.Readiness.HasFlag(Readiness.Error));
        Assert.Equal(Errno.ECONNREFUSED, client.TakeError());
        Assert.Equal(1, h.Stack.Stats.TcpResetsSent);
        Assert.Empty(h.Link.Frames);
    }

    [Fact]
    public void A_listener_bound_to_the_interface_address_does_not_hear_127_0_0_1_and_the_reverse()
    {
        var h = new LoopbackHost();
        var onInterface = h.Listen(LoopbackHost.Own, 8000);
        var onLocalhost = h.Listen(LoopbackHost.Localhost, 8001);

        var refused = h.Stack.CreateTcpSocket();
        refused.Connect(LoopbackHost.Localhost, 8000);
        var alsoRefused = h.Stack.CreateTcpSocket();
        alsoRefused.Connect(LoopbackHost.Own, 8001);
        Assert.True(h.Run(() => refused.State == TcpState.Closed && alsoRefused.State == TcpState.Closed));
        Assert.Equal(Errno.ECONNREFUSED, refused.TakeError());
        Assert.Equal(Errno.ECONNREFUSED, alsoRefused.TakeError());
        Assert.Equal(LoopbackHost.Own, onInterface.LocalAddress);

        var (client, _) = h.Connect(onInterface, LoopbackHost.Own, 8000);      // its own address: accepted
        Assert.Equal(TcpState.Established, client.State);
        var (client2, _) = h.Connect(onLocalhost, LoopbackHost.Localhost, 8001);
        Assert.Equal(TcpState.Established, client2.State);
    }

    [Fact]
    public void Any_address_of_127_0_0_0_slash_8_is_local_and_a_listener_there_hears_only_it()
    {
        var h = new LoopbackHost();
        var other = Ipv4Address.Parse("127.1.2.3");
        var listener = h.Listen(other, 6000);
        var (client, server) = h.Connect(listener, other, 6000);
        Assert.Equal(Ipv4Address.Loopback, client.LocalAddress);       // the source is still 127.0.0.1
        Assert.Equal(other, server.LocalAddress);
        var refused = h.Stack.CreateTcpSocket();
        refused.Connect(LoopbackHost.Localhost, 6000);
        Assert.True(h.Run(() => refused.State == TcpState.Closed));
        Assert.Equal(Errno.ECONNREFUSED, refused.TakeError());
    }

    [Fact]
    public void Binding_an_address_that_is_not_ours_is_refused()
    {
        var h = new LoopbackHost();
        Assert.Equal(Errno.EADDRNOTAVAIL, h.Stack.CreateTcpSocket().Bind(Ipv4Address.Parse("10.0.2.16"), 80));
        Assert.Equal(Errno.EADDRNOTAVAIL, h.Stack.CreateUdpSocket().Bind(Ipv4Address.Parse("192.168.1.1"), 80));
        Assert.Equal(Errno.None, h.Stack.CreateTcpSocket().Bind(Ipv4Address.Parse("127.255.0.1"), 80));
    }

    /// <summary>One direction of a bulk transfer of Pattern bytes, pumped as room and data allow.</summary>
    sealed class Transfer(TcpSocket from, TcpSocket to, int total)
    {
        readonly byte[] chunk = new byte[16 * 1024], expected = new byte[16 * 1024];
        public int Sent, Received;
        public bool Intact = true;
        public bool Done => Received == total;

        public void Pump()
        {
            while (Sent < total)
            {
                int want = Math.Min(chunk.Length, total - Sent);
                Pattern.Fill(Sent, chunk.AsSpan(0, want));
                int n = from.Send(chunk.AsSpan(0, want));
                if (n <= 0) break;
                Sent += n;
            }
            while (true)
            {
                int n = to.Receive(chunk);
                if (n <= 0) break;
                Pattern.Fill(Received, expected.AsSpan(0, n));
                if (!chunk.AsSpan(0, n).SequenceEqual(expected.AsSpan(0, n))) Intact = false;
                Received += n;
            }
        }
    }
}
