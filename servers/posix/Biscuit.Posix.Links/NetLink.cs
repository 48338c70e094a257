// posix's network is the net server's socket service: ISocketNetwork over SocketServiceClient. Every
// call is one non-blocking IPC call (blocking is posix's business). Readiness travels the other way:
// the net server signals a notification when some socket's readiness changed, and whoever waits on
// it (the posix program's readiness thread) calls DeliverEvents, which drains PollEvents into the
// cache and tells the sink.
// Invariants:
//  * one SocketServiceClient per calling thread (a client's buffers and IPC buffer are its thread's);
//  * `sockets` holds exactly the sockets posix has open, each with the last readiness net reported
//    (asked with the Readiness request when the socket appears) and a change counter, under `gate`;
//  * a call that answers -EAGAIN clears the readiness bit it found missing (In for receive/accept,
//    Out for send), and a receive that took data sets the readiness net reported with it — unless
//    net reported a change while the call was in flight, which is newer news than the call's answer:
//    so epoll's level checks cost no IPC and never lose a wake-up.
// Socket data: a send or receive larger than one message moves through net's data window
// (NetDataWindow), a slot (64 KiB) a call; a small one, or one that finds no free slot or no window,
// through messages. sendfile's SendFilled lets the file's bytes land in the slot directly. A window
// that died with net (ESTALE, or its pages gone) is mapped again from the new instance and the piece
// sent again; the calls that net's death failed answer EIO or EBADF, which RestartableNetwork handles.
using Biscuit.Net.Protocol;

namespace Biscuit.Posix.Links;

public sealed class NetLink(Func<SocketServiceClient> clientFactory, IDataWindowView? windowView = null) : ISocketNetwork
{
    private const int AF_INET = 2, MSG_PEEK = 0x2;
    private const int WindowAttempts = 3;   // ESTALE or vanished pages (map again), and once more
    private const uint EPOLLIN = 0x001, EPOLLOUT = 0x004, EPOLLERR = 0x008;

    private sealed class Known { public uint Mask; public ulong Changes; }

    private readonly ThreadLocal<SocketServiceClient> clients = new(clientFactory);   // one per calling thread
    private readonly object gate = new();
    private readonly Dictionary<long, Known> sockets = [];                             // guarded by gate
    private volatile ISocketReadinessSink? sink;                                       // set once by Attach
    private readonly NetDataWindow? window = windowView == null ? null : new NetDataWindow(windowView);

    /// <summary>The socket data window (null without a view: messages only).</summary>
    public NetDataWindow? Window => window;

    private SocketServiceClient Net => clients.Value!;

    public void Attach(ISocketReadinessSink readinessSink) => sink = readinessSink;

    /// <summary>Hands net the notification to signal on readiness changes (Transfer and Signal rights).</summary>
    public long Subscribe(Biscuit.Lib.Kernel.Handle notification) => Net.Subscribe(notification);

    /// <summary>Asks net to drop every socket it holds for this endpoint's client and its readiness
    /// subscription (a new posix starts without sockets): the number dropped, or -errno.</summary>
    public long ResetClient() => Net.ResetClient();

    /// <summary>The net server instance's number (it changes when net restarts), or -errno.</summary>
    public long Instance() => Net.Instance();

    /// <summary>Drains net's readiness changes into the cache and the sink; the number delivered. Call
    /// it after every signal of the subscribed notification (net signals only when its queue of
    /// changes goes from empty to non-empty, so it must be drained).</summary>
    public int DeliverEvents()
    {
        int delivered = 0;
        bool more = true;
        while (more)
        {
            var events = Net.PollEvents(SocketLimits.MaxEventsPerBatch, out more);
            if (events.Length == 0 && Net.LastFailure != null) break;   // net did not answer: the next signal retries
            foreach (var e in events)
            {
                uint mask = (uint)e.Events;
                lock (gate)
                {
                    if (!sockets.TryGetValue(e.Id, out var known)) continue;   // closed here meanwhile
                    known.Mask = mask;
                    known.Changes++;
                }
                sink?.ReadinessChanged(e.Id, mask);
                delivered++;
            }
        }
        return delivered;
    }

