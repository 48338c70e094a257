// RST handling in every state (RFC 9293 3.10.7.4 "second, check the RST bit") with the RFC 5961
// blind-reset checks: only an RST at exactly RCV.NXT resets; one elsewhere in the window earns a
// challenge ACK; one outside the window is dropped. Also RFC 5961 4.2 (SYN) and 5.2 (ACK) checks.
using Biscuit.Net.Tests.Harness;

namespace Biscuit.Net.Tests.Unit;

public sealed class TcpResetTests
{
    /// <summary>Drives a fresh passive connection into the given state.</summary>
    internal static TcpScript InState(TcpState state)
    {
        var t = TcpScript.Passive();
        switch (state)
        {
            case TcpState.Established: break;
            case TcpState.FinWait1:
                t.Socket.Shutdown(ShutdownHow.Write);
                t.Take();
                break;
            case TcpState.FinWait2:
                t.Socket.Shutdown(ShutdownHow.Write);
                t.Take();
                t.Send(TcpFlags.Ack);
                break;
            case TcpState.CloseWait:
                t.Send(TcpFlags.Ack | TcpFlags.Fin);
                t.Take();
                break;
            case TcpState.Closing:
                t.Socket.Shutdown(ShutdownHow.Write);
                var fin = t.TakeSingle();
                t.Send(TcpFlags.Ack | TcpFlags.Fin, ack: fin.Seq);                  // FIN that does not ack ours
                t.Take();
                break;
            case TcpState.LastAck:
                t.Send(TcpFlags.Ack | TcpFlags.Fin);
                t.Take();
                t.Socket.Shutdown(ShutdownHow.Write);
                t.Take();
                break;
            case TcpState.TimeWait:
                t.Socket.Shutdown(ShutdownHow.Write);
                t.Take();
                t.Send(TcpFlags.Ack | TcpFlags.Fin);
                t.Take();
                break;
        }
        Assert.Equal(state, t.Conn.State);
        return t;
    }

    [Theory]
    [InlineData(TcpState.Established, Errno.ECONNRESET)]
    [InlineData(TcpState.FinWait1, Errno.ECONNRESET)]
    [InlineData(TcpState.FinWait2, Errno.ECONNRESET)]
    [InlineData(TcpState.CloseWait, Errno.ECONNRESET)]
    [InlineData(TcpState.Closing, Errno.None)]
    [InlineData(TcpState.LastAck, Errno.None)]
    [InlineData(TcpState.TimeWait, Errno.None)]
    public void An_exact_reset_closes_the_connection_in_every_synchronized_state(TcpState state, Errno reported)
    {
        var t = InState(state);
        var conn = t.Conn;
        t.Send(TcpFlags.Rst, seq: conn.ReceiveNext, ack: 0);
        Assert.Equal(TcpState.Closed, conn.State);
        Assert.Empty(t.Take());
        Assert.Equal(reported, t.Socket.TakeError());
        Assert.Equal(0, t.Stack.Tcp.ConnectionCount);
        Assert.Equal(1, t.Stack.Stats.TcpResetsReceived);
    }

    [Theory]
    [InlineData(TcpState.Established)]
    [InlineData(TcpState.FinWait1)]
    [InlineData(TcpState.FinWait2)]
    [InlineData(TcpState.CloseWait)]
    [InlineData(TcpState.Closing)]
    [InlineData(TcpState.LastAck)]
    public void A_reset_inside_the_window_but_not_at_rcv_nxt_gets_a_challenge_ack(TcpState state)
    {
        var t = InState(state);
        t.Send(TcpFlags.Rst, seq: t.Conn.ReceiveNext + 100, ack: 0);
        var challenge = t.TakeSingle();
        Assert.Equal(TcpFlags.Ack, challenge.Flags);
        Assert.Equal(t.Conn.ReceiveNext, challenge.Ack);
        Assert.Equal(state, t.Conn.State);
        Assert.Equal(1, t.Stack.Stats.TcpChallengeAcks);
    }

    [Fact]
    public void A_reset_outside_the_window_is_dropped_silently()
    {
        var t = InState(TcpState.Established);
        t.Send(TcpFlags.Rst, seq: t.Conn.ReceiveNext + 10_000_000, ack: 0);
        t.Send(TcpFlags.Rst, seq: t.Conn.ReceiveNext - 5, ack: 0);
        Assert.Empty(t.Take());
        Assert.Equal(TcpState.Established, t.Conn.State);
        Assert.Equal(2, t.Stack.Stats.Dropped(DropReason.TcpOutOfWindow));
    }

