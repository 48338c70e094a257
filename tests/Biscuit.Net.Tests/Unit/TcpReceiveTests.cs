// The receiving side (RFC 9293 3.10.7.4 text processing, 3.8.6.3 ACK policy, RFC 5681 4.2):
// delayed ACKs, immediate ACKs for out-of-order data, reassembly of gaps, and window edge cases:
// trimming to the window, segments outside it, zero windows and window updates.
using Biscuit.Net.Tests.Harness;

namespace Biscuit.Net.Tests.Unit;

public sealed class TcpReceiveTests
{
    static byte[] Bytes(int n, int seed = 1) { var b = new byte[n]; new Random(seed).NextBytes(b); return b; }

    [Fact]
    public void One_segment_is_acknowledged_after_the_delayed_ack_timeout_not_at_once()
    {
        var t = TcpScript.Passive(o => o.TcpDelayedAckMs = 40);
        t.Send(TcpFlags.Ack, Bytes(100));
        Assert.Empty(t.Take());
        t.P.Advance(39);
        Assert.Empty(t.Take());
        t.P.Advance(1);
        var ack = t.TakeSingle();
        Assert.Equal(t.PeerSeq, ack.Ack);
        var buf = new byte[200];
        Assert.Equal(100, t.Socket.Receive(buf));
    }

    [Fact]
    public void Every_second_full_sized_segment_is_acknowledged_at_once()
    {
        var t = TcpScript.Passive();
        t.Send(TcpFlags.Ack, Bytes(1460));
        Assert.Empty(t.Take());
        t.Send(TcpFlags.Ack, Bytes(1460));
        Assert.Equal(t.PeerSeq, t.TakeSingle().Ack);
    }

    [Fact]
    public void Out_of_order_data_gets_an_immediate_duplicate_ack_and_is_delivered_once_the_gap_fills()
    {
        var t = TcpScript.Passive();
        var data = Bytes(3000);
        uint start = t.PeerSeq;
        t.Send(TcpFlags.Ack, data[1000..2000], seq: start + 1000);
        Assert.Equal(start, t.TakeSingle().Ack);                                // duplicate ACK: still expecting start
        t.Send(TcpFlags.Ack, data[2000..], seq: start + 2000);
        Assert.Equal(start, t.TakeSingle().Ack);
        Assert.Equal(-(int)Errno.EAGAIN, t.Socket.Receive(new byte[10]));
        t.Send(TcpFlags.Ack, data[..1000], seq: start);
        Assert.Equal(start + 3000, t.TakeSingle().Ack);                         // the gap filled: ACK at once
        var buf = new byte[5000];
        Assert.Equal(3000, t.Socket.Receive(buf));
        Assert.Equal(data, buf[..3000]);
    }

    [Fact]
    public void A_segment_running_past_the_window_is_trimmed_to_it()
    {
        var t = TcpScript.Passive(listenerOptions: l => l.ReceiveBufferSize = 2048);
        uint start = t.PeerSeq;
        t.Send(TcpFlags.Ack, Bytes(1400), seq: start);
        t.Send(TcpFlags.Ack | TcpFlags.Fin, Bytes(1400), seq: start + 1400);  // only 648 bytes fit; the FIN is beyond too
        t.P.Advance(500);
        var ack = t.Take().Last();
        Assert.Equal(start + 2048, ack.Ack);
        Assert.Equal(0, ack.Window);
        Assert.False(t.Conn.FinReceived);
        Assert.Equal(2048, t.Conn.Readable);
    }

    [Fact]
    public void A_segment_entirely_outside_the_window_is_acknowledged_dropped_and_counted()
    {
        var t = TcpScript.Passive();
        uint start = t.PeerSeq;
        t.Send(TcpFlags.Ack, Bytes(100), seq: start + 1_000_000);
        Assert.Equal(start, t.TakeSingle().Ack);
        t.Send(TcpFlags.Ack, Bytes(100), seq: start - 500);                       // an old duplicate
        Assert.Equal(start, t.TakeSingle().Ack);
        Assert.Equal(2, t.Stack.Stats.Dropped(DropReason.TcpOutOfWindow));
        Assert.Equal(0, t.Conn.Readable);
    }

    [Fact]
    public void A_retransmission_overlapping_received_data_delivers_only_the_new_part()
    {
        var t = TcpScript.Passive();
        var data = Bytes(1800);
        uint start = t.PeerSeq;
        t.Send(TcpFlags.Ack, data[..1000], seq: start);
        t.Send(TcpFlags.Ack, data[500..], seq: start + 500);
        var buf = new byte[4000];
        Assert.Equal(1800, t.Socket.Receive(buf));
        Assert.Equal(data, buf[..1800]);
    }

