// UDP (RFC 768): delivery, checksums, ICMP port unreachable for closed ports, bounded queues.
using Biscuit.Net.Tests.Harness;

namespace Biscuit.Net.Tests.Unit;

public sealed class UdpTests
{
    [Fact]
    public void A_datagram_reaches_the_bound_socket_with_its_sender()
    {
        var p = new ScriptedPeer();
        var u = p.Stack.CreateUdpSocket();
        Assert.Equal(Errno.None, u.Bind(53));
        Assert.Equal(Readiness.Writable, u.Readiness);
        p.SendIp(17, FrameBuilder.Udp(ScriptedPeer.PeerIp, ScriptedPeer.StackIp, 4000, 53, "query"u8));
        Assert.True(u.Readiness.HasFlag(Readiness.Readable));
        var buf = new byte[100];
        Assert.Equal(5, u.ReceiveFrom(buf, out var from, out var port));
        Assert.Equal(ScriptedPeer.PeerIp, from);
        Assert.Equal(4000, port);
        Assert.Equal(-(int)Errno.EAGAIN, u.ReceiveFrom(buf, out _, out _));
    }

    [Fact]
    public void A_datagram_with_a_bad_checksum_is_dropped_and_counted()
    {
        var p = new ScriptedPeer();
        var u = p.Stack.CreateUdpSocket();
        u.Bind(53);
        p.SendIp(17, FrameBuilder.Udp(ScriptedPeer.PeerIp, ScriptedPeer.StackIp, 4000, 53, "query"u8, badChecksum: true));
        Assert.Equal(1, p.Stack.Stats.Dropped(DropReason.UdpBadChecksum));
        Assert.Equal(-(int)Errno.EAGAIN, u.ReceiveFrom(new byte[10], out _, out _));
    }

    [Fact]
    public void A_closed_port_answers_icmp_port_unreachable()
    {
        var p = new ScriptedPeer();
        p.SendIp(17, FrameBuilder.Udp(ScriptedPeer.PeerIp, ScriptedPeer.StackIp, 4000, 9999, "x"u8));
        var ip = FrameBuilder.ParseIpv4(Assert.Single(p.Link.Take()))!.Value;
        Assert.Equal(1, ip.Protocol);
        Assert.Equal((3, 3), (ip.Payload[0], ip.Payload[1]));
        Assert.Equal(1, p.Stack.Stats.Dropped(DropReason.UdpNoSocket));
    }

    [Fact]
    public void A_truncated_or_lying_udp_header_is_dropped()
    {
        var p = new ScriptedPeer();
        p.SendIp(17, new byte[5]);
        var d = FrameBuilder.Udp(ScriptedPeer.PeerIp, ScriptedPeer.StackIp, 1, 53, "abc"u8);
        d[4] = 0; d[5] = 200;                                                  // length beyond the datagram
        p.SendIp(17, d);
        Assert.Equal(2, p.Stack.Stats.Dropped(DropReason.UdpMalformed));
    }

    [Fact]
    public void The_receive_queue_is_bounded_and_overflow_is_counted()
    {
        var p = new ScriptedPeer(o => o.UdpMaxQueuedDatagrams = 3);
        var u = p.Stack.CreateUdpSocket();
        u.Bind(53);
        for (int i = 0; i < 10; i++) p.SendIp(17, FrameBuilder.Udp(ScriptedPeer.PeerIp, ScriptedPeer.StackIp, 1, 53, "abc"u8));
        Assert.Equal(7, p.Stack.Stats.Dropped(DropReason.UdpQueueFull));
    }

    [Fact]
    public void Binding_a_port_twice_fails_and_oversized_datagrams_get_emsgsize()
    {
        var p = new ScriptedPeer();
        var a = p.Stack.CreateUdpSocket();
        var b = p.Stack.CreateUdpSocket();
        Assert.Equal(Errno.None, a.Bind(7));
        Assert.Equal(Errno.EADDRINUSE, b.Bind(7));
        Assert.Equal(-(int)Errno.EMSGSIZE, a.SendTo(new byte[1473], ScriptedPeer.PeerIp, 9));
        Assert.Equal(1472, a.SendTo(new byte[1472], ScriptedPeer.PeerIp, 9));
    }

    [Fact]
    public void A_connected_socket_only_accepts_its_peer()
    {
        var p = new ScriptedPeer();
        var u = p.Stack.CreateUdpSocket();
        u.Bind(53);
        u.Connect(Ipv4Address.Parse("10.0.0.50"), 99);
        p.SendIp(17, FrameBuilder.Udp(ScriptedPeer.PeerIp, ScriptedPeer.StackIp, 4000, 53, "x"u8));
        Assert.Equal(-(int)Errno.EAGAIN, u.ReceiveFrom(new byte[10], out _, out _));
        Assert.Equal(1, p.Stack.Stats.Dropped(DropReason.UdpNoSocket));
    }
}
