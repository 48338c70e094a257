// TCP demultiplexing and the endpoint tables: connections by their four-tuple (the local address is
// the interface's or one of 127.0.0.0/8), listeners by port (each bound to INADDR_ANY or to one local
// address, and only SYNs to that address reach it, as on Linux), port allocation
// (ephemeral range, SO_REUSEADDR), segments for no connection (answered with RST, RFC 9293 3.10.7.1),
// SYNs for listeners (3.10.7.2), TIME-WAIT reuse by a new SYN (RFC 1122 4.2.2.13), and initial
// sequence numbers (RFC 6528). Invariant: connections.Count <= TcpMaxConnections.
namespace Biscuit.Net;

internal sealed class TcpLayer
{
    public readonly record struct ConnectionKey(Ipv4Address RemoteAddress, ushort RemotePort, Ipv4Address LocalAddress, ushort LocalPort);

    readonly NetStack stack;
    readonly Dictionary<ConnectionKey, TcpConnection> connections = new();
    readonly Dictionary<ushort, TcpListener> listeners = new();
    readonly Dictionary<ushort, TcpSocket> boundPorts = new();   // ports held by a socket (bound, listening or connecting)
    readonly List<TcpConnection> tickScratch = new();
    ushort nextEphemeral;

    public TcpLayer(NetStack stack) { this.stack = stack; nextEphemeral = stack.Options.EphemeralPortFirst; }

    public int ConnectionCount => connections.Count;
    public bool Contains(TcpConnection c) => connections.TryGetValue(c.Key, out var found) && found == c;
    public void Remove(TcpConnection c) { if (Contains(c)) connections.Remove(c.Key); }
    public IEnumerable<TcpConnection> Connections => connections.Values;

    public void Input(Ipv4Packet packet)
    {
        if (!TcpSegment.TryParse(packet.Payload, packet.Source, packet.Destination, out var seg, out var why))
        { stack.Stats.Drop(why); return; }
        // RFC 1122 4.2.3.10 / RFC 9293 3.9.1: TCP is for unicast only.
        if (!stack.Ip.IsLocal(packet.Destination) || stack.Ip.IsBroadcastOrMulticast(packet.Source))
        { stack.Stats.Drop(DropReason.IpNotForUs); return; }
        var key = new ConnectionKey(packet.Source, seg.SourcePort, packet.Destination, seg.DestinationPort);
        var listener = ListenerFor(packet.Destination, seg.DestinationPort);
        if (connections.TryGetValue(key, out var c))
        {
            // RFC 1122 4.2.2.13: a new SYN with a higher sequence number may reopen a TIME-WAIT pair.
            bool reopen = c.State == TcpState.TimeWait && seg.Has(TcpFlags.Syn) && !seg.Has(TcpFlags.Ack)
                && listener != null && Seq.Gt(seg.Seq, c.ReceiveNext);
            if (!reopen) { c.Input(seg); return; }
            c.Destroy();
        }
        if (listener != null) { ListenInput(listener, key, seg); return; }
        stack.Stats.TcpSegmentsIn++;
        stack.Stats.Drop(DropReason.TcpNoConnection);
        ResetForNoConnection(packet.Destination, packet.Source, seg);
    }

    /// <summary>The listener a SYN to local:port reaches: one on the port bound to INADDR_ANY or to
    /// exactly that address (a listener on 10.0.2.15 does not hear 127.0.0.1, as on Linux).</summary>
    TcpListener? ListenerFor(Ipv4Address local, ushort port) =>
        listeners.TryGetValue(port, out var l) && (l.Address == Ipv4Address.Any || l.Address == local) ? l : null;

