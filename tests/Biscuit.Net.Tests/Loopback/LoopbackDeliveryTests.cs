// The loopback interface itself: datagrams to a local address are queued, never delivered from inside
// the send (no recursion from send into receive), delivered by DeliverLoopback one round at a time,
// bounded by NetStackOptions.LoopbackQueueBytes with drops counted; UDP over it; and 127.0.0.0/8
// arriving from the link is dropped (RFC 1122 3.2.1.3 (g)).
using Biscuit.Net.Tests.Harness;

namespace Biscuit.Net.Tests.Loopback;

public sealed class LoopbackDeliveryTests
{
    [Fact]
    public void A_send_to_a_local_address_only_queues_and_the_loop_delivers_it_later()
    {
        var h = new LoopbackHost();
        var listener = h.Listen(Ipv4Address.Any, 8080);
        var client = h.Stack.CreateTcpSocket();
        client.Connect(LoopbackHost.Localhost, 8080);

        Assert.Equal(1, h.Stack.LoopbackPending);                         // the SYN waits
        Assert.Equal(h.Stack.Now, h.Stack.NextDeadline());                // so the loop must not sleep
        Assert.Equal(TcpState.SynSent, client.State);
        Assert.Equal(1, h.Stack.DeliverLoopback());                       // one round: the SYN, which queues the SYN-ACK
        Assert.Equal(1, h.Stack.LoopbackPending);
        Assert.Equal(TcpState.SynSent, client.State);
        Assert.Equal(1, h.Stack.DeliverLoopback());                       // the SYN-ACK, which queues the ACK
        Assert.Equal(TcpState.Established, client.State);
        Assert.Null(listener.Accept(out var e));
        Assert.Equal(Errno.EAGAIN, e);
        Assert.Equal(1, h.Stack.DeliverLoopback());
        Assert.NotNull(listener.Accept(out _));
        Assert.Equal(0, h.Stack.DeliverLoopback());
    }

    [Fact]
    public void A_udp_datagram_to_127_0_0_1_is_echoed_back_with_the_right_addresses()
    {
        var h = new LoopbackHost();
        var echo = h.Stack.CreateUdpSocket();
        Assert.Equal(Errno.None, echo.Bind(7));
        var client = h.Stack.CreateUdpSocket();
        Assert.Equal(5, client.SendTo("hello"u8, LoopbackHost.Localhost, 7));

        var buffer = new byte[64];
        int n = 0; Ipv4Address from = default; ushort fromPort = 0;
        Assert.True(h.Run(() => (n = echo.ReceiveFrom(buffer, out from, out fromPort)) > 0));
        Assert.Equal("hello"u8.ToArray(), buffer[..n]);
        Assert.Equal(LoopbackHost.Localhost, from);
        Assert.Equal(client.LocalPort, fromPort);

        Assert.Equal(n, echo.SendTo(buffer.AsSpan(0, n), from, fromPort));
        Assert.True(h.Run(() => (n = client.ReceiveFrom(buffer, out from, out fromPort)) > 0));
        Assert.Equal("hello"u8.ToArray(), buffer[..n]);
        Assert.Equal(LoopbackHost.Localhost, from);
        Assert.Equal((ushort)7, fromPort);
        Assert.Empty(h.Link.Frames);
    }

    [Fact]
    public void A_udp_socket_bound_to_the_interface_address_does_not_receive_datagrams_to_127_0_0_1()
    {
        var h = new LoopbackHost();
        var bound = h.Stack.CreateUdpSocket();
        Assert.Equal(Errno.None, bound.Bind(LoopbackHost.Own, 53));
        var client = h.Stack.CreateUdpSocket();
        client.SendTo("x"u8, LoopbackHost.Localhost, 53);
        client.SendTo("y"u8, LoopbackHost.Own, 53);
        var buffer = new byte[8];
        int n = 0;
        Assert.True(h.Run(() => (n = bound.ReceiveFrom(buffer, out _, out _)) > 0));
        Assert.Equal("y"u8.ToArray(), buffer[..n]);
        Assert.Equal(-(int)Errno.EAGAIN, bound.ReceiveFrom(buffer, out _, out _));
        Assert.Equal(1, h.Stack.Stats.Dropped(DropReason.UdpNoSocket));
        Assert.Equal(1, h.Stack.Stats.IcmpErrorsSent);                    // port unreachable, over loopback too
        Assert.Empty(h.Link.Frames);
    }

    [Fact]
    public void The_queue_holds_at_most_its_bytes_and_counts_what_it_refuses()
    {
        // 8 KiB: seven 1000-byte datagrams (1028 bytes with IP and UDP headers, plus a 2-byte length)
        // fit, the eighth does not.
        var h = new LoopbackHost(o => o.LoopbackQueueBytes = 8 * 1024);
        var sink = h.Stack.CreateUdpSocket();
        sink.Bind(9999);
        var client = h.Stack.CreateUdpSocket();
        var datagram = new byte[1000];
        for (int i = 0; i < 10; i++) Assert.Equal(1000, client.SendTo(datagram, LoopbackHost.Localhost, 9999));
        Assert.Equal(7, h.Stack.LoopbackPending);
        Assert.Equal(3, h.Stack.Stats.Dropped(DropReason.LoopbackQueueFull));
        Assert.Equal(7, h.Stack.Stats.LoopbackDatagrams);
        Assert.Equal(7, h.Stack.DeliverLoopback());
        int received = 0;
        while (sink.ReceiveFrom(datagram, out _, out _) > 0) received++;
        Assert.Equal(7, received);
        Assert.Equal(10, client.SendTo(new byte[10], LoopbackHost.Localhost, 9999));   // room again once delivered
        Assert.Equal(1, h.Stack.LoopbackPending);
    }