    private long Track(long id)
    {
        if (id < 0) return id;
        long level = Net.Readiness(id);
        lock (gate) sockets[id] = new Known { Mask = level < 0 ? EPOLLERR : (uint)level };
        return id;
    }

    private ulong ChangesOf(long socket)
    {
        lock (gate) return sockets.TryGetValue(socket, out var k) ? k.Changes : 0;
    }

    private long Missing(long socket, ulong changesBefore, long result, uint bit)
    {
        if (result != -Errno.EAGAIN) return result;
        lock (gate)
            if (sockets.TryGetValue(socket, out var k) && k.Changes == changesBefore) k.Mask &= ~bit;
        return result;
    }

    public long Create(int type, int protocol) => Track(Net.Socket(AF_INET, type, protocol));
    public long Bind(long socket, Ipv4Endpoint local) => Net.Bind(socket, local.Address, local.Port);
    public long Listen(long socket, int backlog) => Net.Listen(socket, backlog);

    public long Accept(long socket, out Ipv4Endpoint peer)
    {
        ulong before = ChangesOf(socket);
        long id = Net.Accept(socket, out uint address, out int port);
        peer = id >= 0 ? new Ipv4Endpoint(address, (ushort)port) : default;
        Missing(socket, before, id, EPOLLIN);
        return Track(id);
    }

    public long Connect(long socket, Ipv4Endpoint remote) => Net.Connect(socket, remote.Address, remote.Port);

    public long Send(long socket, ReadOnlySpan<byte> data, Ipv4Endpoint? to)
    {
        ulong before = ChangesOf(socket);
        long n = window != null && data.Length > SocketLimits.MaxTransferBytes ? SendThroughWindow(socket, data, to) : SendByMessage(socket, data, to);
        return Missing(socket, before, n, EPOLLOUT);
    }

    public long SendFilled(long socket, int count, SpanFiller fill)
    {
        ulong before = ChangesOf(socket);
        long n = -Errno.EIO;
        bool done = false;
        if (window != null && window.TryTakeSlot(out int slot))
        {
            try { done = FilledPiece(socket, slot, count, fill, out n); }
            finally { window.GiveSlot(slot); }
        }
        if (!done) n = SendFilledByMessage(socket, count, fill);
        return Missing(socket, before, n, EPOLLOUT);
    }

    public long Receive(long socket, Span<byte> into, bool peek, out Ipv4Endpoint from)
    {
        ulong before = ChangesOf(socket);
        long n, readinessAfter;
        uint address;
        int port;
        if (window != null && into.Length > SocketLimits.MaxTransferBytes)
            n = ReceiveThroughWindow(socket, into, peek, out address, out port, out readinessAfter);
        else
            n = Net.Receive(socket, into, out address, out port, out readinessAfter, peek ? MSG_PEEK : 0);
        from = n >= 0 ? new Ipv4Endpoint(address, (ushort)port) : default;
        if (n >= 0) Refresh(socket, before, readinessAfter);
        return Missing(socket, before, n, EPOLLIN);
    }

    private long SendByMessage(long socket, ReadOnlySpan<byte> data, Ipv4Endpoint? to) =>
        to is { } t ? Net.Send(socket, data, t.Address, t.Port) : Net.Send(socket, data);