    [Fact]
    public void A_reset_in_syn_received_of_a_passive_open_returns_to_listening()
    {
        var p = new ScriptedPeer();
        var l = p.Stack.CreateTcpSocket();
        l.Bind(80);
        l.Listen(1);
        p.SendTcp(40000, 80, 1000, 0, TcpFlags.Syn, 65535);
        p.TakeSingleTcp();
        p.SendTcp(40000, 80, 1001, 0, TcpFlags.Rst, 0);
        Assert.Equal(0, p.Stack.Tcp.ConnectionCount);
        Assert.Equal(TcpState.Listen, l.State);
        p.SendTcp(40001, 80, 1000, 0, TcpFlags.Syn, 65535);                         // the backlog slot is free again
        Assert.Single(p.TakeTcp());
    }

    [Fact]
    public void A_syn_on_an_established_connection_gets_a_challenge_ack_not_a_reset()
    {
        var t = InState(TcpState.Established);
        t.Send(TcpFlags.Syn, seq: 123456, ack: 0);
        var challenge = t.TakeSingle();
        Assert.Equal(TcpFlags.Ack, challenge.Flags);
        Assert.Equal(TcpState.Established, t.Conn.State);
    }

    [Fact]
    public void An_ack_for_data_never_sent_is_answered_with_an_ack_and_dropped()
    {
        var t = InState(TcpState.Established);
        t.Send(TcpFlags.Ack, [1, 2, 3], ack: t.Conn.SendNext + 5000);
        var ack = t.TakeSingle();
        Assert.Equal(TcpFlags.Ack, ack.Flags);
        Assert.Equal(1, t.Stack.Stats.Dropped(DropReason.TcpBadAck));
        Assert.Equal(0, t.Socket.Connection!.Readable);                            // its data was not taken
    }

    [Fact]
    public void Acks_answering_unacceptable_empty_segments_are_rate_limited_but_data_is_always_answered()
    {
        var t = InState(TcpState.Established);
        for (int i = 0; i < 10; i++) t.Send(TcpFlags.Ack, seq: t.PeerSeq - 1000);   // old, empty: an ACK war's fuel
        Assert.Single(t.Take());
        Assert.Equal(9, t.Stack.Stats.TcpOutOfWindowAcksSuppressed);
        for (int i = 0; i < 3; i++) t.Send(TcpFlags.Ack, [1], seq: t.PeerSeq - 1000); // old data: always acknowledged
        Assert.Equal(3, t.Take().Count);
        t.P.Advance(500);
        t.Send(TcpFlags.Ack, seq: t.PeerSeq - 1000);
        Assert.Single(t.Take());
    }

    [Fact]
    public void While_resending_after_a_timeout_a_pure_ack_carries_snd_max()
    {
        var t = TcpScript.Active(o => o.TcpInitialRtoMs = 1000);
        t.Socket.Send(new byte[3000]);
        t.Take();
        t.P.Advance(1000);                                                          // timeout: go back to SND.UNA
        Assert.Equal(t.StackIss + 1 + 1460, t.Conn.SendNext);                       // one segment resent (cwnd 1)
        t.Send(TcpFlags.Ack, new byte[10], ack: t.StackIss + 1);                   // data from the peer: an ACK is owed
        t.P.Advance(100);
        var ack = t.Take().Last(s => s.Payload.Length == 0);
        Assert.Equal(t.StackIss + 1 + 2 * 1460, ack.Seq);                           // SND.MAX (the last 80 bytes wait for Nagle)
    }

    [Fact]
    public void A_segment_without_ack_in_a_synchronized_state_is_dropped()
    {
        var t = InState(TcpState.Established);
        t.Send(TcpFlags.None, [1, 2, 3]);
        Assert.Empty(t.Take());
        Assert.Equal(0, t.Conn.Readable);
        Assert.Equal(1, t.Stack.Stats.Dropped(DropReason.TcpInvalidInState));
    }

    [Fact]
    public void Abort_sends_a_reset_and_forgets_the_connection()
    {
        var t = InState(TcpState.Established);
        t.Socket.Abort();
        var rst = t.TakeSingle();
        Assert.Equal(TcpFlags.Rst, rst.Flags);
        Assert.Equal(0, t.Stack.Tcp.ConnectionCount);
    }
}
