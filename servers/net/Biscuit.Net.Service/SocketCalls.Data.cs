// The socket calls that move data, set options and report readiness, with StackHost.Gate held by
// the caller. Options follow socket(7), tcp(7) and udp(7) as far as the stack supports them; any
// other (level, name) is ENOPROTOOPT.
using Biscuit.Annotations;
using Biscuit.Net.Protocol;
using static Biscuit.Net.Protocol.LinuxErrno;
using static Biscuit.Net.Protocol.SocketConstants;

namespace Biscuit.Net.Service;

public sealed partial class SocketCalls
{
    private readonly byte[] receiveScratch = new byte[SocketLimits.MaxTransferBytes];   // guarded by StackHost.Gate

    /// <summary>send(2)/sendto(2): the bytes the send buffer took (a prefix), -EAGAIN when it took
    /// none of a non-empty message, or -errno (EPIPE after shutdown, ECONNRESET, ENOTCONN...).
    /// A TCP socket ignores the destination, as Linux does for a connected stream.</summary>
    [AssumeAllocation(SocketBudgets.SendBytes)]
    public long Send(SendRequest request) => Send(request.Id, request.Data, request.Address, request.Port);

    /// <summary>Send of bytes wherever they are (the message, or a window slot: SendFromWindow).</summary>
    [AssumeAllocation(SocketBudgets.SendBytes)]
    public long Send(long id, ReadOnlySpan<byte> data, long address, long port)
    {
        var entry = Table.Find(id);
        if (entry == null) return -EBADF;
        if (!ValidPort(port) || !ValidAddress(address)) return -EINVAL;
        if (entry.Tcp is { } tcp)
        {
            int n = tcp.Send(data);
            return n == 0 && data.Length > 0 ? -EAGAIN : n;
        }
        var udp = entry.Udp!;
        return port == 0 ? udp.Send(data) : udp.SendTo(data, new Ipv4Address((uint)address), (ushort)port);
    }

    /// <summary>recv(2)/recvfrom(2) of at most Max (and MaxTransferBytes) bytes: empty at end of
    /// file, -EAGAIN when nothing is there yet. A UDP datagram longer than asked is truncated (and a
    /// receive of 0 bytes takes a whole datagram); a TCP receive of 0 bytes returns 0 at once.</summary>
    [AssumeAllocation(SocketBudgets.ReceiveBytes)]
    public ReceiveReply Receive(ReceiveRequest request)
    {
        if (request.Max < 0) return new ReceiveReply(Table.Find(request.Id) == null ? -EBADF : -EINVAL, [], 0, 0);
        var into = receiveScratch.AsSpan(0, (int)Math.Min(request.Max, SocketLimits.MaxTransferBytes));
        var r = Receive(request.Id, into, request.Flags);
        return r.Result <= 0 ? new ReceiveReply(r.Result, [], r.Address, r.Port, r.ReadinessAfter)
            : new ReceiveReply(r.Result, into[..(int)r.Result].ToArray(), r.Address, r.Port, r.ReadinessAfter);
    }

    /// <summary>recv(2)/recvfrom(2) into `into` (the scratch buffer, or a window slot: ReceiveToWindow).
    /// The readiness after is -1 when the socket is unknown or the call refused before receiving.</summary>
    [AssumeAllocation(SocketBudgets.ReceiveIntoBytes)]
    public WindowReceiveReply Receive(long id, Span<byte> into, long flags)
    {
        var entry = Table.Find(id);
        if (entry == null) return new WindowReceiveReply(-EBADF, 0, 0, -1);
        if ((flags & MSG_OOB) != 0) return new WindowReceiveReply(-EOPNOTSUPP, 0, 0, -1);   // no urgent data (README)
        bool peek = (flags & MSG_PEEK) != 0;
        if (into.Length == 0 && entry.Tcp != null) return new WindowReceiveReply(0, 0, 0, -1);   // as Linux's tcp_recvmsg: nothing asked, nothing waited for
        int n;
        uint from;
        int fromPort;
        if (entry.Tcp is { } tcp)
        {
            n = peek ? tcp.Peek(into) : tcp.Receive(into);
            from = tcp.RemoteAddress.Value;
            fromPort = tcp.RemotePort;
        }
        else
        {
            var udp = entry.Udp!;
            n = peek ? udp.PeekFrom(into, out var address, out ushort port) : udp.ReceiveFrom(into, out address, out port);
            from = address.Value;
            fromPort = port;
        }
        if (n < 0) return new WindowReceiveReply(n, 0, 0, entry.Readiness);
        return new WindowReceiveReply(n, from, fromPort, entry.Readiness);
    }

    /// <summary>The socket's readiness now, for a level-triggered look at one socket.</summary>
    [AssumeAllocation(0)]
    public long Readiness(SocketArgument request) => Table.Find(request.Id) is { } entry ? entry.Readiness : -EBADF;

