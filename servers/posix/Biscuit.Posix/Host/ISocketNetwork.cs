// posix's view of the net server: non-blocking IPv4 sockets named by a socket id, and readiness
// changes pushed to posix as (socket id, EPOLL mask). Blocking is posix's business: every call here
// answers at once, -EAGAIN when it would wait. Errors are negative Linux errnos.
// The net client library implements this over IPC; tests use an in-memory loopback fake.
namespace Biscuit.Posix;

/// <summary>An IPv4 address and port in host byte order (sockaddr_in holds them in network order).</summary>
public readonly record struct Ipv4Endpoint(uint Address, ushort Port)
{
    public override string ToString() => $"{Address >> 24}.{(Address >> 16) & 255}.{(Address >> 8) & 255}.{Address & 255}:{Port}";
}

/// <summary>Told of every change of a socket's readiness (EPOLLIN/OUT/ERR/HUP/RDHUP bits), from any thread.</summary>
public interface ISocketReadinessSink { void ReadinessChanged(long socket, uint epollMask); }

/// <summary>Writes at most `into.Length` bytes into `into`: the count written, or -errno.</summary>
public delegate long SpanFiller(Span<byte> into);

public interface ISocketNetwork
{
    /// <summary>Registers the one receiver of readiness changes (posix's socket table).</summary>
    void Attach(ISocketReadinessSink sink);

    /// <summary>A new socket (SOCK_STREAM or SOCK_DGRAM of AF_INET): its id, or -errno.</summary>
    long Create(int type, int protocol);
    long Bind(long socket, Ipv4Endpoint local);
    long Listen(long socket, int backlog);
    /// <summary>A connection waiting on a listener: its new socket id and peer, or -EAGAIN.</summary>
    long Accept(long socket, out Ipv4Endpoint peer);
    /// <summary>0 when connected, -EINPROGRESS while the handshake runs, or -errno.</summary>
    long Connect(long socket, Ipv4Endpoint remote);
    long Send(long socket, ReadOnlySpan<byte> data, Ipv4Endpoint? to);
    /// <summary>send(2) of at most `count` bytes that `fill` writes into a buffer it is handed — on
    /// Biscuit a slot of net's data window, so sendfile's file bytes reach net in one copy: the bytes
    /// sent, or -errno (fill's error, or 0 when fill wrote nothing). Here: a pooled buffer and Send.</summary>
    long SendFilled(long socket, int count, SpanFiller fill)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Min(count, 64 * 1024));
        try
        {
            long filled = fill(buffer.AsSpan(0, Math.Min(count, buffer.Length)));
            return filled <= 0 ? filled : Send(socket, buffer.AsSpan(0, (int)filled), null);
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(buffer); }
    }
    /// <summary>Bytes received (0 at the peer's end of stream), or -EAGAIN.</summary>
    long Receive(long socket, Span<byte> into, bool peek, out Ipv4Endpoint from);
    long Shutdown(long socket, int how);
    long Close(long socket);
    long SetOption(long socket, int level, int name, ReadOnlySpan<byte> value);
    /// <summary>The option's bytes written to `value`: their count, or -errno.</summary>
    long GetOption(long socket, int level, int name, Span<byte> value);
    long LocalAddress(long socket, out Ipv4Endpoint local);
    long PeerAddress(long socket, out Ipv4Endpoint peer);
    /// <summary>The socket's EPOLL readiness mask now.</summary>
    uint Readiness(long socket);
}
