// A UDP socket (RFC 768) with the semantics the POSIX layer exposes: bind (0 = ephemeral port; an
// address of ours or INADDR_ANY; a socket bound to an address receives only datagrams sent to it),
// optional connect (fixes the peer and filters input), sendto/recvfrom, non-blocking only.
// Received datagrams wait in a queue bounded by ReceiveBufferSize bytes and UdpMaxQueuedDatagrams.
namespace Biscuit.Net;

public sealed class UdpSocket : IPollable
{
    readonly NetStack stack;
    readonly Queue<(Ipv4Address From, ushort Port, byte[] Data)> received = new(); // owner: event loop
    int queuedBytes;
    bool closed;

    internal UdpSocket(NetStack stack)
    {
        this.stack = stack;
        ReceiveBufferSize = stack.Options.UdpDefaultReceiveBuffer;
    }

    public ushort LocalPort { get; private set; }
    /// <summary>The address bound (Any unless bind named one of ours).</summary>
    public Ipv4Address BoundAddress { get; private set; }
    /// <summary>getsockname's address: the bound one, else once connected the source toward the peer, else Any.</summary>
    public Ipv4Address LocalAddress =>
        BoundAddress != Ipv4Address.Any ? BoundAddress : IsConnected ? stack.Ip.SourceFor(RemoteAddress) : Ipv4Address.Any;
    public Ipv4Address RemoteAddress { get; private set; }
    public ushort RemotePort { get; private set; }
    public bool IsConnected => RemotePort != 0;
    public int ReceiveBufferSize { get; set; }

    public Readiness Readiness =>
        closed ? Readiness.HangUp : (received.Count > 0 ? Readiness.Readable : Readiness.None) | Readiness.Writable;

    public Errno Bind(ushort port) => Bind(Ipv4Address.Any, port);

    /// <summary>bind(2) to INADDR_ANY or one of our addresses (else EADDRNOTAVAIL).</summary>
    public Errno Bind(Ipv4Address address, ushort port)
    {
        if (closed) return Errno.EINVAL;
        if (LocalPort != 0) return Errno.EINVAL;
        if (address != Ipv4Address.Any && !stack.Ip.IsLocal(address)) return Errno.EADDRNOTAVAIL;
        var e = stack.Udp.Bind(this, port, out var p);
        if (e == Errno.None) { LocalPort = p; BoundAddress = address; }
        return e;
    }

    public Errno Connect(Ipv4Address address, ushort port)
    {
        if (closed || port == 0) return Errno.EINVAL;
        if (LocalPort == 0) { var e = Bind(0); if (e != Errno.None) return e; }
        RemoteAddress = address;
        RemotePort = port;
        return Errno.None;
    }

    /// <summary>Sends a datagram; returns its length or a negated Errno.</summary>
    public int SendTo(ReadOnlySpan<byte> data, Ipv4Address address, ushort port)
    {
        if (closed) return -(int)Errno.EPIPE;
        if (port == 0) return -(int)Errno.EINVAL;
        if (LocalPort == 0) { var e = Bind(0); if (e != Errno.None) return -(int)e; }
        var source = BoundAddress != Ipv4Address.Any ? BoundAddress : stack.Ip.SourceFor(address);
        return stack.Udp.Send(source, LocalPort, address, port, data);
    }

    public int Send(ReadOnlySpan<byte> data) =>
        IsConnected ? SendTo(data, RemoteAddress, RemotePort) : -(int)Errno.EDESTADDRREQ;

    /// <summary>Takes the next datagram; a longer datagram is truncated (like Linux without MSG_TRUNC).
    /// Returns the bytes copied, or -EAGAIN when nothing is queued.</summary>
    public int ReceiveFrom(Span<byte> buffer, out Ipv4Address from, out ushort fromPort)
    {
        from = default; fromPort = 0;
        if (received.Count == 0) return closed ? 0 : -(int)Errno.EAGAIN;
        var (address, port, data) = received.Dequeue();
        queuedBytes -= data.Length;
        from = address; fromPort = port;
        int n = Math.Min(buffer.Length, data.Length);
        data.AsSpan(0, n).CopyTo(buffer);
        stack.NoteReadinessChanged(this);
        return n;
    }

    /// <summary>recvfrom(MSG_PEEK): copies the next datagram (truncated to the buffer) without taking it.</summary>
    public int PeekFrom(Span<byte> buffer, out Ipv4Address from, out ushort fromPort)
    {
        from = default; fromPort = 0;
        if (received.Count == 0) return closed ? 0 : -(int)Errno.EAGAIN;
        var (address, port, data) = received.Peek();
        from = address; fromPort = port;
        int n = Math.Min(buffer.Length, data.Length);
        data.AsSpan(0, n).CopyTo(buffer);
        return n;
    }

    public void Close()
    {
        if (closed) return;
        closed = true;
        if (LocalPort != 0) stack.Udp.Unbind(LocalPort);
        received.Clear();
        queuedBytes = 0;
    }

    internal bool Accepts(Ipv4Address to, Ipv4Address from, ushort port) =>
        !closed && (BoundAddress == Ipv4Address.Any || to == BoundAddress)
        && (!IsConnected || (from == RemoteAddress && port == RemotePort));

    internal bool Enqueue(Ipv4Address from, ushort port, ReadOnlySpan<byte> data)
    {
        if (received.Count >= stack.Options.UdpMaxQueuedDatagrams || queuedBytes + data.Length > ReceiveBufferSize) return false;
        received.Enqueue((from, port, data.ToArray()));
        queuedBytes += data.Length;
        stack.NoteReadinessChanged(this);
        return true;
    }
}