    /// <summary>setsockopt(2).</summary>
    [AssumeAllocation(0)]
    public long SetOption(OptionRequest request)
    {
        var entry = Table.Find(request.Id);
        if (entry == null) return -EBADF;
        long value = request.Value;
        bool on = value != 0;
        var tcp = entry.Tcp;
        var udp = entry.Udp;
        switch (request.Level, request.Name)
        {
            case (SOL_SOCKET, SO_REUSEADDR):
                if (tcp != null) tcp.ReuseAddress = on; else entry.UdpReuseAddress = on;
                return 0;
            case (SOL_SOCKET, SO_RCVBUF):
                if (value < 0 || value > int.MaxValue) return -EINVAL;
                if (tcp != null) tcp.ReceiveBufferSize = (int)value;     // the stack clamps it to its bounds
                else udp!.ReceiveBufferSize = (int)Math.Clamp(value, Stack.Options.TcpMinBuffer, Stack.Options.TcpMaxBuffer);
                return 0;
            case (SOL_SOCKET, SO_SNDBUF) when tcp != null:
                if (value < 0 || value > int.MaxValue) return -EINVAL;
                tcp.SendBufferSize = (int)value;
                return 0;
            case (SOL_SOCKET, SO_KEEPALIVE) when tcp != null:
                tcp.KeepAlive = on;
                return 0;
            case (SOL_SOCKET, SO_LINGER) when tcp != null:
                if (value < LingerOff || value > int.MaxValue) return -EINVAL;
                entry.LingerSeconds = value;
                return 0;
            case (SocketConstants.IPPROTO_TCP, TCP_NODELAY) when tcp != null:
                tcp.NoDelay = on;
                return 0;
            default:
                return -ENOPROTOOPT;
        }
    }

    /// <summary>getsockopt(2). SO_ERROR takes (clears) the pending error. Buffer sizes are reported as
    /// set (Linux reports twice the value asked for; we keep no bookkeeping overhead to add).</summary>
    [AssumeAllocation(0)]
    public OptionReply GetOption(OptionRequest request)
    {
        var entry = Table.Find(request.Id);
        if (entry == null) return new OptionReply(-EBADF, 0);
        var tcp = entry.Tcp;
        var udp = entry.Udp;
        return (request.Level, request.Name) switch
        {
            (SOL_SOCKET, SO_TYPE) => new OptionReply(0, tcp != null ? SOCK_STREAM : SOCK_DGRAM),
            (SOL_SOCKET, SO_ERROR) => new OptionReply(0, tcp != null ? (long)tcp.TakeError() : 0),
            (SOL_SOCKET, SO_REUSEADDR) => new OptionReply(0, (tcp != null ? tcp.ReuseAddress : entry.UdpReuseAddress) ? 1 : 0),
            (SOL_SOCKET, SO_RCVBUF) => new OptionReply(0, tcp != null ? tcp.ReceiveBufferSize : udp!.ReceiveBufferSize),
            (SOL_SOCKET, SO_SNDBUF) when tcp != null => new OptionReply(0, tcp.SendBufferSize),
            (SOL_SOCKET, SO_KEEPALIVE) when tcp != null => new OptionReply(0, tcp.KeepAlive ? 1 : 0),
            (SOL_SOCKET, SO_LINGER) when tcp != null => new OptionReply(0, entry.LingerSeconds),
            (SocketConstants.IPPROTO_TCP, TCP_NODELAY) when tcp != null => new OptionReply(0, tcp.NoDelay ? 1 : 0),
            _ => new OptionReply(-ENOPROTOOPT, 0),
        };
    }

    /// <summary>The queued readiness changes, oldest first, at most `max` (clamped to 1..MaxEventsPerBatch),
    /// each with the socket's readiness now (level, not the edge).</summary>
    [AssumeAllocation(SocketBudgets.PollEventsBytes)]
    public EventBatch PollEvents(long max)
    {
        int limit = (int)Math.Clamp(max, 1, SocketLimits.MaxEventsPerBatch);
        int count = Math.Min(limit, host.Events.Pending);
        var events = new SocketEvent[count];
        for (int i = 0; i < count && host.Events.TryTake(out int slot); i++)
        {
            var entry = Table.AtSlot(slot)!;
            events[i] = new SocketEvent(entry.Id, entry.Readiness);
        }
        return new EventBatch(events, host.Events.Pending > 0);
    }

    /// <summary>The stack's counters, one "name value" per line, with the service's own.</summary>
    [AssumeAllocation(SocketBudgets.CountersBytes)]
    public string Counters(IEnumerable<(string Name, long Value)> extra, IEnumerable<(string Name, long Value)> window)
    {
        var pairs = Stack.StatsSnapshot();
        pairs.Add(("sockets_open", Table.Count));
        pairs.Add(("readiness_events_waiting", host.Events.Pending));
        pairs.AddRange(extra);
        pairs.AddRange(window);
        return string.Join("\n", pairs.Select(p => $"{p.Name} {p.Value}"));
    }
}
