// Keep-alive (RFC 9293 3.8.4, RFC 1122 4.2.3.6): off by default; when on, probes after the idle
// time, keeps a connection whose peer answers, and drops one whose peer is gone.
using Biscuit.Net.Tests.Harness;

namespace Biscuit.Net.Tests.Unit;

public sealed class TcpKeepAliveTests
{
    static void Configure(NetStackOptions o)
    {
        o.TcpKeepAliveIdleMs = 10_000;
        o.TcpKeepAliveIntervalMs = 1_000;
        o.TcpKeepAliveProbes = 3;
        o.ArpEntryLifetimeMs = 10_000_000;
    }

    [Fact]
    public void Without_keep_alive_an_idle_connection_sends_nothing()
    {
        var t = TcpScript.Active(Configure);
        for (int i = 0; i < 100; i++) t.P.Advance(1000);
        Assert.Empty(t.Take());
        Assert.Equal(TcpState.Established, t.Socket.State);
    }

    [Fact]
    public void Keep_alive_probes_an_idle_connection_and_an_answering_peer_keeps_it()
    {
        var t = TcpScript.Active(Configure);
        t.Socket.KeepAlive = true;
        t.P.Advance(10_000);
        var probe = t.TakeSingle();
        Assert.Equal(t.StackIss, probe.Seq);                      // SND.NXT - 1: the peer must answer with an ACK
        Assert.Empty(probe.Payload);
        t.Send(TcpFlags.Ack);
        for (int i = 0; i < 9; i++) t.P.Advance(1000);
        Assert.Empty(t.Take());                                   // the answer restarted the idle time
        Assert.Equal(TcpState.Established, t.Socket.State);
    }

    [Fact]
    public void Keep_alive_drops_a_connection_whose_peer_is_gone_with_etimedout()
    {
        var t = TcpScript.Active(Configure);
        t.Socket.KeepAlive = true;
        t.P.Advance(10_000);
        for (int i = 0; i < 3; i++) t.P.Advance(1000);
        Assert.Equal(3, t.Stack.Stats.TcpKeepAliveProbes);
        Assert.Equal(TcpState.Closed, t.Socket.State);
        Assert.Equal(Errno.ETIMEDOUT, t.Socket.TakeError());
    }
}
