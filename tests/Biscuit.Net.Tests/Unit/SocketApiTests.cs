// The socket semantics the POSIX layer exposes: bind and SO_REUSEADDR, listen backlog, readiness
// events for epoll (readable, writable, error, hang-up, read hang-up), readiness change reports,
// buffer size options, and errors for calls in the wrong state.
using Biscuit.Net.Tests.Harness;

namespace Biscuit.Net.Tests.Unit;

public sealed class SocketApiTests
{
    [Fact]
    public void A_port_can_be_bound_once_and_ephemeral_ports_are_distinct()
    {
        var p = new ScriptedPeer();
        var a = p.Stack.CreateTcpSocket();
        var b = p.Stack.CreateTcpSocket();
        Assert.Equal(Errno.None, a.Bind(8080));
        Assert.Equal(Errno.EADDRINUSE, b.Bind(8080));
        Assert.Equal(Errno.EINVAL, a.Bind(8081));                              // already bound
        var c = p.Stack.CreateTcpSocket(); var d = p.Stack.CreateTcpSocket();
        c.Bind(0); d.Bind(0);
        Assert.NotEqual(c.LocalPort, d.LocalPort);
        Assert.InRange(c.LocalPort, (ushort)49152, (ushort)65535);
        a.Close();
        Assert.Equal(Errno.None, b.Bind(8080));                                // free again after close
    }

    [Fact]
    public void So_reuseaddr_allows_rebinding_a_port_whose_old_connection_lingers_in_time_wait()
    {
        var t = TcpResetTests.InState(TcpState.TimeWait);
        t.Listener!.Close();
        var again = t.Stack.CreateTcpSocket();
        Assert.Equal(Errno.EADDRINUSE, again.Bind(TcpScript.StackPort));
        var reuse = t.Stack.CreateTcpSocket();
        reuse.ReuseAddress = true;
        Assert.Equal(Errno.None, reuse.Bind(TcpScript.StackPort));
        Assert.Equal(Errno.None, reuse.Listen(4));
    }

