// A TCP socket as the POSIX layer sees it: socket(), bind(), listen(), connect(), accept(), send(),
// recv(), shutdown(), close(), the options SO_REUSEADDR, SO_SNDBUF, SO_RCVBUF, SO_KEEPALIVE,
// TCP_NODELAY, SO_ERROR, and epoll-style readiness. Every call is non-blocking: it returns a count,
// or a negated Errno (EAGAIN when it would block, EINPROGRESS for a connect under way), and the
// event loop learns about changes from NetStack.TakeReadinessChanges. Owner: the event loop.
namespace Biscuit.Net;

public enum ShutdownHow { Read = 0, Write = 1, Both = 2 }

public sealed class TcpSocket : IPollable
{
    readonly NetStack stack;
    TcpConnection? connection;
    TcpListener? listener;
    ushort boundPort;
    Ipv4Address boundAddress;           // INADDR_ANY unless bind named one of ours
    bool closed;
    int sendBufferSize, receiveBufferSize;
    bool noDelay, keepAlive;

    internal TcpSocket(NetStack stack)
    {
        this.stack = stack;
        sendBufferSize = stack.Options.TcpDefaultSendBuffer;
        receiveBufferSize = stack.Options.TcpDefaultReceiveBuffer;
    }

    internal TcpSocket(NetStack stack, TcpConnection accepted, TcpSocket from) : this(stack)
    {
        connection = accepted;
        accepted.Socket = this;
        sendBufferSize = from.sendBufferSize;
        receiveBufferSize = from.receiveBufferSize;
        noDelay = from.noDelay;
        keepAlive = from.keepAlive;
    }

    // ------------------------------------------------------------------ options

    public bool ReuseAddress { get; set; }
    public int SendBufferSize
    {
        get => sendBufferSize;
        set
        {
            sendBufferSize = Math.Clamp(value, stack.Options.TcpMinBuffer, stack.Options.TcpMaxBuffer);
            connection?.SetSendBufferSize(sendBufferSize);     // Linux applies SO_SNDBUF at once, connected or not
        }
    }
    /// <summary>SO_RCVBUF; set it before connect/listen: the window scale is chosen from it at the SYN.</summary>
    public int ReceiveBufferSize
    {
        get => receiveBufferSize;
        set { receiveBufferSize = Math.Clamp(value, stack.Options.TcpMinBuffer, stack.Options.TcpMaxBuffer); }
    }
    public bool NoDelay
    {
        get => noDelay;
        set { noDelay = value; if (connection != null) connection.NoDelay = value; }
    }
    public bool KeepAlive
    {
        get => keepAlive;
        set { keepAlive = value; connection?.SetKeepAlive(value); }
    }

    // ------------------------------------------------------------------ state

    public TcpState State => listener != null ? TcpState.Listen : connection?.State ?? TcpState.Closed;
    public ushort LocalPort => connection?.LocalPort ?? boundPort;
    /// <summary>getsockname's address: the connection's local address, else the bound one (or Any).</summary>
    public Ipv4Address LocalAddress => connection?.LocalAddress ?? boundAddress;
    public Ipv4Address RemoteAddress => connection?.RemoteAddress ?? Ipv4Address.Any;
    public ushort RemotePort => connection?.RemotePort ?? 0;
    public bool IsListening => listener != null;
    /// <summary>FIONREAD: bytes ready to be read.</summary>
    public int BytesAvailable => connection?.Readable ?? 0;
    /// <summary>SIOCOUTQ: bytes queued for sending, sent or not.</summary>
    public int BytesQueued => connection?.SendQueued ?? 0;
    internal TcpConnection? Connection => connection;

    public Readiness Readiness
    {
        get
        {
            if (closed) return Readiness.HangUp;
            if (listener != null) return listener.AcceptQueue.Count > 0 ? Readiness.Readable : Readiness.None;
            var c = connection;
            if (c == null) return Readiness.None;
            var r = Readiness.None;
            if (c.PendingError != Errno.None) r |= Readiness.Error | Readiness.Readable;
            if (c.Readable > 0 || c.FinReceived || c.ReadShutdown) r |= Readiness.Readable;
            if (c.FinReceived) r |= Readiness.ReadHangUp;
            if (c.CanSend && c.SendBufferFree >= Math.Max(1, c.SendCapacity / 4)) r |= Readiness.Writable;
            if (c.State == TcpState.Closed || (c.FinReceived && c.WriteShutdown)) r |= Readiness.HangUp;
            if (c.State == TcpState.Closed && c.PendingError == Errno.None && c.Readable == 0) r |= Readiness.Readable;
            return r;
        }
    }

