// Retransmission: the RFC 6298 estimator and timer with exponential back-off and Karn's algorithm,
// giving up after the retry limit, and fast retransmit / NewReno fast recovery (RFC 5681, RFC 6582).
using Biscuit.Net.Tests.Harness;

namespace Biscuit.Net.Tests.Unit;

public sealed class TcpRetransmissionTests
{
    [Fact]
    public void The_estimator_follows_rfc_6298()
    {
        var r = new RtoEstimator(initialRto: 1000, minRto: 200, maxRto: 60_000);
        Assert.Equal(1000, r.Rto);                                  // (2.1)
        r.AddSample(100);                                           // (2.2): SRTT=100, RTTVAR=50, RTO=100+200
        Assert.Equal(300, r.Rto);
        r.AddSample(100);                                           // (2.3): RTTVAR=37.5, SRTT=100 -> 250
        Assert.Equal(250, r.Rto);
        r.AddSample(1);
        r.AddSample(1);
        r.AddSample(1);
        Assert.True(r.Rto >= 200);                                  // (2.4) the minimum holds
        r.BackOff(); r.BackOff();
        Assert.True(r.Rto >= 800);                                  // (5.5) doubled twice
        for (int i = 0; i < 20; i++) r.BackOff();
        Assert.Equal(60_000, r.Rto);                                // (2.5) the maximum holds
    }

    [Fact]
    public void Unacknowledged_data_is_retransmitted_with_exponential_back_off_then_the_connection_times_out()
    {
        var t = TcpScript.Active(o => { o.TcpInitialRtoMs = 1000; o.TcpMaxRetransmissions = 5; o.ArpEntryLifetimeMs = 10_000_000; });
        t.Socket.Send(new byte[100]);
        var original = t.TakeSingle();
        var times = new List<long>();
        for (int ms = 0; ms < 100_000; ms += 10)
        {
            t.P.Advance(10);
            foreach (var s in t.Take())
            {
                if (s.Has(TcpFlags.Rst)) continue;
                Assert.Equal(original.Seq, s.Seq);                          // always the first unacknowledged byte
                Assert.Equal(100, s.Payload.Length);
                times.Add(t.P.Now);
            }
        }
        Assert.Equal([1000L, 3000L, 7000L, 15000L, 31000L], times);
        Assert.Equal(TcpState.Closed, t.Socket.State);
        Assert.Equal(Errno.ETIMEDOUT, t.Socket.TakeError());
        Assert.Equal(5, t.Stack.Stats.TcpRetransmissions);
    }

    [Fact]
    public void An_ack_after_a_retransmission_gives_no_rtt_sample_karn()
    {
        var t = TcpScript.Active(o => o.TcpInitialRtoMs = 1000);
        t.Socket.Send(new byte[100]);
        t.Take();
        t.P.Advance(1000);
        t.Take();                                                            // the retransmission
        long backedOff = t.Conn.Rto;
        Assert.Equal(2000, backedOff);
        t.P.Advance(5);
        t.Send(TcpFlags.Ack, ack: t.StackIss + 101);
        Assert.Equal(backedOff, t.Conn.Rto);                                 // no sample: the RTO stays backed off
        t.Socket.Send(new byte[100]);
        t.Take();
        t.P.Advance(50);
        t.Send(TcpFlags.Ack, ack: t.StackIss + 201);
        Assert.True(t.Conn.Rto < backedOff);                                 // a clean sample resets it
    }

