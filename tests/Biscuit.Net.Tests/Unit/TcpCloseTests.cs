// Closing (RFC 9293 3.6): active and passive close, simultaneous close through CLOSING, TIME-WAIT
// for 2 MSL and its re-acknowledgment of a repeated FIN, abortive close when unread data would be
// lost, shutdown of one direction, and orphaned connections that finish on their own.
using Biscuit.Net.Tests.Harness;

namespace Biscuit.Net.Tests.Unit;

public sealed class TcpCloseTests
{
    [Fact]
    public void Active_close_goes_fin_wait_1_fin_wait_2_time_wait_and_ends_after_2_msl()
    {
        var t = TcpScript.Passive(o => o.TcpMslMs = 1000);
        var conn = t.Conn;
        t.Socket.Close();
        var fin = t.TakeSingle();
        Assert.Equal(TcpFlags.Fin | TcpFlags.Ack, fin.Flags);
        Assert.Equal(TcpState.FinWait1, conn.State);
        t.Send(TcpFlags.Ack, ack: fin.Seq + 1);
        Assert.Equal(TcpState.FinWait2, conn.State);
        t.Send(TcpFlags.Ack | TcpFlags.Fin, ack: fin.Seq + 1);
        Assert.Equal(t.PeerSeq, t.TakeSingle().Ack);
        Assert.Equal(TcpState.TimeWait, conn.State);
        t.P.Advance(1999);
        Assert.Equal(1, t.Stack.Tcp.ConnectionCount);
        t.P.Advance(1);
        Assert.Equal(0, t.Stack.Tcp.ConnectionCount);
    }

    [Fact]
    public void Time_wait_acknowledges_a_repeated_fin()
    {
        var t = TcpResetTests.InState(TcpState.TimeWait);
        t.Send(TcpFlags.Ack | TcpFlags.Fin, seq: t.PeerSeq - 1);
        var ack = t.TakeSingle();
        Assert.Equal(t.PeerSeq, ack.Ack);
        Assert.Equal(TcpState.TimeWait, t.Conn.State);
    }

    [Fact]
    public void Passive_close_goes_close_wait_last_ack_closed()
    {
        var t = TcpScript.Passive();
        var conn = t.Conn;
        t.Send(TcpFlags.Ack | TcpFlags.Fin);
        t.Take();
        Assert.Equal(TcpState.CloseWait, conn.State);
        Assert.Equal(0, t.Socket.Receive(new byte[10]));
        Assert.True(t.Socket.Readiness.HasFlag(Readiness.Writable));        // our direction is still open
        Assert.Equal(5, t.Socket.Send("after"u8));
        t.Take();
        t.Socket.Close();
        var fin = t.TakeSingle();
        Assert.True(fin.Has(TcpFlags.Fin));
        Assert.Equal(TcpState.LastAck, conn.State);
        t.Send(TcpFlags.Ack, ack: fin.Seq + 1);
        Assert.Equal(TcpState.Closed, conn.State);
        Assert.Equal(0, t.Stack.Tcp.ConnectionCount);
    }

    [Fact]
    public void Simultaneous_close_goes_through_closing_to_time_wait()
    {
        var t = TcpScript.Passive();
        t.Socket.Shutdown(ShutdownHow.Write);
        var fin = t.TakeSingle();
        t.Send(TcpFlags.Ack | TcpFlags.Fin, ack: fin.Seq);                   // the peer's FIN crosses ours
        Assert.Equal(TcpState.Closing, t.Conn.State);
        t.Take();
        t.Send(TcpFlags.Ack, ack: fin.Seq + 1);
        Assert.Equal(TcpState.TimeWait, t.Conn.State);
    }

    [Fact]
    public void Closing_with_unread_data_resets_the_connection()
    {
        var t = TcpScript.Passive();
        t.Send(TcpFlags.Ack, [1, 2, 3]);
        t.Socket.Close();
        var rst = t.Take().Last();
        Assert.True(rst.Has(TcpFlags.Rst));
        Assert.Equal(0, t.Stack.Tcp.ConnectionCount);
    }

    [Fact]
    public void Data_queued_before_close_is_delivered_before_the_fin()
    {
        var t = TcpScript.Passive();
        t.Socket.Send(new byte[3000]);
        t.Socket.Close();
        var segs = t.Take();
        Assert.Equal(3000, segs.Sum(s => s.Payload.Length));
        Assert.True(segs.Last().Has(TcpFlags.Fin));
        Assert.Equal(t.StackIss + 1 + 3000, segs.Last().Seq + (uint)segs.Last().Payload.Length);
    }