    // A send of a pooled buffer that `fill` wrote (no window, or no slot free): at most one message.
    private long SendFilledByMessage(long socket, int count, SpanFiller fill)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(SocketLimits.MaxTransferBytes);
        try
        {
            long filled = fill(buffer.AsSpan(0, Math.Min(count, SocketLimits.MaxTransferBytes)));
            return filled <= 0 ? filled : Net.Send(socket, buffer.AsSpan(0, (int)filled));
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(buffer); }
    }

    // The data a slot at a time; a short send ends the call (the rest did not fit).
    private long SendThroughWindow(long socket, ReadOnlySpan<byte> data, Ipv4Endpoint? to)
    {
        if (!window!.TryTakeSlot(out int slot)) return SendByMessage(socket, data, to);
        try
        {
            long done = 0;
            while (done < data.Length)
            {
                int piece = Math.Min(data.Length - (int)done, SocketWindowLimits.SlotBytes);
                long r = SendPiece(socket, slot, data.Slice((int)done, piece), to);
                if (r < 0) return done > 0 ? done : r;
                done += r;
                if (r < piece) break;
            }
            return done;
        }
        finally { window.GiveSlot(slot); }
    }

    private long SendPiece(long socket, int slot, ReadOnlySpan<byte> piece, Ipv4Endpoint? to)
    {
        for (int attempt = 0; attempt < WindowAttempts; attempt++)
        {
            if (!window!.Current(Net, out var layout, out long seen) || slot >= layout.Slots || piece.Length > layout.SlotBytes)
                return SendByMessage(socket, piece, to);
            if (!window.CopyIn(seen, layout, slot, piece)) { window.Lost(seen); continue; }
            long r = Net.SendFromWindow(layout.WindowId, socket, slot, 0, piece.Length, to?.Address ?? 0, to?.Port ?? 0);
            if (r == -LinuxErrno.ESTALE) { window.Lost(seen); continue; }
            return r > piece.Length ? -Errno.EIO : r;
        }
        return -Errno.EIO;
    }

    // sendfile's piece: `fill` writes into the slot, net sends from it. False: no window (use messages).
    private bool FilledPiece(long socket, int slot, int count, SpanFiller fill, out long result)
    {
        result = -Errno.EIO;
        for (int attempt = 0; attempt < WindowAttempts; attempt++)
        {
            if (!window!.Current(Net, out var layout, out long seen) || slot >= layout.Slots) return false;
            int length = Math.Min(count, layout.SlotBytes);
            long? filled = window.Fill(seen, layout, slot, length, fill);
            if (filled is not { } n) { window.Lost(seen); continue; }
            if (n <= 0) { result = n; return true; }   // end of the input, or its error
            if (n > length) { result = -Errno.EIO; return true; }
            long r = Net.SendFromWindow(layout.WindowId, socket, slot, 0, (int)n);
            if (r == -LinuxErrno.ESTALE) { window.Lost(seen); continue; }
            result = r > n ? -Errno.EIO : r;
            return true;
        }
        return true;
    }

    // A receive of at most a slot at a time, going on while the socket has more and the caller room.
    private long ReceiveThroughWindow(long socket, Span<byte> into, bool peek, out uint address, out int port, out long readinessAfter)
    {
        address = 0; port = 0; readinessAfter = -1;
        if (!window!.TryTakeSlot(out int slot))
            return Net.Receive(socket, into, out address, out port, out readinessAfter, peek ? MSG_PEEK : 0);
        try
        {
            long done = 0;
            while (done < into.Length)
            {
                var piece = into[(int)done..];
                long r = ReceivePiece(socket, slot, piece, peek, out address, out port, out readinessAfter);
                if (r < 0) return done > 0 ? done : r;
                done += r;
                if (r == 0 || peek || r < Math.Min(piece.Length, SocketWindowLimits.SlotBytes) || readinessAfter < 0 || (readinessAfter & EPOLLIN) == 0) break;
            }
            return done;
        }
        finally { window.GiveSlot(slot); }
    }

    private long ReceivePiece(long socket, int slot, Span<byte> into, bool peek, out uint address, out int port, out long readinessAfter)
    {
        for (int attempt = 0; attempt < WindowAttempts; attempt++)
        {
            if (!window!.Current(Net, out var layout, out long seen) || slot >= layout.Slots)
                return Net.Receive(socket, into, out address, out port, out readinessAfter, peek ? MSG_PEEK : 0);
            int max = Math.Min(into.Length, layout.SlotBytes);
            var r = Net.ReceiveToWindow(layout.WindowId, socket, slot, 0, max, peek ? MSG_PEEK : 0);
            (address, port, readinessAfter) = ((uint)r.Address, (int)r.Port, r.ReadinessAfter);
            if (r.Result == -LinuxErrno.ESTALE) { window.Lost(seen); continue; }
            if (r.Result <= 0) return r.Result;
            if (r.Result > max) return -Errno.EIO;
            if (window.CopyOut(seen, layout, slot, into[..(int)r.Result])) return r.Result;
            window.Lost(seen);
            return -Errno.EIO;   // the bytes were taken from the socket into pages that vanished: net died with them
        }
        address = 0; port = 0; readinessAfter = -1;
        return -Errno.EIO;
    }

    /// <summary>A receive that took data reports the readiness it left (a read that empties the socket
    /// clears EPOLLIN, which no push from net may say before epoll_wait looks); a change net pushed
    /// while the call was in flight is newer news and wins, as for EAGAIN.</summary>
    private void Refresh(long socket, ulong changesBefore, long readinessAfter)
    {
        if (readinessAfter < 0) return;
        lock (gate)
            if (sockets.TryGetValue(socket, out var k) && k.Changes == changesBefore) k.Mask = (uint)readinessAfter;
    }

    public long Shutdown(long socket, int how) => Net.Shutdown(socket, how);

    public long Close(long socket)
    {
        lock (gate) sockets.Remove(socket);
        return Net.Close(socket);
    }

    /// <summary>Options travel to net as one integer: an int (4 bytes), or struct linger
    /// {l_onoff, l_linger} as the linger time in seconds, -1 when off.</summary>
    public long SetOption(long socket, int level, int name, ReadOnlySpan<byte> value)
    {
        if (IsLinger(level, name))
        {
            if (value.Length < 8) return -Errno.EINVAL;
            int on = BitConverter.ToInt32(value), seconds = BitConverter.ToInt32(value[4..]);
            return Net.SetOption(socket, level, name, on != 0 ? Math.Max(0, seconds) : -1);
        }
        if (value.Length < 4) return -Errno.EINVAL;
        return Net.SetOption(socket, level, name, BitConverter.ToInt32(value));
    }

    public long GetOption(long socket, int level, int name, Span<byte> value)
    {
        long r = Net.GetOption(socket, level, name, out long v);
        if (r < 0) return r;
        if (IsLinger(level, name))
        {
            if (value.Length < 8) return -Errno.EINVAL;
            BitConverter.TryWriteBytes(value, v >= 0 ? 1 : 0);
            BitConverter.TryWriteBytes(value[4..], (int)Math.Max(0, v));
            return 8;
        }
        if (value.Length < 4) return -Errno.EINVAL;
        BitConverter.TryWriteBytes(value, (int)v);
        return 4;
    }

    public long LocalAddress(long socket, out Ipv4Endpoint local)
    {
        long r = Net.GetName(socket, out uint address, out int port);
        local = new Ipv4Endpoint(address, (ushort)port);
        return r;
    }

    public long PeerAddress(long socket, out Ipv4Endpoint peer)
    {
        long r = Net.GetPeer(socket, out uint address, out int port);
        peer = new Ipv4Endpoint(address, (ushort)port);
        return r;
    }

    public uint Readiness(long socket)
    {
        lock (gate) if (sockets.TryGetValue(socket, out var k)) return k.Mask;
        long r = Net.Readiness(socket);
        return r < 0 ? EPOLLERR : (uint)r;
    }

    private static bool IsLinger(int level, int name) => level == 1 && name == 13;   // SOL_SOCKET, SO_LINGER
}