    /// <summary>RFC 9293 3.10.7.2: a segment for a listening port.</summary>
    void ListenInput(TcpListener listener, ConnectionKey key, in TcpSegment seg)
    {
        stack.Stats.TcpSegmentsIn++;
        if (seg.Has(TcpFlags.Rst)) { stack.Stats.Drop(DropReason.TcpRstIgnored); return; }
        if (seg.Has(TcpFlags.Ack)) { stack.Stats.Drop(DropReason.TcpNoConnection); ResetForNoConnection(key.LocalAddress, key.RemoteAddress, seg); return; }
        if (!seg.Has(TcpFlags.Syn)) { stack.Stats.Drop(DropReason.TcpInvalidInState); return; }
        if (!listener.HasRoomForSyn || !MakeRoomForConnection())
        { stack.Stats.Drop(DropReason.TcpBacklogFull); return; }
        listener.SynReceivedCount++;
        var c = TcpConnection.Accept(stack, this, key, listener, seg);
        connections[key] = c;
    }

    /// <summary>An ICMP destination unreachable quoting our segment (localPort -> remote:remotePort, seq).
    /// RFC 1122 4.2.3.9 and RFC 5461: protocol and port unreachable (codes 2, 3) are hard errors; like
    /// Linux and BSD we act on them only while connecting, and only if the quoted sequence number is
    /// one we sent (RFC 5927 4.1), so that forged messages cannot reset established connections.</summary>
    public void OnDestinationUnreachable(Ipv4Address local, Ipv4Address remote, ushort localPort, ushort remotePort, uint seq, byte code)
    {
        if (!connections.TryGetValue(new ConnectionKey(remote, remotePort, local, localPort), out var c)) return;
        if (code is 2 or 3) c.OnHardIcmpError(seq);
    }

    /// <summary>True if one more connection fits under TcpMaxConnections. At the limit, the TIME-WAIT
    /// connection closest to its end is dropped to make room: TIME-WAIT only guards against old
    /// duplicates, and a busy server must not stop accepting because of it (Linux likewise stops
    /// keeping TIME-WAIT state when its table overflows).</summary>
    bool MakeRoomForConnection()
    {
        if (connections.Count < stack.Options.TcpMaxConnections) return true;
        TcpConnection? oldest = null;
        foreach (var c in connections.Values)
            if (c.State == TcpState.TimeWait && (oldest == null || c.NextDeadline() < oldest.NextDeadline())) oldest = c;
        if (oldest == null) return false;
        stack.Stats.TcpTimeWaitRecycled++;
        oldest.Destroy();
        return true;
    }

    /// <summary>RFC 9293 3.10.7.1: the reply to a segment for which no connection exists.</summary>
    void ResetForNoConnection(Ipv4Address local, Ipv4Address remote, in TcpSegment seg)
    {
        if (seg.Has(TcpFlags.Rst)) return;
        var buffer = stack.Ip.PayloadBuffer;
        if (seg.Has(TcpFlags.Ack))
            TcpSegment.Write(buffer, seg.DestinationPort, seg.SourcePort, seg.Ack, 0, TcpFlags.Rst, 0, 0, -1, 0, local, remote);
        else
            TcpSegment.Write(buffer, seg.DestinationPort, seg.SourcePort, 0, seg.Seq + (uint)seg.Length,
                TcpFlags.Rst | TcpFlags.Ack, 0, 0, -1, 0, local, remote);
        stack.Stats.TcpResetsSent++;
        stack.Stats.TcpSegmentsOut++;
        stack.Ip.Send(local, remote, Ipv4Packet.ProtocolTcp, TcpSegment.MinHeaderLength);
    }

    public void Tick()
    {
        tickScratch.Clear();
        long now = stack.Now;
        foreach (var c in connections.Values) if (c.NextDeadline() <= now) tickScratch.Add(c);
        foreach (var c in tickScratch) if (c.State != TcpState.Closed) c.OnTick();
        tickScratch.Clear();
    }

    public long NextDeadline()
    {
        long t = long.MaxValue;
        foreach (var c in connections.Values) t = Math.Min(t, c.NextDeadline());
        return t;
    }