    [Fact]
    public void Shutdown_write_sends_fin_but_reading_continues()
    {
        var t = TcpScript.Passive();
        Assert.Equal(Errno.None, t.Socket.Shutdown(ShutdownHow.Write));
        Assert.True(t.TakeSingle().Has(TcpFlags.Fin));
        Assert.Equal(-(int)Errno.EPIPE, t.Socket.Send([1]));
        t.Send(TcpFlags.Ack, [9, 9]);
        Assert.Equal(2, t.Socket.Receive(new byte[10]));
    }

    [Fact]
    public void An_orphaned_connection_in_fin_wait_2_is_dropped_after_its_timeout()
    {
        var t = TcpScript.Passive(o => o.TcpFinWait2TimeoutMs = 5000);
        t.Socket.Close();
        var fin = t.TakeSingle();
        t.Send(TcpFlags.Ack, ack: fin.Seq + 1);
        Assert.Equal(TcpState.FinWait2, t.Conn.State);
        t.P.Advance(5000);
        Assert.Equal(0, t.Stack.Tcp.ConnectionCount);
    }

    [Fact]
    public void A_lost_fin_is_retransmitted()
    {
        var t = TcpScript.Passive(o => o.TcpInitialRtoMs = 1000);
        t.Socket.Close();
        var fin = t.TakeSingle();
        t.P.Advance(1000);
        var again = t.TakeSingle();
        Assert.True(again.Has(TcpFlags.Fin));
        Assert.Equal(fin.Seq, again.Seq);
    }

    [Fact]
    public void At_the_connection_limit_the_oldest_time_wait_makes_room_for_a_new_connection()
    {
        var p = new ScriptedPeer(o => o.TcpMaxConnections = 3);
        var l = p.Stack.CreateTcpSocket();
        l.Bind(80);
        l.Listen(8);
        for (ushort port = 1; port <= 3; port++)
        {
            // Connect, let the server close first, finish the close: the server keeps TIME-WAIT.
            p.SendTcp(port, 80, 100, 0, TcpFlags.Syn, 65535);
            var synAck = p.TakeSingleTcp();
            p.SendTcp(port, 80, 101, synAck.Seq + 1, TcpFlags.Ack, 65535);
            l.Accept(out _)!.Close();
            var fin = p.TakeSingleTcp();
            p.SendTcp(port, 80, 101, fin.Seq + 1, TcpFlags.Ack | TcpFlags.Fin, 65535);
            p.TakeTcp();
            p.Advance(10);
        }
        Assert.Equal(3, p.Stack.ConnectionsByState()[TcpState.TimeWait]);
        p.SendTcp(4, 80, 100, 0, TcpFlags.Syn, 65535);
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, p.TakeSingleTcp().Flags);
        Assert.Equal(1, p.Stack.Stats.TcpTimeWaitRecycled);
        Assert.Equal(3, p.Stack.Tcp.ConnectionCount);
        // With no TIME-WAIT left to recycle, the limit holds.
        p.SendTcp(5, 80, 100, 0, TcpFlags.Syn, 65535);
        p.SendTcp(6, 80, 100, 0, TcpFlags.Syn, 65535);
        p.SendTcp(7, 80, 100, 0, TcpFlags.Syn, 65535);
        Assert.True(p.Stack.Tcp.ConnectionCount <= 3);
        Assert.True(p.Stack.Stats.Dropped(DropReason.TcpBacklogFull) >= 1);
    }

    [Fact]
    public void Closing_a_listener_resets_connections_it_never_handed_out()
    {
        var t = TcpScript.Passive();
        t.P.SendTcp(40001, TcpScript.StackPort, 9000, 0, TcpFlags.Syn, 65535);
        var synAck = t.P.TakeSingleTcp();
        t.P.SendTcp(40001, TcpScript.StackPort, 9001, synAck.Seq + 1, TcpFlags.Ack, 65535);
        t.Listener!.Close();
        Assert.Contains(t.Take(), s => s.Has(TcpFlags.Rst) && s.DestinationPort == 40001);
        Assert.Equal(TcpState.Established, t.Socket.State);                 // the accepted one lives on
    }
}
