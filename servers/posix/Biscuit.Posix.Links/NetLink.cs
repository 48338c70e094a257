// posix's network is the net server's socket service: ISocketNetwork over SocketServiceClient. Every
// call is one non-blocking IPC call (blocking is posix's business). Readiness travels the other way:
// the net server signals a notification when some socket's readiness changed, and whoever waits on
// it (the posix program's event thread) calls DeliverEvents, which drains PollEvents and tells the
// sink. Invariants: one client per calling thread (its IPC buffer is the thread's); `levels` holds
// the last readiness the server reported for each open socket and is what Readiness answers.
using System.Collections.Concurrent;
using Biscuit.Net.Protocol;

namespace Biscuit.Posix.Links;

public sealed class NetLink(Func<SocketServiceClient> clientFactory) : ISocketNetwork
{
    private const int AF_INET = 2;
    private const uint EPOLLOUT = 0x004;

    private readonly ThreadLocal<SocketServiceClient> clients = new(clientFactory);   // one per calling thread
    private readonly ConcurrentDictionary<long, uint> levels = new();                 // socket id -> last reported mask
    private volatile ISocketReadinessSink? sink;                                      // set once by Attach

    private SocketServiceClient Net => clients.Value!;

    public void Attach(ISocketReadinessSink readinessSink) => sink = readinessSink;

    /// <summary>Drains the server's readiness changes into the cache and the sink: the number of events.</summary>
    public int DeliverEvents()
    {
        int delivered = 0;
        bool more = true;
        while (more)
        {
            var events = Net.PollEvents(SocketLimits.MaxEventsPerBatch, out more);
            if (events.Length == 0 && Net.LastFailure != null) break;   // the server did not answer: try again at the next signal
            foreach (var e in events)
            {
                uint mask = (uint)e.Events;
                if (!levels.ContainsKey(e.Id)) continue;                // closed here meanwhile: nobody to tell
                levels[e.Id] = mask;
                sink?.ReadinessChanged(e.Id, mask);
                delivered++;
            }
        }
        return delivered;
    }

    public long Create(int type, int protocol)
    {
        long id = Net.Socket(AF_INET, type, protocol);
        if (id >= 0) levels[id] = 0;
        return id;
    }

    public long Bind(long socket, Ipv4Endpoint local) => Net.Bind(socket, local.Address, local.Port);
    public long Listen(long socket, int backlog) => Net.Listen(socket, backlog);

    public long Accept(long socket, out Ipv4Endpoint peer)
    {
        long id = Net.Accept(socket, out uint address, out int port);
        peer = id >= 0 ? new Ipv4Endpoint(address, (ushort)port) : default;
        if (id >= 0) levels.TryAdd(id, EPOLLOUT);   // an accepted connection is writable; the server reports changes after
        return id;
    }

    public long Connect(long socket, Ipv4Endpoint remote) => Net.Connect(socket, remote.Address, remote.Port);

    public long Send(long socket, ReadOnlySpan<byte> data, Ipv4Endpoint? to) =>
        to is { } t ? Net.Send(socket, data, t.Address, t.Port) : Net.Send(socket, data);

    public long Receive(long socket, Span<byte> into, bool peek, out Ipv4Endpoint from)
    {
        from = default;
        if (peek) return -Errno.EOPNOTSUPP;          // MSG_PEEK: the socket service has no peek (README)
        long n = Net.Receive(socket, into, out uint address, out int port);
        if (n >= 0) from = new Ipv4Endpoint(address, (ushort)port);
        return n;
    }

    public long Shutdown(long socket, int how) => Net.Shutdown(socket, how);

    public long Close(long socket)
    {
        levels.TryRemove(socket, out _);
        return Net.Close(socket);
    }

    public long SetOption(long socket, int level, int name, ReadOnlySpan<byte> value)
    {
        if (value.Length < 4) return -Errno.EINVAL;
        long v = value.Length >= 8 && IsLinger(level, name)
            ? BitConverter.ToInt32(value) != 0 ? Math.Max(0, BitConverter.ToInt32(value[4..])) : -1   // struct linger: -1 = off
            : BitConverter.ToInt32(value);
        return Net.SetOption(socket, level, name, v);
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

    public uint Readiness(long socket) => levels.TryGetValue(socket, out uint mask) ? mask : 0;

    private static bool IsLinger(int level, int name) => level == 1 && name == 13;   // SOL_SOCKET, SO_LINGER
}
