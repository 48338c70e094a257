// A scripted TCP peer for state-machine tests: sets up a connection with the stack under test
// (passively: the stack listens; or actively: the stack connects) and sends hand-made segments,
// tracking the peer's own sequence number. The clock only moves when the test advances it.
namespace Biscuit.Net.Tests.Harness;

internal sealed class TcpScript
{
    public const ushort StackPort = 80;
    public const ushort PeerPort = 40000;
    public readonly ScriptedPeer P;
    public TcpSocket Socket = null!;
    public TcpSocket? Listener;
    /// <summary>The peer's next sequence number to send.</summary>
    public uint PeerSeq;
    /// <summary>The stack's initial sequence number, learned from its SYN or SYN-ACK.</summary>
    public uint StackIss;
    /// <summary>The stack's SYN-ACK of a passive open.</summary>
    public OutSegment? SynAck;

    TcpScript(ScriptedPeer p) { P = p; }

    public NetStack Stack => P.Stack;
    public TcpConnection Conn => connection ??= Socket.Connection!;
    TcpConnection? connection;

    /// <summary>The stack listens on port 80; the peer connects with the given SYN options.</summary>
    public static TcpScript Passive(Action<NetStackOptions>? configure = null, uint peerIss = 1000, int mss = 1460,
        int windowScale = -1, ushort window = 65535, Action<TcpSocket>? listenerOptions = null, bool sackPermitted = false)
    {
        var t = new TcpScript(new ScriptedPeer(configure));
        t.Listener = t.Stack.CreateTcpSocket();
        listenerOptions?.Invoke(t.Listener);
        Assert.Equal(Errno.None, t.Listener.Bind(StackPort));
        Assert.Equal(Errno.None, t.Listener.Listen(16));
        t.P.SendTcp(PeerPort, StackPort, peerIss, 0, TcpFlags.Syn, window, mss: mss, windowScale: windowScale, sackPermitted: sackPermitted);
        var synAck = t.P.TakeSingleTcp();
        t.SynAck = synAck;
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, synAck.Flags);
        Assert.Equal(peerIss + 1, synAck.Ack);
        t.StackIss = synAck.Seq;
        t.PeerSeq = peerIss + 1;
        t.P.SendTcp(PeerPort, StackPort, t.PeerSeq, t.StackIss + 1, TcpFlags.Ack, window);
        t.Socket = t.Listener.Accept(out var e) ?? throw new InvalidOperationException("accept: " + e);
        t.LocalPort = StackPort;
        t.connection = t.Socket.Connection;
        Assert.Equal(TcpState.Established, t.Socket.State);
        return t;
    }

    /// <summary>The stack connects to the peer, which answers SYN-ACK with the given options.</summary>
    public static TcpScript Active(Action<NetStackOptions>? configure = null, uint peerIss = 5000, int mss = 1460,
        int windowScale = -1, ushort window = 65535, Action<TcpSocket>? socketOptions = null)
    {
        var t = new TcpScript(new ScriptedPeer(configure));
        t.Socket = t.Stack.CreateTcpSocket();
        socketOptions?.Invoke(t.Socket);
        Assert.Equal(Errno.EINPROGRESS, t.Socket.Connect(ScriptedPeer.PeerIp, PeerPort));
        var syn = t.P.TakeSingleTcp();
        Assert.Equal(TcpFlags.Syn, syn.Flags);
        t.StackIss = syn.Seq;
        t.LocalPort = t.Socket.LocalPort;
        t.connection = t.Socket.Connection;
        t.P.SendTcp(PeerPort, t.Socket.LocalPort, peerIss, t.StackIss + 1, TcpFlags.Syn | TcpFlags.Ack, window, mss: mss, windowScale: windowScale);
        var ack = t.P.TakeSingleTcp();
        Assert.Equal(TcpFlags.Ack, ack.Flags);
        Assert.Equal(peerIss + 1, ack.Ack);
        t.PeerSeq = peerIss + 1;
        Assert.Equal(TcpState.Established, t.Socket.State);
        return t;
    }

    /// <summary>The stack's port of the connection (kept, since a closed socket forgets it).</summary>
    public ushort LocalPort;

    /// <summary>Sends a segment from the peer. seq defaults to PeerSeq (which then advances past the
    /// data and FIN), ack to everything the stack sent so far.</summary>
    public void Send(TcpFlags flags, byte[]? data = null, uint? seq = null, uint? ack = null, ushort window = 65535)
    {
        uint s = seq ?? PeerSeq;
        uint a = ack ?? Conn.SendNext;
        P.SendTcp(PeerPort, LocalPort, s, a, flags, window, data);
        if (seq == null) PeerSeq += (uint)(data?.Length ?? 0) + ((flags & TcpFlags.Fin) != 0 ? 1u : 0u);
    }

    public void SendData(int length, ushort window = 65535)
    {
        var data = new byte[length];
        for (int i = 0; i < length; i++) data[i] = (byte)(PeerSeq + i);
        Send(TcpFlags.Ack, data, window: window);
    }

    public List<OutSegment> Take() => P.TakeTcp();
    public OutSegment TakeSingle() => P.TakeSingleTcp();
}