    [Fact]
    public void A_full_buffer_advertises_a_zero_window_answers_probes_and_reading_sends_a_window_update()
    {
        var t = TcpScript.Passive(listenerOptions: l => l.ReceiveBufferSize = 4096);
        t.Send(TcpFlags.Ack, Bytes(1460));
        t.Send(TcpFlags.Ack, Bytes(1460));
        t.Send(TcpFlags.Ack, Bytes(1176));
        t.P.Advance(100);
        var last = t.Take().Last();
        Assert.Equal(0, last.Window);
        Assert.Equal(t.PeerSeq, last.Ack);
        // A zero-window probe carrying one byte is not accepted, but answered (RFC 9293 3.8.6.1).
        t.Send(TcpFlags.Ack, [42], seq: t.PeerSeq);
        var probeAck = t.TakeSingle();
        Assert.Equal(t.PeerSeq, probeAck.Ack);
        Assert.Equal(0, probeAck.Window);
        // An ACK-only segment at RCV.NXT is still processed with a zero window.
        t.Send(TcpFlags.Ack);
        // The application reads: the window reopens and the peer is told.
        var buf = new byte[4096];
        Assert.Equal(4096, t.Socket.Receive(buf));
        var update = t.TakeSingle();
        Assert.True(update.Window > 0);
    }

    [Fact]
    public void A_fin_after_data_gives_end_of_file_and_read_hang_up()
    {
        var t = TcpScript.Passive();
        t.Send(TcpFlags.Ack | TcpFlags.Fin, Bytes(10));
        var ack = t.TakeSingle();
        Assert.Equal(t.PeerSeq, ack.Ack);                                         // the FIN is acknowledged at once
        Assert.Equal(TcpState.CloseWait, t.Socket.State);
        Assert.True(t.Socket.Readiness.HasFlag(Readiness.Readable | Readiness.ReadHangUp));
        Assert.Equal(10, t.Socket.Receive(new byte[100]));
        Assert.Equal(0, t.Socket.Receive(new byte[100]));
    }

    [Fact]
    public void A_fin_ahead_of_a_gap_takes_effect_when_the_gap_fills()
    {
        var t = TcpScript.Passive();
        uint start = t.PeerSeq;
        t.Send(TcpFlags.Ack | TcpFlags.Fin, Bytes(100), seq: start + 100);
        t.Take();
        Assert.Equal(TcpState.Established, t.Socket.State);
        t.Send(TcpFlags.Ack, Bytes(100), seq: start);
        Assert.Equal(start + 201, t.Take().Last().Ack);
        Assert.Equal(TcpState.CloseWait, t.Socket.State);
    }

    [Fact]
    public void Sack_is_offered_only_to_a_peer_that_offers_it()
    {
        Assert.True(TcpScript.Passive(sackPermitted: true).SynAck!.SackPermitted);
        Assert.False(TcpScript.Passive(sackPermitted: false).SynAck!.SackPermitted);
        Assert.False(TcpScript.Passive(o => o.TcpSack = false, sackPermitted: true).SynAck!.SackPermitted);
        var p = new ScriptedPeer();
        p.Stack.CreateTcpSocket().Connect(ScriptedPeer.PeerIp, 9);
        Assert.True(p.TakeSingleTcp().SackPermitted);                                // an active open offers it
    }

    [Fact]
    public void With_sack_the_duplicate_acks_report_the_out_of_order_blocks_most_recent_first()
    {
        var t = TcpScript.Passive(sackPermitted: true);
        uint start = t.PeerSeq;
        t.Send(TcpFlags.Ack, Bytes(100), seq: start + 1000);
        var first = t.TakeSingle();
        Assert.Equal(start, first.Ack);
        Assert.Equal([(start + 1000, start + 1100)], first.Sack);
        t.Send(TcpFlags.Ack, Bytes(100), seq: start + 500);
        var second = t.TakeSingle();
        Assert.Equal([(start + 500, start + 600), (start + 1000, start + 1100)], second.Sack);
        t.Send(TcpFlags.Ack, Bytes(500), seq: start);                                 // fills up to start+600
        var third = t.TakeSingle();
        Assert.Equal(start + 600, third.Ack);
        Assert.Equal([(start + 1000, start + 1100)], third.Sack);
        t.Send(TcpFlags.Ack, Bytes(400), seq: start + 600);                           // everything in order now
        var last = t.TakeSingle();
        Assert.Equal(start + 1100, last.Ack);
        Assert.Empty(last.Sack);
    }

    [Fact]
    public void Without_sack_no_blocks_are_sent()
    {
        var t = TcpScript.Passive(sackPermitted: false);
        t.Send(TcpFlags.Ack, Bytes(100), seq: t.PeerSeq + 1000);
        Assert.Empty(t.TakeSingle().Sack);
    }

    [Fact]
    public void The_number_of_out_of_order_ranges_is_bounded()
    {
        var t = TcpScript.Passive(o => o.TcpMaxOutOfOrderRanges = 4);
        uint start = t.PeerSeq;
        for (int i = 1; i <= 10; i++) t.Send(TcpFlags.Ack, Bytes(10), seq: start + (uint)(i * 100));
        Assert.Equal(6, t.Stack.Stats.Dropped(DropReason.TcpOutOfOrderLimit));
    }
}
