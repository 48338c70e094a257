// ISocketNetwork in memory: TCP-like stream sockets over loopback. connect finds the listener by
// port and completes at once (or ECONNREFUSED); each direction holds at most ReceiveCapacity bytes,
// so a sender sees short writes and EAGAIN when the peer does not read. Every change pushes the
// affected sockets' readiness to the attached sink, as the net client does.
namespace Biscuit.Posix.Tests;

public sealed class LoopbackNetwork(long firstId = 100) : ISocketNetwork
{
    private sealed class Socket
    {
        public long Id;
        public int Type;
        public Ipv4Endpoint? Local, Peer;
        public bool Listening, ReadShut, WriteShut, Closed;
        public Socket? Remote;
        public readonly Queue<byte> Received = new();
        public readonly Queue<long> Pending = new();
        public readonly Dictionary<(int, int), byte[]> Options = [];
    }

    private readonly object gate = new();
    private readonly Dictionary<long, Socket> sockets = [];
    private long nextId = firstId;
    private ushort nextPort = 40000;
    private ISocketReadinessSink? sink;
    public int ReceiveCapacity = 64 * 1024;
    public int OpenSockets { get { lock (gate) return sockets.Count; } }

    public void Attach(ISocketReadinessSink sink) => this.sink = sink;

    public long Create(int type, int protocol)
    {
        if (protocol is not (0 or 6 or 17)) return -Errno.EPROTONOSUPPORT;
        lock (gate)
        {
            var s = new Socket { Id = ++nextId, Type = type };
            sockets[s.Id] = s;
            return s.Id;
        }
    }

    private Socket? Find(long id) => sockets.TryGetValue(id, out var s) ? s : null;

    public long Bind(long socket, Ipv4Endpoint local)
    {
        lock (gate)
        {
            var s = Find(socket);
            if (s is null) return -Errno.EBADF;
            if (s.Local is not null) return -Errno.EINVAL;
            if (local.Port != 0 && sockets.Values.Any(o => o.Local?.Port == local.Port && o.Listening)) return -Errno.EADDRINUSE;
            s.Local = local with { Port = local.Port == 0 ? nextPort++ : local.Port };
            return 0;
        }
    }

    public long Listen(long socket, int backlog)
    {
        lock (gate)
        {
            var s = Find(socket);
            if (s is null) return -Errno.EBADF;
            if (s.Type != 1) return -Errno.EOPNOTSUPP;
            s.Local ??= new Ipv4Endpoint(0, nextPort++);
            s.Listening = true;
            return 0;
        }
    }

    public long Accept(long socket, out Ipv4Endpoint peer)
    {
        peer = default;
        long id;
        lock (gate)
        {
            var s = Find(socket);
            if (s is null) return -Errno.EBADF;
            if (!s.Listening) return -Errno.EINVAL;
            if (s.Pending.Count == 0) return -Errno.EAGAIN;
            id = s.Pending.Dequeue();
            peer = sockets[id].Peer!.Value;
        }
        Push(socket);
        return id;
    }

    public long Connect(long socket, Ipv4Endpoint remote)
    {
        long listenerId;
        lock (gate)
        {
            var s = Find(socket);
            if (s is null) return -Errno.EBADF;
            if (s.Remote is not null) return -Errno.EISCONN;
            var listener = sockets.Values.FirstOrDefault(o => o.Listening && o.Local?.Port == remote.Port);
            if (listener is null) return -Errno.ECONNREFUSED;
            s.Local ??= new Ipv4Endpoint(0x7f000001, nextPort++);
            var server = new Socket { Id = ++nextId, Type = 1, Local = remote, Peer = s.Local, Remote = s };
            sockets[server.Id] = server;
            s.Remote = server;
            s.Peer = remote;
            listener.Pending.Enqueue(server.Id);
            listenerId = listener.Id;
        }
        Push(listenerId);
        Push(socket);
        return 0;
    }

    /// <summary>SendFilled calls (sendfile to a socket), and the bytes their fillers wrote.</summary>
    public int FilledSends;
    public long FilledBytes;

    /// <summary>As net's window slot: `fill` writes into a buffer of at most 64 KiB, which is then sent.</summary>
    public long SendFilled(long socket, int count, SpanFiller fill)
    {
        var slot = new byte[Math.Min(count, 64 * 1024)];
        long filled = fill(slot);
        Interlocked.Increment(ref FilledSends);
        if (filled <= 0) return filled;
        Interlocked.Add(ref FilledBytes, filled);
        return Send(socket, slot.AsSpan(0, (int)filled), null);
    }