    public IReadOnlyDictionary<TcpState, int> CountByState()
    {
        var counts = new Dictionary<TcpState, int>();
        foreach (var c in connections.Values) counts[c.State] = counts.GetValueOrDefault(c.State) + 1;
        if (listeners.Count > 0) counts[TcpState.Listen] = listeners.Count;
        return counts;
    }

    // ------------------------------------------------------------------ ports and endpoints

    /// <summary>bind(): a port is free unless a socket holds it, or (without SO_REUSEADDR) a live connection uses it.</summary>
    public Errno Bind(TcpSocket socket, ushort port, out ushort bound)
    {
        bound = 0;
        if (port == 0)
        {
            int span = stack.Options.EphemeralPortLast - stack.Options.EphemeralPortFirst + 1;
            for (int i = 0; i < span && bound == 0; i++)
            {
                ushort candidate = nextEphemeral;
                nextEphemeral = candidate >= stack.Options.EphemeralPortLast ? stack.Options.EphemeralPortFirst : (ushort)(candidate + 1);
                if (!boundPorts.ContainsKey(candidate) && !PortUsedByConnection(candidate)) bound = candidate;
            }
            if (bound == 0) return Errno.EADDRINUSE;
        }
        else
        {
            if (boundPorts.ContainsKey(port)) return Errno.EADDRINUSE;
            if (!socket.ReuseAddress && PortUsedByConnection(port)) return Errno.EADDRINUSE;
            bound = port;
        }
        boundPorts[bound] = socket;
        return Errno.None;
    }

    bool PortUsedByConnection(ushort port)
    {
        foreach (var k in connections.Keys) if (k.LocalPort == port) return true;
        return false;
    }

    public void Unbind(TcpSocket socket, ushort port)
    {
        if (boundPorts.TryGetValue(port, out var s) && s == socket) boundPorts.Remove(port);
    }

    public Errno Listen(TcpSocket socket, Ipv4Address address, ushort port, int backlog, out TcpListener? listener)
    {
        listener = null;
        if (listeners.ContainsKey(port)) return Errno.EADDRINUSE;
        listener = new TcpListener(socket, address, port, Math.Clamp(backlog, 1, stack.Options.TcpMaxBacklog));
        listeners[port] = listener;
        return Errno.None;
    }

    public void CloseListener(TcpListener listener)
    {
        listener.Closed = true;
        listeners.Remove(listener.Port);
        // Connections never accepted are reset (as Linux does); half-open children are forgotten.
        while (listener.TakeAccepted() is { } c) { c.Socket = null; c.Abort(); }
        tickScratch.Clear();
        foreach (var c in connections.Values) if (c.Listener == listener) tickScratch.Add(c);
        foreach (var c in tickScratch) c.Abort();
        tickScratch.Clear();
    }

    public Errno Connect(TcpSocket socket, Ipv4Address local, ushort localPort, Ipv4Address remote, ushort remotePort, out TcpConnection? connection)
    {
        connection = null;
        var key = new ConnectionKey(remote, remotePort, local, localPort);
        if (connections.ContainsKey(key)) return Errno.EADDRINUSE;
        if (!MakeRoomForConnection()) return Errno.ENOBUFS;
        connection = TcpConnection.Connect(stack, this, key, socket);
        connections[key] = connection;
        return Errno.None;
    }

    /// <summary>RFC 6528: ISN = M + F(local address, local port, remote address, remote port, secret),
    /// M a 4-microsecond clock. F here is a keyed 64-bit mix (splitmix64 finaliser), not MD5.</summary>
    public uint NewInitialSequenceNumber(ConnectionKey key)
    {
        if (stack.Options.TcpIssOverride is { } chosen) return chosen();
        ulong x = stack.Options.TcpIssSecret ^ ((ulong)key.RemoteAddress.Value << 32 | (ulong)key.RemotePort << 16 | key.LocalPort);
        x ^= (ulong)key.LocalAddress.Value * 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return (uint)x + (uint)(stack.Now * 250);
    }
}