    internal void NotifyReadiness() => stack.NoteReadinessChanged(this);

    // ------------------------------------------------------------------ calls

    public Errno Bind(ushort port) => Bind(Ipv4Address.Any, port);

    /// <summary>bind(2) to INADDR_ANY or one of our addresses (else EADDRNOTAVAIL). A port is held
    /// whole: one socket per port, whatever its address (a simplification of Linux's per-address rule).</summary>
    public Errno Bind(Ipv4Address address, ushort port)
    {
        if (closed) return Errno.EINVAL;
        if (boundPort != 0 || connection != null) return Errno.EINVAL;
        if (address != Ipv4Address.Any && !stack.Ip.IsLocal(address)) return Errno.EADDRNOTAVAIL;
        var e = stack.Tcp.Bind(this, port, out var p);
        if (e == Errno.None) { boundPort = p; boundAddress = address; }
        return e;
    }

    public Errno Listen(int backlog)
    {
        if (closed || connection != null) return Errno.EINVAL;
        if (listener != null) { listener.Backlog = Math.Clamp(backlog, 1, stack.Options.TcpMaxBacklog); return Errno.None; }
        if (boundPort == 0) { var b = Bind(0); if (b != Errno.None) return b; }
        var e = stack.Tcp.Listen(this, boundAddress, boundPort, backlog, out listener);
        return e;
    }

    /// <summary>Starts an active open. Returns EINPROGRESS: Writable (or Error) readiness reports the outcome.</summary>
    public Errno Connect(Ipv4Address address, ushort port)
    {
        if (closed || listener != null) return Errno.EINVAL;
        if (connection != null)
            return connection.State == TcpState.SynSent ? Errno.EALREADY : Errno.EISCONN;
        if (port == 0 || address == Ipv4Address.Any || stack.Ip.IsBroadcastOrMulticast(address)) return Errno.EINVAL;
        if (boundPort == 0) { var b = Bind(0); if (b != Errno.None) return b; }
        var local = boundAddress != Ipv4Address.Any ? boundAddress : stack.Ip.SourceFor(address);
        var e = stack.Tcp.Connect(this, local, boundPort, address, port, out connection);
        if (e != Errno.None) return e;
        stack.Tcp.Unbind(this, boundPort);   // the connection now holds the port
        return Errno.EINPROGRESS;
    }

    /// <summary>accept(): an established connection, or null with EAGAIN.</summary>
    public TcpSocket? Accept(out Errno error)
    {
        error = Errno.None;
        if (listener == null) { error = Errno.EINVAL; return null; }
        var c = listener.TakeAccepted();
        if (c == null) { error = Errno.EAGAIN; return null; }
        return new TcpSocket(stack, c, this);
    }

    public int Send(ReadOnlySpan<byte> data)
    {
        if (connection == null) return -(int)Errno.ENOTCONN;
        return connection.Send(data);
    }

    public int Receive(Span<byte> buffer)
    {
        if (connection == null) return -(int)Errno.ENOTCONN;
        return connection.Receive(buffer);
    }

    /// <summary>recv(MSG_PEEK): like Receive, but the bytes stay queued (and a pending error stays pending).</summary>
    public int Peek(Span<byte> buffer)
    {
        if (connection == null) return -(int)Errno.ENOTCONN;
        return connection.Receive(buffer, peek: true);
    }

    public Errno Shutdown(ShutdownHow how)
    {
        if (connection == null || connection.State == TcpState.Closed) return Errno.ENOTCONN;
        if (how is ShutdownHow.Read or ShutdownHow.Both) connection.ShutdownRead();
        if (how is ShutdownHow.Write or ShutdownHow.Both) connection.ShutdownWrite();
        NotifyReadiness();
        return Errno.None;
    }

    /// <summary>SO_ERROR: the pending error, cleared by reading it.</summary>
    public Errno TakeError()
    {
        return connection?.TakeError() ?? Errno.None;
    }

    /// <summary>close(): graceful; the connection finishes on its own (or is reset if unread data remains).</summary>
    public void Close()
    {
        if (closed) return;
        closed = true;
        if (listener != null) { stack.Tcp.CloseListener(listener); stack.Tcp.Unbind(this, boundPort); listener = null; }
        else if (boundPort != 0 && connection == null) stack.Tcp.Unbind(this, boundPort);
        connection?.Close();
        connection = null;
    }

    /// <summary>close() with SO_LINGER {on, 0}: reset the connection at once (RFC 9293 3.10.5).</summary>
    public void Abort()
    {
        if (closed) return;
        connection?.Abort();
        Close();
    }
}