    [Fact]
    public void Three_duplicate_acks_trigger_fast_retransmit_and_newreno_recovers_each_hole()
    {
        var t = TcpScript.Active(window: 65535);
        // Grow cwnd a little: a first exchange of 3 segments, all acknowledged.
        t.Socket.Send(new byte[3 * 1460]);
        t.Take();
        t.Send(TcpFlags.Ack, ack: t.StackIss + 1 + 3 * 1460);
        uint baseSeq = t.StackIss + 1 + 3 * 1460;
        t.Socket.Send(new byte[8 * 1460]);
        var flight = t.Take();
        Assert.Equal(4, flight.Count);                                         // cwnd is 4 segments now
        // Segments 0 and 2 of the flight are lost; 1 and 3 arrive: two duplicate ACKs. Limited transmit
        // (RFC 3042) sends one new segment for each, and the first of those brings the third duplicate.
        t.Send(TcpFlags.Ack, ack: baseSeq);
        t.Send(TcpFlags.Ack, ack: baseSeq);
        Assert.Equal(2, t.Take().Count(s => s.Seq >= baseSeq + 4 * 1460));
        t.Send(TcpFlags.Ack, ack: baseSeq);
        var fast = t.Take();
        Assert.Contains(fast, s => s.Seq == baseSeq && s.Payload.Length == 1460);
        Assert.Equal(1, t.Stack.Stats.TcpFastRetransmits);
        // A partial ACK (up to the second hole) makes NewReno resend the next hole at once (RFC 6582 3.2 step 4).
        t.Send(TcpFlags.Ack, ack: baseSeq + 2 * 1460);
        var partial = t.Take();
        Assert.Contains(partial, s => s.Seq == baseSeq + 2 * 1460);
        Assert.Equal(1, t.Stack.Stats.TcpFastRetransmits);
        Assert.Equal(0, t.Stack.Stats.TcpTimeouts);
    }

    [Fact]
    public void After_an_idle_period_longer_than_the_rto_the_congestion_window_restarts()
    {
        var t = TcpScript.Active();
        for (int round = 0; round < 4; round++)
        {
            t.Socket.Send(new byte[4 * 1460]);
            int sent = t.Take().Sum(s => s.Payload.Length);
            t.Send(TcpFlags.Ack, ack: t.Conn.SendNext);
            Assert.True(sent > 0);
        }
        long grown = t.Conn.Cwnd;
        Assert.True(grown > 3 * 1460);
        t.P.Advance(5000);
        t.Socket.Send(new byte[20 * 1460]);
        Assert.Equal(3 * 1460, t.Take().Sum(s => s.Payload.Length));           // the restart window (RFC 5681 4.1)
    }

    [Fact]
    public void Duplicate_acks_carrying_a_window_change_are_not_counted()
    {
        var t = TcpScript.Active();
        t.Socket.Send(new byte[4 * 1460]);
        t.Take();
        uint una = t.StackIss + 1;
        for (int i = 0; i < 3; i++) t.Send(TcpFlags.Ack, ack: una, window: (ushort)(60000 + i));
        Assert.Equal(0, t.Stack.Stats.TcpFastRetransmits);
    }

    [Fact]
    public void Congestion_control_halves_on_fast_retransmit_and_collapses_on_timeout()
    {
        var cc = new NewRenoCongestion(1000, 0);
        Assert.Equal(4000, cc.Cwnd);                                          // RFC 5681 equation 1 for SMSS <= 1095
        cc.OnNewAck(1001, 1000, 4000);
        Assert.Equal(5000, cc.Cwnd);                                          // slow start: + SMSS per ACK
        Assert.False(cc.OnDuplicateAck(1001, 8000, 9001));
        Assert.False(cc.OnDuplicateAck(1001, 8000, 9001));
        Assert.True(cc.OnDuplicateAck(1001, 8000, 9001));
        Assert.Equal(4000, cc.Ssthresh);                                      // flight / 2
        Assert.Equal(7000, cc.Cwnd);                                          // ssthresh + 3 SMSS
        cc.OnDuplicateAck(1001, 8000, 9001);
        Assert.Equal(8000, cc.Cwnd);                                          // inflation
        cc.OnNewAck(9001, 8000, 8000);                                        // full ACK: leave recovery
        Assert.False(cc.InFastRecovery);
        Assert.Equal(1000, cc.Cwnd);                                          // min(ssthresh, flight + SMSS)
        cc.OnTimeout(6000, 15000);
        Assert.Equal(1000, cc.Cwnd);
        Assert.Equal(3000, cc.Ssthresh);
    }
}