    [Fact]
    public void A_new_syn_may_reopen_a_connection_in_time_wait()
    {
        var t = TcpResetTests.InState(TcpState.TimeWait);
        t.P.SendTcp(TcpScript.PeerPort, TcpScript.StackPort, t.PeerSeq + 100_000, 0, TcpFlags.Syn, 65535);
        var synAck = t.P.TakeSingleTcp();
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, synAck.Flags);
    }

    [Fact]
    public void Readiness_follows_the_connection_through_its_life()
    {
        var t = TcpScript.Passive();
        var changes = new List<IPollable>();
        t.Stack.TakeReadinessChanges(changes);
        changes.Clear();
        Assert.Equal(Readiness.Writable, t.Socket.Readiness);
        t.Send(TcpFlags.Ack, [1, 2, 3]);
        Assert.Equal(Readiness.Writable | Readiness.Readable, t.Socket.Readiness);
        t.Stack.TakeReadinessChanges(changes);
        Assert.Contains(t.Socket, changes);
        t.Socket.Receive(new byte[10]);
        t.Send(TcpFlags.Ack | TcpFlags.Fin);
        Assert.Equal(Readiness.Writable | Readiness.Readable | Readiness.ReadHangUp, t.Socket.Readiness);
        t.Send(TcpFlags.Rst, seq: t.PeerSeq, ack: 0);
        var r = t.Socket.Readiness;
        Assert.True(r.HasFlag(Readiness.Error) && r.HasFlag(Readiness.HangUp), r.ToString());
        Assert.Equal(Errno.ECONNRESET, t.Socket.TakeError());
        Assert.Equal(Errno.None, t.Socket.TakeError());                         // SO_ERROR clears on read
        Assert.Equal(-(int)Errno.EPIPE, t.Socket.Send([1]));                     // as on Linux
        Assert.Equal(0, t.Socket.Receive(new byte[1]));
    }

    [Fact]
    public void Calls_in_the_wrong_state_return_clear_errors()
    {
        var p = new ScriptedPeer();
        var s = p.Stack.CreateTcpSocket();
        Assert.Equal(-(int)Errno.ENOTCONN, s.Send([1]));
        Assert.Equal(-(int)Errno.ENOTCONN, s.Receive(new byte[1]));
        Assert.Equal(Errno.ENOTCONN, s.Shutdown(ShutdownHow.Both));
        Assert.Null(s.Accept(out var e));
        Assert.Equal(Errno.EINVAL, e);
        Assert.Equal(Errno.EINVAL, s.Connect(ScriptedPeer.PeerIp, 0));
        Assert.Equal(Errno.EINVAL, s.Connect(Ipv4Address.Broadcast, 80));
        Assert.Equal(Errno.EINPROGRESS, s.Connect(ScriptedPeer.PeerIp, 80));
        Assert.Equal(Errno.EALREADY, s.Connect(ScriptedPeer.PeerIp, 80));
        Assert.Equal(Errno.EINVAL, s.Listen(4));
        Assert.Equal(-(int)Errno.EAGAIN, s.Receive(new byte[1]));
    }

    [Fact]
    public void Buffer_sizes_are_clamped_to_the_configured_bounds()
    {
        var p = new ScriptedPeer(o => { o.TcpMinBuffer = 4096; o.TcpMaxBuffer = 1 << 20; });
        var s = p.Stack.CreateTcpSocket();
        s.SendBufferSize = 1;
        s.ReceiveBufferSize = int.MaxValue;
        Assert.Equal(4096, s.SendBufferSize);
        Assert.Equal(1 << 20, s.ReceiveBufferSize);
    }

    [Fact]
    public void The_listen_backlog_bounds_connections_waiting_for_accept()
    {
        var p = new ScriptedPeer();
        var l = p.Stack.CreateTcpSocket();
        l.Bind(80);
        l.Listen(2);
        for (ushort port = 1; port <= 5; port++)
        {
            p.SendTcp(port, 80, 100, 0, TcpFlags.Syn, 65535);
            var synAck = p.TakeTcp().SingleOrDefault();
            if (synAck != null) p.SendTcp(port, 80, 101, synAck.Seq + 1, TcpFlags.Ack, 65535);
        }
        int accepted = 0;
        while (l.Accept(out _) != null) accepted++;
        Assert.Equal(2, accepted);
        Assert.Equal(3, p.Stack.Stats.Dropped(DropReason.TcpBacklogFull));
    }

    [Fact]
    public void Next_deadline_tells_the_event_loop_when_to_tick()
    {
        var t = TcpScript.Active(o => { o.TcpInitialRtoMs = 1000; o.ArpEntryLifetimeMs = 1_000_000; });
        Assert.Equal(1_000_000, t.Stack.NextDeadline());                          // only the ARP entry's expiry
        t.Socket.Send(new byte[10]);
        t.Take();
        Assert.Equal(t.P.Now + 1000, t.Stack.NextDeadline());                     // the retransmission timer
        t.Send(TcpFlags.Ack, ack: t.StackIss + 11);
        Assert.Equal(1_000_000, t.Stack.NextDeadline());
        t.Send(TcpFlags.Ack, [1]);
        Assert.Equal(t.P.Now + t.Stack.Options.TcpDelayedAckMs, t.Stack.NextDeadline());   // the delayed ACK
    }

    [Fact]
    public void Stats_report_connections_by_state()
    {
        var t = TcpScript.Passive();
        var byState = t.Stack.ConnectionsByState();
        Assert.Equal(1, byState[TcpState.Established]);
        Assert.Equal(1, byState[TcpState.Listen]);
        Assert.True(t.Stack.Stats.TcpSegmentsIn >= 2);
        Assert.True(t.Stack.Stats.FramesOut >= 1);
        t.Send(TcpFlags.Ack, [1], seq: t.PeerSeq + 1_000_000);
        var snapshot = t.Stack.StatsSnapshot().ToDictionary(x => x.Name, x => x.Value);
        Assert.Equal(1, snapshot["tcp.state.Established"]);
        Assert.Equal(1, snapshot["dropped.TcpOutOfWindow"]);
        Assert.Equal(t.Stack.Stats.FramesIn, snapshot["frames.in"]);
    }

    [Fact]
    public void Peek_returns_the_received_bytes_without_taking_them()
    {
        var t = TcpScript.Passive();
        var buffer = new byte[8];
        Assert.Equal(-(int)Errno.EAGAIN, t.Socket.Peek(buffer));
        t.Send(TcpFlags.Ack, [1, 2, 3]);
        Assert.Equal(2, t.Socket.Peek(buffer.AsSpan(0, 2)));
        Assert.Equal(3, t.Socket.Peek(buffer));
        Assert.Equal(3, t.Socket.BytesAvailable);
        Assert.Equal(3, t.Socket.Receive(buffer));
        Assert.Equal(new byte[] { 1, 2, 3 }, buffer[..3]);
        Assert.Equal(-(int)Errno.ENOTCONN, t.Stack.CreateTcpSocket().Peek(buffer));
    }

    [Fact]
    public void So_sndbuf_set_on_a_connected_socket_changes_how_much_send_queues()
    {
        var t = TcpScript.Passive();
        t.Socket.SendBufferSize = 4096;
        var data = new byte[100_000];
        int queued = t.Socket.Send(data);
        Assert.Equal(4096, queued);
        t.Socket.SendBufferSize = 16384;
        Assert.Equal(16384 - 4096, t.Socket.Send(data));
    }
}
