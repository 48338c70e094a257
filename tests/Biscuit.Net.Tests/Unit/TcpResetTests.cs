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