    public long Send(long socket, ReadOnlySpan<byte> data, Ipv4Endpoint? to)
    {
        long remoteId;
        int n;
        lock (gate)
        {
            var s = Find(socket);
            if (s is null) return -Errno.EBADF;
            if (s.Remote is null) return -Errno.ENOTCONN;
            if (s.WriteShut || s.Remote.Closed || s.Remote.ReadShut) return -Errno.EPIPE;
            int room = ReceiveCapacity - s.Remote.Received.Count;
            if (room == 0) return -Errno.EAGAIN;
            n = Math.Min(room, data.Length);
            for (int i = 0; i < n; i++) s.Remote.Received.Enqueue(data[i]);
            remoteId = s.Remote.Id;
            if (n == 0) return 0;
        }
        Push(remoteId);
        Push(socket);
        return n;
    }

    public long Receive(long socket, Span<byte> into, bool peek, out Ipv4Endpoint from)
    {
        from = default;
        long remoteId = 0;
        int n;
        lock (gate)
        {
            var s = Find(socket);
            if (s is null) return -Errno.EBADF;
            if (s.Remote is null) return -Errno.ENOTCONN;
            from = s.Peer!.Value;
            if (s.Received.Count == 0)
                return s.Remote.Closed || s.Remote.WriteShut || s.ReadShut ? 0 : -Errno.EAGAIN;
            n = Math.Min(into.Length, s.Received.Count);
            var bytes = peek ? s.Received.Take(n).ToArray() : Enumerable.Range(0, n).Select(_ => s.Received.Dequeue()).ToArray();
            bytes.CopyTo(into);
            remoteId = s.Remote.Id;
        }
        if (!peek) { Push(remoteId); Push(socket); }
        return n;
    }

    public long Shutdown(long socket, int how)
    {
        long remoteId = 0;
        lock (gate)
        {
            var s = Find(socket);
            if (s is null) return -Errno.EBADF;
            if (s.Remote is null) return -Errno.ENOTCONN;
            if (how != 1) s.ReadShut = true;
            if (how != 0) s.WriteShut = true;
            remoteId = s.Remote.Id;
        }
        Push(remoteId);
        Push(socket);
        return 0;
    }

    public long Close(long socket)
    {
        long remoteId = 0;
        lock (gate)
        {
            var s = Find(socket);
            if (s is null) return -Errno.EBADF;
            s.Closed = true;
            sockets.Remove(socket);
            if (s.Remote is not null) remoteId = s.Remote.Id;
        }
        if (remoteId != 0) Push(remoteId);
        return 0;
    }

    public long SetOption(long socket, int level, int name, ReadOnlySpan<byte> value)
    {
        lock (gate)
        {
            var s = Find(socket);
            if (s is null) return -Errno.EBADF;
            if (level is not (Sock.SOL_SOCKET or Sock.IPPROTO_TCP)) return -Errno.ENOPROTOOPT;
            if (value.Length < 4) return -Errno.EINVAL;
            s.Options[(level, name)] = value.ToArray();
            return 0;
        }
    }

    public long GetOption(long socket, int level, int name, Span<byte> value)
    {
        lock (gate)
        {
            var s = Find(socket);
            if (s is null) return -Errno.EBADF;
            if (level is not (Sock.SOL_SOCKET or Sock.IPPROTO_TCP)) return -Errno.ENOPROTOOPT;
            var stored = s.Options.GetValueOrDefault((level, name)) ?? new byte[4];
            int n = Math.Min(stored.Length, value.Length);
            stored.AsSpan(0, n).CopyTo(value);
            return n;
        }
    }

    public long LocalAddress(long socket, out Ipv4Endpoint local)
    {
        lock (gate)
        {
            var s = Find(socket);
            local = s?.Local ?? default;
            return s is null ? -Errno.EBADF : 0;
        }
    }

    public long PeerAddress(long socket, out Ipv4Endpoint peer)
    {
        lock (gate)
        {
            var s = Find(socket);
            peer = s?.Peer ?? default;
            return s is null ? -Errno.EBADF : s.Peer is null ? -Errno.ENOTCONN : 0;
        }
    }

    public uint Readiness(long socket)
    {
        lock (gate)
        {
            var s = Find(socket);
            if (s is null) return 0x10;
            uint mask = 0;
            if (s.Listening) return s.Pending.Count > 0 ? 1u : 0u;
            if (s.Received.Count > 0) mask |= 0x001;
            if (s.Remote is not null)
            {
                if (s.Remote.Closed || s.Remote.WriteShut) mask |= 0x001 | 0x2000;
                if (!s.Remote.Closed && ReceiveCapacity - s.Remote.Received.Count > 0 && !s.WriteShut) mask |= 0x004;
                if (s.Remote.Closed && s.WriteShut) mask |= 0x010;
            }
            return mask;
        }
    }

    private void Push(long socket)
    {
        uint mask = Readiness(socket);
        sink?.ReadinessChanged(socket, mask);
    }

    /// <summary>Test side: a client connection to `port` (its socket id), as a remote host would make.</summary>
    public long ConnectClient(ushort port)
    {
        long id = Create(1, 0);
        Assert.Equal(0, Connect(id, new Ipv4Endpoint(0x7f000001, port)));
        return id;
    }
}
