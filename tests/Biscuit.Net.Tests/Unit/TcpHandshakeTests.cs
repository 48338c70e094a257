// Opening connections (RFC 9293 3.5, 3.10.7): passive and active open, options (MSS, window scale),
// simultaneous open, refused and timed-out connects, the SYN backlog, and segments for no connection.
using Biscuit.Net.Tests.Harness;

namespace Biscuit.Net.Tests.Unit;

public sealed class TcpHandshakeTests
{
    [Fact]
    public void A_syn_to_a_listener_gets_a_syn_ack_with_our_mss_and_window_scale_and_then_accept_returns_it()
    {
        var p = new ScriptedPeer();
        var l = p.Stack.CreateTcpSocket();
        l.Bind(80);
        l.Listen(8);
        p.SendTcp(40000, 80, 1000, 0, TcpFlags.Syn, 65535, mss: 1000, windowScale: 7);
        var synAck = p.TakeSingleTcp();
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, synAck.Flags);
        Assert.Equal(1001u, synAck.Ack);
        Assert.Equal(1460, synAck.Mss);
        Assert.Equal(3, synAck.WindowScale);                    // 256 KiB receive buffer needs shift 3
        Assert.Equal(Readiness.None, l.Readiness);
        Assert.Null(l.Accept(out var e));
        Assert.Equal(Errno.EAGAIN, e);
        p.SendTcp(40000, 80, 1001, synAck.Seq + 1, TcpFlags.Ack, 100);
        Assert.Equal(Readiness.Readable, l.Readiness);
        var s = l.Accept(out _)!;
        Assert.Equal(TcpState.Established, s.State);
        Assert.Equal(1000, s.Connection!.EffectiveMss);
        Assert.Equal(100L << 7, s.Connection.PeerWindow);      // scaled by the peer's shift
        Assert.True(s.Readiness.HasFlag(Readiness.Writable));
    }

    [Fact]
    public void Without_the_peer_offering_window_scale_the_syn_ack_carries_none_and_mss_defaults_to_536()
    {
        var p = new ScriptedPeer();
        var l = p.Stack.CreateTcpSocket();
        l.Bind(80);
        l.Listen(8);
        p.SendTcp(40000, 80, 1000, 0, TcpFlags.Syn, 8192);
        var synAck = p.TakeSingleTcp();
        Assert.Equal(-1, synAck.WindowScale);
        p.SendTcp(40000, 80, 1001, synAck.Seq + 1, TcpFlags.Ack, 8192);
        var s = l.Accept(out _)!;
        Assert.Equal(536, s.Connection!.EffectiveMss);         // RFC 9293 3.7.1 default
        Assert.Equal(8192, s.Connection.PeerWindow);
    }

    [Fact]
    public void Active_open_sends_syn_with_options_and_completes_on_syn_ack()
    {
        var t = TcpScript.Active(mss: 1200, windowScale: 2, window: 1000);
        Assert.Equal(1000, t.Conn.PeerWindow);                 // the window in a SYN-ACK is never scaled (RFC 7323 2.2)
        Assert.Equal(1200, t.Conn.EffectiveMss);
        Assert.True(t.Socket.Readiness.HasFlag(Readiness.Writable));
        Assert.Equal(1, t.Stack.Stats.TcpActiveOpens);
    }

    [Fact]
    public void Simultaneous_open_goes_through_syn_received_to_established()
    {
        var p = new ScriptedPeer();
        var s = p.Stack.CreateTcpSocket();
        s.Bind(5555);
        s.Connect(ScriptedPeer.PeerIp, 6666);
        var syn = p.TakeSingleTcp();
        // The peer's own SYN crosses ours (RFC 9293 figure 8).
        p.SendTcp(6666, 5555, 7000, 0, TcpFlags.Syn, 65535, mss: 1460);
        var synAck = p.TakeSingleTcp();
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, synAck.Flags);
        Assert.Equal(syn.Seq, synAck.Seq);
        Assert.Equal(7001u, synAck.Ack);
        Assert.Equal(TcpState.SynReceived, s.State);
        p.SendTcp(6666, 5555, 7001, syn.Seq + 1, TcpFlags.Syn | TcpFlags.Ack, 65535, mss: 1460);  // its SYN-ACK
        // That SYN-ACK repeats the SYN: a challenge ACK is the RFC 5961 answer, and ours is acknowledged.
        p.SendTcp(6666, 5555, 7001, syn.Seq + 1, TcpFlags.Ack, 65535);
        Assert.Equal(TcpState.Established, s.State);
    }

    [Fact]
    public void A_reset_answering_our_syn_fails_connect_with_econnrefused()
    {
        var p = new ScriptedPeer();
        var s = p.Stack.CreateTcpSocket();
        s.Connect(ScriptedPeer.PeerIp, 81);
        var syn = p.TakeSingleTcp();
        p.SendTcp(81, s.LocalPort, 0, syn.Seq + 1, TcpFlags.Rst | TcpFlags.Ack, 0);
        Assert.True(s.Readiness.HasFlag(Readiness.Error));
        Assert.Equal(Errno.ECONNREFUSED, s.TakeError());
        Assert.Equal(TcpState.Closed, s.State);
    }

    [Fact]
    public void Icmp_port_unreachable_quoting_our_syn_fails_connect_but_a_forged_one_does_not()
    {
        var p = new ScriptedPeer();
        var s = p.Stack.CreateTcpSocket();
        s.Connect(ScriptedPeer.PeerIp, 81);
        var synFrame = Assert.Single(p.Link.Take());
        var ourIp = synFrame.AsSpan(14).ToArray();
        byte[] Unreachable(uint seq)
        {
            var quoted = ourIp.AsSpan(0, 28).ToArray();
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(quoted.AsSpan(24), seq);
            var m = new byte[8 + quoted.Length];
            m[0] = 3; m[1] = 3;
            quoted.CopyTo(m, 8);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(2), InternetChecksum.Compute(m));
            return m;
        }
        uint iss = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(ourIp.AsSpan(24));
        p.SendIp(1, Unreachable(iss + 12345));                                       // not a sequence number we sent
        Assert.Equal(TcpState.SynSent, s.State);
        p.SendIp(1, Unreachable(iss));
        Assert.Equal(TcpState.Closed, s.State);
        Assert.Equal(Errno.ECONNREFUSED, s.TakeError());
        Assert.Equal(2, p.Stack.Stats.IcmpErrorsReceived);
    }

    [Fact]
    public void In_syn_sent_a_reset_without_an_acceptable_ack_is_ignored()
    {
        var p = new ScriptedPeer();
        var s = p.Stack.CreateTcpSocket();
        s.Connect(ScriptedPeer.PeerIp, 81);
        var syn = p.TakeSingleTcp();
        p.SendTcp(81, s.LocalPort, 0, 0, TcpFlags.Rst, 0);                                  // no ACK
        p.SendTcp(81, s.LocalPort, 0, syn.Seq + 1000, TcpFlags.Rst | TcpFlags.Ack, 0);       // wrong ACK
        Assert.Equal(TcpState.SynSent, s.State);
        Assert.Equal(2, p.Stack.Stats.Dropped(DropReason.TcpRstIgnored) + p.Stack.Stats.Dropped(DropReason.TcpBadAck));
    }

    [Fact]
    public void In_syn_sent_an_unacceptable_ack_is_answered_with_a_reset()
    {
        var p = new ScriptedPeer();
        var s = p.Stack.CreateTcpSocket();
        s.Connect(ScriptedPeer.PeerIp, 81);
        var syn = p.TakeSingleTcp();
        p.SendTcp(81, s.LocalPort, 9, syn.Seq + 77, TcpFlags.Ack, 0);
        var rst = p.TakeSingleTcp();
        Assert.Equal(TcpFlags.Rst, rst.Flags);
        Assert.Equal(syn.Seq + 77, rst.Seq);
        Assert.Equal(TcpState.SynSent, s.State);
    }

    [Fact]
    public void Syn_retransmissions_back_off_exponentially_and_connect_then_times_out()
    {
        var p = new ScriptedPeer(o => { o.TcpInitialRtoMs = 1000; o.TcpMaxSynRetransmissions = 3; });
        var s = p.Stack.CreateTcpSocket();
        s.Connect(ScriptedPeer.PeerIp, 81);
        p.TakeSingleTcp();
        var sentAt = new List<long>();
        for (int ms = 0; ms < 20_000; ms += 10)
        {
            p.Advance(10);
            foreach (var seg in p.TakeTcp()) { Assert.True(seg.Has(TcpFlags.Syn)); sentAt.Add(p.Now); }
        }
        Assert.Equal([1000L, 3000L, 7000L], sentAt);          // RTO 1 s, then 2 s, then 4 s
        Assert.Equal(Errno.ETIMEDOUT, s.TakeError());
        Assert.Equal(TcpState.Closed, s.State);
    }

    [Fact]
    public void A_lost_syn_ack_is_sent_again_on_timeout_and_on_a_repeated_syn()
    {
        var p = new ScriptedPeer();
        var l = p.Stack.CreateTcpSocket();
        l.Bind(80);
        l.Listen(4);
        p.SendTcp(40000, 80, 1000, 0, TcpFlags.Syn, 65535, mss: 1460);
        var first = p.TakeSingleTcp();
        p.SendTcp(40000, 80, 1000, 0, TcpFlags.Syn, 65535, mss: 1460);
        var again = p.TakeSingleTcp();
        Assert.Equal(first.Seq, again.Seq);
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, again.Flags);
        p.Advance(1000);
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, p.TakeSingleTcp().Flags);
    }

    [Fact]
    public void A_syn_flood_beyond_the_backlog_is_dropped_and_counted_with_bounded_memory()
    {
        var p = new ScriptedPeer(o => o.ArpEntryLifetimeMs = 1_000_000);
        var l = p.Stack.CreateTcpSocket();
        l.Bind(80);
        l.Listen(4);
        for (ushort port = 1000; port < 1500; port++) p.SendTcp(port, 80, 77, 0, TcpFlags.Syn, 65535, mss: 1460);
        Assert.Equal(4, p.TakeTcp().Count);
        Assert.Equal(496, p.Stack.Stats.Dropped(DropReason.TcpBacklogFull));
        Assert.Equal(4, p.Stack.Tcp.ConnectionCount);
        // The half-open connections give up after their SYN-ACK retries, and the backlog has room again.
        for (int i = 0; i < 200; i++) p.Advance(1000);
        Assert.Equal(0, p.Stack.Tcp.ConnectionCount);
        p.TakeTcp();
        p.SendTcp(2000, 80, 77, 0, TcpFlags.Syn, 65535, mss: 1460);
        Assert.Single(p.TakeTcp());
    }

    [Fact]
    public void A_segment_for_no_connection_is_answered_with_a_reset_per_rfc_9293()
    {
        var p = new ScriptedPeer();
        p.SendTcp(40000, 81, 500, 0, TcpFlags.Syn, 1000);                          // no ACK: RST,ACK with ack = seq+len
        var r1 = p.TakeSingleTcp();
        Assert.Equal(TcpFlags.Rst | TcpFlags.Ack, r1.Flags);
        Assert.Equal(0u, r1.Seq);
        Assert.Equal(501u, r1.Ack);
        p.SendTcp(40000, 81, 500, 12345, TcpFlags.Ack, 1000, [1, 2, 3]);           // ACK: RST with seq = ack
        var r2 = p.TakeSingleTcp();
        Assert.Equal(TcpFlags.Rst, r2.Flags);
        Assert.Equal(12345u, r2.Seq);
        p.SendTcp(40000, 81, 500, 0, TcpFlags.Rst, 1000);                          // a reset is never answered
        Assert.Empty(p.TakeTcp());
        Assert.Equal(3, p.Stack.Stats.Dropped(DropReason.TcpNoConnection));
    }

    [Fact]
    public void An_ack_to_a_listener_is_answered_with_a_reset_and_a_reset_is_ignored()
    {
        var p = new ScriptedPeer();
        var l = p.Stack.CreateTcpSocket();
        l.Bind(80);
        l.Listen(4);
        p.SendTcp(40000, 80, 1, 999, TcpFlags.Ack, 1000);
        Assert.Equal(TcpFlags.Rst, p.TakeSingleTcp().Flags);
        p.SendTcp(40000, 80, 1, 0, TcpFlags.Rst, 1000);
        Assert.Empty(p.TakeTcp());
        Assert.Equal(TcpState.Listen, l.State);
    }
}