    [Fact]
    public void Tcp_recovers_what_a_tiny_loopback_queue_drops()
    {
        const int Total = 256 * 1024;
        var h = new LoopbackHost(o => o.LoopbackQueueBytes = 16 * 1024);
        var listener = h.Listen(Ipv4Address.Any, 5002);
        var (client, server) = h.Connect(listener, LoopbackHost.Localhost, 5002);
        var chunk = new byte[8192];
        var expected = new byte[8192];
        int sent = 0, received = 0;
        bool intact = true;
        Assert.True(h.Run(() => received == Total, maxMs: 120_000, step: () =>
        {
            while (sent < Total)
            {
                int want = Math.Min(chunk.Length, Total - sent);
                Pattern.Fill(sent, chunk.AsSpan(0, want));
                int n = client.Send(chunk.AsSpan(0, want));
                if (n <= 0) break;
                sent += n;
            }
            for (int n; (n = server.Receive(chunk)) > 0; received += n)
            {
                Pattern.Fill(received, expected.AsSpan(0, n));
                intact &= chunk.AsSpan(0, n).SequenceEqual(expected.AsSpan(0, n));
            }
        }), $"received {received} of {Total}");
        Assert.True(intact);
        Assert.True(h.Stack.Stats.Dropped(DropReason.LoopbackQueueFull) > 0);
        Assert.True(h.Stack.Stats.TcpRetransmissions > 0);
    }

    [Fact]
    public void Loopback_addresses_arriving_from_the_link_are_dropped()
    {
        var p = new ScriptedPeer();
        var udp = p.Stack.CreateUdpSocket();
        udp.Bind(53);
        var fromLoopback = FrameBuilder.Udp(Ipv4Address.Loopback, ScriptedPeer.StackIp, 1000, 53, "a"u8);
        p.Stack.Receive(FrameBuilder.Ethernet(ScriptedPeer.StackMac, ScriptedPeer.PeerMac, Ethernet.TypeIpv4,
            FrameBuilder.Ipv4(Ipv4Address.Loopback, ScriptedPeer.StackIp, 17, fromLoopback)));
        var toLoopback = FrameBuilder.Udp(ScriptedPeer.PeerIp, Ipv4Address.Loopback, 1000, 53, "b"u8);
        p.Stack.Receive(FrameBuilder.Ethernet(ScriptedPeer.StackMac, ScriptedPeer.PeerMac, Ethernet.TypeIpv4,
            FrameBuilder.Ipv4(ScriptedPeer.PeerIp, Ipv4Address.Loopback, 17, toLoopback)));
        Assert.Equal(2, p.Stack.Stats.Dropped(DropReason.IpLoopbackOnLink));
        Assert.Equal(-(int)Errno.EAGAIN, udp.ReceiveFrom(new byte[8], out _, out _));
        Assert.Empty(p.Link.Frames);                                      // not even an ICMP error
    }

    [Fact]
    public void A_socket_bound_to_127_0_0_1_cannot_send_to_the_link()
    {
        var p = new ScriptedPeer();
        var udp = p.Stack.CreateUdpSocket();
        Assert.Equal(Errno.None, udp.Bind(Ipv4Address.Loopback, 5353));
        Assert.Equal(-(int)Errno.EHOSTUNREACH, udp.SendTo("z"u8, ScriptedPeer.PeerIp, 53));
        Assert.Equal(1, p.Stack.Stats.Dropped(DropReason.NoRoute));
        Assert.Empty(p.Link.Frames);
    }

    [Fact]
    public void The_queue_keeps_datagrams_whole_and_in_order_across_the_end_of_its_ring()
    {
        var q = new LoopbackQueue(2 * (2 + 576) + 100);
        var into = new byte[600];
        for (int round = 0; round < 50; round++)                          // lengths chosen to wrap at varying offsets
        {
            var a = Enumerable.Range(0, 300 + round).Select(i => (byte)(i + round)).ToArray();
            var b = Enumerable.Range(0, 577 - round).Select(i => (byte)(i * 7 + round)).ToArray();
            Assert.True(q.TryEnqueue(a));
            Assert.True(q.TryEnqueue(b));
            Assert.Equal(a.Length, q.Dequeue(into));
            Assert.Equal(a, into[..a.Length]);
            Assert.Equal(b.Length, q.Dequeue(into));
            Assert.Equal(b, into[..b.Length]);
            Assert.Equal(0, q.Count);
            Assert.Equal(0, q.UsedBytes);
        }
        Assert.Equal(0, q.Dequeue(into));
        Assert.Throws<ArgumentException>(() => new LoopbackQueue(100));
    }
}
