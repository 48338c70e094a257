// ISocketNetwork over the net server (servers/net/Biscuit.Net.Protocol's SocketServiceClient). Readiness
// changes come from net as a notification bit; a thread waits on it, fetches the changed sockets
// (PollEvents) and pushes them to posix's SocketTable. The last pushed mask of each socket is kept,
// so that epoll's level checks do not cost an IPC call each; a call that answers -EAGAIN clears the
// bit it found missing (In for receive/accept, Out for send) until net pushes again.
// Invariant: `known` holds only sockets posix has not closed, under `gate`.
using Biscuit.Lib.Kernel;
using Biscuit.Net.Protocol;
using Biscuit.Posix;

namespace Biscuit.Posix.Server;

public sealed class NetServerNetwork(SocketServiceClient net) : ISocketNetwork
{
    private const uint In = 0x001, Out = 0x004;
    private readonly object gate = new();
    private readonly Dictionary<long, uint> known = [];   // guarded by gate: last readiness of each socket
    private ISocketReadinessSink? sink;

    public void Attach(ISocketReadinessSink sink) => this.sink = sink;

    /// <summary>Subscribes to net's readiness notification and starts the thread that pushes changes.</summary>
    public long StartEvents()
    {
        var created = Notification.Create();
        if (!created.IsOk) return -(long)created.Error;
        var notification = created.Value;
        var forNet = notification.Duplicate(Rights.Signal | Rights.Transfer);
        if (!forNet.IsOk) return -(long)forNet.Error;
        long r = net.Subscribe(forNet.Value.Handle);
        if (r < 0) return r;
        new Thread(() =>
        {
            while (true)
            {
                if (!notification.Wait(Syscalls.Forever).IsOk) continue;
                bool more;
                do
                {
                    foreach (var e in net.PollEvents(256, out more)) Push(e.Id, (uint)e.Events);
                } while (more);
            }
        }) { IsBackground = true, Name = "net readiness" }.Start();
        return 0;
    }

    private void Push(long socket, uint mask)
    {
        lock (gate)
        {
            if (!known.ContainsKey(socket)) return;
            known[socket] = mask;
        }
        sink?.ReadinessChanged(socket, mask);
    }

    private long Track(long id)
    {
        if (id >= 0) lock (gate) known[id] = (uint)Math.Max(0, net.Readiness(id));
        return id;
    }

    private long Missing(long socket, long result, uint bit)
    {
        if (result == -Errno.EAGAIN) lock (gate) if (known.TryGetValue(socket, out uint m)) known[socket] = m & ~bit;
        return result;
    }

    public long Create(int type, int protocol) => Track(net.Socket(Sock.AF_INET, type, protocol));
    public long Bind(long socket, Ipv4Endpoint local) => net.Bind(socket, local.Address, local.Port);
    public long Listen(long socket, int backlog) => net.Listen(socket, backlog);

    public long Accept(long socket, out Ipv4Endpoint peer)
    {
        long id = net.Accept(socket, out uint address, out int port);
        peer = new Ipv4Endpoint(address, (ushort)port);
        Missing(socket, id, In);
        return Track(id);
    }

    public long Connect(long socket, Ipv4Endpoint remote) => net.Connect(socket, remote.Address, remote.Port);

    public long Send(long socket, ReadOnlySpan<byte> data, Ipv4Endpoint? to) =>
        Missing(socket, net.Send(socket, data, to?.Address ?? 0, to?.Port ?? 0), Out);

    public long Receive(long socket, Span<byte> into, bool peek, out Ipv4Endpoint from)
    {
        long n = net.Receive(socket, into, out uint address, out int port, peek ? Sock.MSG_PEEK : 0);
        from = new Ipv4Endpoint(address, (ushort)port);
        return Missing(socket, n, In);
    }

    public long Shutdown(long socket, int how) => net.Shutdown(socket, how);

    public long Close(long socket)
    {
        lock (gate) known.Remove(socket);
        return net.Close(socket);
    }

    /// <summary>Options are integers on the net side: 4 or 8 bytes here (EINVAL otherwise).</summary>
    public long SetOption(long socket, int level, int name, ReadOnlySpan<byte> value)
    {
        long v = value.Length switch
        {
            4 => BitConverter.ToInt32(value),
            8 => BitConverter.ToInt64(value),
            _ => long.MinValue,
        };
        return v == long.MinValue ? -Errno.EINVAL : net.SetOption(socket, level, name, v);
    }

    public long GetOption(long socket, int level, int name, Span<byte> value)
    {
        long r = net.GetOption(socket, level, name, out long v);
        if (r < 0) return r;
        if (value.Length < 4) return -Errno.EINVAL;
        BitConverter.TryWriteBytes(value, (int)v);
        return 4;
    }

    public long LocalAddress(long socket, out Ipv4Endpoint local)
    {
        long r = net.GetName(socket, out uint address, out int port);
        local = new Ipv4Endpoint(address, (ushort)port);
        return r;
    }

    public long PeerAddress(long socket, out Ipv4Endpoint peer)
    {
        long r = net.GetPeer(socket, out uint address, out int port);
        peer = new Ipv4Endpoint(address, (ushort)port);
        return r;
    }

    public uint Readiness(long socket)
    {
        lock (gate) if (known.TryGetValue(socket, out uint m)) return m;
        long r = net.Readiness(socket);
        return r < 0 ? 0x008u : (uint)r;
    }
}
