// The sending side: the peer's window (RFC 9293 3.8.6), Nagle's algorithm and TCP_NODELAY (3.7.4),
// zero-window probing with back-off (3.8.6.1), a peer that never opens its window, and the
// bounded send buffer.
using Biscuit.Net.Tests.Harness;

namespace Biscuit.Net.Tests.Unit;

public sealed class TcpSendTests
{
    [Fact]
    public void The_sender_never_exceeds_the_peers_window_and_continues_when_it_opens()
    {
        var t = TcpScript.Active(window: 3000);
        Assert.Equal(10_000, t.Socket.Send(new byte[10_000]));
        int first = t.Take().Sum(s => s.Payload.Length);
        // Two full segments; the 80 bytes left in the window wait (sender SWS avoidance, RFC 9293 3.8.6.2.1).
        Assert.Equal(2920, first);
        t.Send(TcpFlags.Ack, ack: t.StackIss + 1 + (uint)first, window: 2000);
        int second = t.Take().Sum(s => s.Payload.Length);
        Assert.InRange(second, 1, 2000);
        Assert.Equal(t.StackIss + 1 + (uint)(first + second), t.Conn.SendNext);
    }

    [Fact]
    public void Nagle_holds_a_small_segment_while_data_is_unacknowledged()
    {
        var t = TcpScript.Active();
        t.Socket.Send(new byte[10]);
        Assert.Equal(10, t.TakeSingle().Payload.Length);
        t.Socket.Send(new byte[10]);
        t.Socket.Send(new byte[10]);
        Assert.Empty(t.Take());
        t.Send(TcpFlags.Ack, ack: t.StackIss + 11);
        Assert.Equal(20, t.TakeSingle().Payload.Length);                         // coalesced
    }

    [Fact]
    public void With_tcp_nodelay_small_segments_go_out_at_once()
    {
        var t = TcpScript.Active(socketOptions: s => s.NoDelay = true);
        t.Socket.Send(new byte[10]);
        t.Socket.Send(new byte[10]);
        Assert.Equal(2, t.Take().Count);
    }

    [Fact]
    public void Send_takes_at_most_the_free_buffer_space_then_returns_eagain()
    {
        var t = TcpScript.Active(window: 0, socketOptions: s => s.SendBufferSize = 8192);
        Assert.Equal(8192, t.Socket.Send(new byte[20_000]));
        Assert.Equal(-(int)Errno.EAGAIN, t.Socket.Send(new byte[1]));
        Assert.False(t.Socket.Readiness.HasFlag(Readiness.Writable));
    }

    [Fact]
    public void A_zero_window_is_probed_with_exponential_back_off()
    {
        var t = TcpScript.Active(configure: o => { o.TcpPersistMinMs = 200; o.TcpPersistMaxMs = 60_000; o.TcpMinRtoMs = 200; }, window: 0);
        t.Socket.Send(new byte[100]);
        Assert.Empty(t.Take());
        var probes = new List<long>();
        for (int i = 0; i < 30_000; i++)
        {
            t.P.Advance(1);
            foreach (var s in t.Take())
            {
                probes.Add(t.P.Now);
                Assert.Equal(1, s.Payload.Length);                                 // one octet of new data
                t.Send(TcpFlags.Ack, ack: t.StackIss + 1, window: 0);              // the peer still has no room
            }
        }
        Assert.True(probes.Count >= 4, $"probes at {string.Join(",", probes)}");
        for (int i = 2; i < probes.Count; i++)
            Assert.True(probes[i] - probes[i - 1] >= 2 * (probes[i - 1] - probes[i - 2]) - 1, $"no back-off: {string.Join(",", probes)}");
        Assert.Equal(probes.Count, t.Stack.Stats.TcpZeroWindowProbes);
    }

    [Fact]
    public void A_peer_that_never_opens_its_window_keeps_the_connection_with_bounded_memory()
    {
        var t = TcpScript.Active(configure: o => o.TcpPersistMaxMs = 60_000, window: 0,
            socketOptions: s => s.SendBufferSize = 16_384);
        long written = 0;
        for (int second = 0; second < 3600; second++)                              // an hour of a stubborn peer
        {
            int n = t.Socket.Send(new byte[4096]);
            if (n > 0) written += n;
            t.P.Advance(1000);
            foreach (var s in t.Take()) t.Send(TcpFlags.Ack, ack: t.StackIss + 1, window: 0);
        }
        Assert.Equal(TcpState.Established, t.Socket.State);                        // RFC 9293 3.8.6.1: keep probing
        Assert.True(written <= 16_384 + 1);
        Assert.True(t.Conn.BufferMemory <= 2 * 16_384 + 2 * 262_144);
        Assert.True(t.Stack.Stats.TcpZeroWindowProbes > 50);
        // The window finally opens: the data flows.
        t.Send(TcpFlags.Ack, ack: t.StackIss + 1, window: 65535);
        Assert.True(t.Take().Sum(s => s.Payload.Length) > 0);
    }

    [Fact]
    public void A_zero_window_peer_that_stops_answering_probes_is_given_up_on()
    {
        var t = TcpScript.Active(configure: o => { o.TcpMaxRetransmissions = 4; o.ArpEntryLifetimeMs = 100_000_000; }, window: 0);
        t.Socket.Send(new byte[100]);
        for (int second = 0; second < 600; second++) { t.P.Advance(1000); t.Take(); }
        Assert.Equal(TcpState.Closed, t.Socket.State);
        Assert.Equal(Errno.ETIMEDOUT, t.Socket.TakeError());
        Assert.Equal(4, t.Stack.Stats.TcpZeroWindowProbes);
    }

    [Fact]
    public void When_the_window_opens_after_zero_the_queued_data_goes_out()
    {
        var t = TcpScript.Active(window: 0);
        t.Socket.Send(new byte[5000]);
        Assert.Empty(t.Take());
        t.Send(TcpFlags.Ack, ack: t.StackIss + 1, window: 65535);
        Assert.Equal(3 * 1460, t.Take().Sum(s => s.Payload.Length));             // the initial congestion window
        t.Send(TcpFlags.Ack, ack: t.StackIss + 1 + 3 * 1460, window: 65535);
        Assert.Equal(5000 - 3 * 1460, t.Take().Sum(s => s.Payload.Length));
    }
}
