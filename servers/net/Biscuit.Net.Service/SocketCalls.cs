// The socket calls themselves, on the stack, with StackHost.Gate held by the caller (SocketService).
// Each maps one request to the stack's TcpSocket/UdpSocket API and returns what Linux would: a
// value, or a negated errno (the stack's Errno values are Linux's). Bad ids are EBADF; arguments out
// of range are EINVAL; the wrong kind of socket for a call is EOPNOTSUPP. Nothing here throws for
// bad input. Each method's heap budget is explicit ([AssumeAllocation], derived in SocketBudgets).
// This file: creation, addresses, connections, close. SocketCalls.Data.cs: data, options, events.
using Biscuit.Annotations;
using Biscuit.Net.Protocol;
using static Biscuit.Net.Protocol.LinuxErrno;

namespace Biscuit.Net.Service;

public sealed partial class SocketCalls(StackHost host)
{
    private SocketTable Table => host.Table;
    private NetStack Stack => host.Stack;

    /// <summary>socket(2) (Linux: net/socket.c __sock_create, inet_create).</summary>
    [AssumeAllocation(SocketBudgets.SocketBytes)]
    public long Socket(SocketCreate request)
    {
        if (request.Family != SocketConstants.AF_INET) return -EAFNOSUPPORT;
        long flags = SocketConstants.SOCK_NONBLOCK | SocketConstants.SOCK_CLOEXEC;
        if ((request.Type & ~(flags | 0xF)) != 0) return -EINVAL;
        long type = request.Type & 0xF;
        object socket;
        if (type == SocketConstants.SOCK_STREAM)
        {
            if (request.Protocol is not (0 or SocketConstants.IPPROTO_TCP)) return -EPROTONOSUPPORT;
            if (Table.IsFull) return -ENFILE;
            socket = Stack.CreateTcpSocket();
        }
        else if (type == SocketConstants.SOCK_DGRAM)
        {
            if (request.Protocol is not (0 or SocketConstants.IPPROTO_UDP)) return -EPROTONOSUPPORT;
            if (Table.IsFull) return -ENFILE;
            socket = Stack.CreateUdpSocket();
        }
        else return -ESOCKTNOSUPPORT;
        return Table.Add(socket)!.Id;
    }

    /// <summary>bind(2): the address must be INADDR_ANY, the interface's or one of 127.0.0.0/8 (else EADDRNOTAVAIL).</summary>
    [AssumeAllocation(SocketBudgets.TableBytes)]
    public long Bind(SocketAddressRequest request)
    {
        var entry = Table.Find(request.Id);
        if (entry == null) return -EBADF;
        if (!ValidPort(request.Port) || !ValidAddress(request.Address)) return -EINVAL;
        var address = new Ipv4Address((uint)request.Address);
        var e = entry.Tcp != null ? entry.Tcp.Bind(address, (ushort)request.Port) : entry.Udp!.Bind(address, (ushort)request.Port);
        return -(long)e;
    }

    /// <summary>listen(2); a negative backlog counts as 0 (the stack keeps at least 1).</summary>
    [AssumeAllocation(SocketBudgets.TableBytes)]
    public long Listen(SocketArgument request)
    {
        var entry = Table.Find(request.Id);
        if (entry == null) return -EBADF;
        if (entry.Tcp == null) return -EOPNOTSUPP;
        return -(long)entry.Tcp.Listen((int)Math.Clamp(request.Value, 0, int.MaxValue));
    }

    /// <summary>accept(2): a connection from the accept queue gets an id of its own. If anything but
    /// room to write is already there (data or a FIN that arrived before it had an id), the socket is
    /// queued for PollEvents at once: the stack reported that change before the id existed.</summary>
    [AssumeAllocation(SocketBudgets.AcceptBytes)]
    public AddressReply Accept(SocketArgument request)
    {
        var entry = Table.Find(request.Id);
        if (entry == null) return new AddressReply(-EBADF, 0, 0);
        if (entry.Tcp == null) return new AddressReply(-EOPNOTSUPP, 0, 0);
        if (!entry.Tcp.IsListening) return new AddressReply(-EINVAL, 0, 0);
        if (Table.IsFull) return new AddressReply(-ENFILE, 0, 0);     // before taking the connection: it stays queued
        var accepted = entry.Tcp.Accept(out var error);
        if (accepted == null) return new AddressReply(-(long)error, 0, 0);
        var added = Table.Add(accepted)!;
        if (added.Readiness != (int)Biscuit.Net.Readiness.Writable) host.NoteLocked(added.Slot);   // data or a FIN came before the id
        return new AddressReply(added.Id, accepted.RemoteAddress.Value, accepted.RemotePort);
    }

    /// <summary>connect(2): TCP answers EINPROGRESS (EPOLLOUT or EPOLLERR follows); UDP fixes its peer.</summary>
    [AssumeAllocation(SocketBudgets.ConnectBytes)]
    public long Connect(SocketAddressRequest request)
    {
        var entry = Table.Find(request.Id);
        if (entry == null) return -EBADF;
        if (!ValidPort(request.Port) || !ValidAddress(request.Address)) return -EINVAL;
        var address = new Ipv4Address((uint)request.Address);
        var e = entry.Tcp != null ? entry.Tcp.Connect(address, (ushort)request.Port) : entry.Udp!.Connect(address, (ushort)request.Port);
        return -(long)e;
    }

    /// <summary>shutdown(2) of a TCP socket (a UDP socket has no connection to shut: EOPNOTSUPP).</summary>
    [AssumeAllocation(SocketBudgets.TableBytes)]
    public long Shutdown(SocketArgument request)
    {
        var entry = Table.Find(request.Id);
        if (entry == null) return -EBADF;
        if (request.Value is < SocketConstants.SHUT_RD or > SocketConstants.SHUT_RDWR) return -EINVAL;
        if (entry.Tcp == null) return -EOPNOTSUPP;
        return -(long)entry.Tcp.Shutdown((ShutdownHow)request.Value);
    }

    /// <summary>close(2): graceful, or a reset with SO_LINGER {on, 0} (RFC 9293 3.10.5). The id is
    /// invalid afterwards and its queued readiness event is dropped.</summary>
    [AssumeAllocation(SocketBudgets.TableBytes)]
    public long Close(SocketArgument request)
    {
        var entry = Table.Find(request.Id);
        if (entry == null) return -EBADF;
        if (entry.Tcp != null)
        {
            if (entry.LingerSeconds == 0) entry.Tcp.Abort();
            else entry.Tcp.Close();
        }
        else entry.Udp!.Close();
        host.Events.Forget(entry.Slot);
        Table.Remove(entry);
        return 0;
    }

    /// <summary>ResetClient: every socket of the table goes, as close(2) with SO_LINGER {on, 0} would
    /// take it (RFC 9293 3.10.5: a connection is reset, its peer gets an RST; a listener stops
    /// listening and its port is free; a UDP socket closes), and its queued readiness event with it.
    /// The number of sockets dropped; 0 when there were none (so a second reset changes nothing).</summary>
    [AssumeAllocation(SocketBudgets.ResetBytes)]
    public long ResetAll()
    {
        long dropped = 0;
        for (int slot = 0; slot < Table.Capacity; slot++)
        {
            var entry = Table.AtSlot(slot);
            if (entry == null) continue;
            if (entry.Tcp != null) entry.Tcp.Abort();
            else entry.Udp!.Close();
            host.Events.Forget(slot);
            Table.Remove(entry);
            dropped++;
        }
        return dropped;
    }

    /// <summary>getsockname(2): the connection's local address (127.0.0.1 toward loopback, the
    /// interface's otherwise), else the address bound (INADDR_ANY if none); the port.</summary>
    [AssumeAllocation(0)]
    public AddressReply GetName(SocketArgument request)
    {
        var entry = Table.Find(request.Id);
        if (entry == null) return new AddressReply(-EBADF, 0, 0);
        if (entry.Tcp is { } tcp)
            return new AddressReply(0, tcp.LocalAddress.Value, tcp.LocalPort);
        var udp = entry.Udp!;
        return new AddressReply(0, udp.LocalAddress.Value, udp.LocalPort);
    }

    /// <summary>getpeername(2): ENOTCONN unless connected.</summary>
    [AssumeAllocation(0)]
    public AddressReply GetPeer(SocketArgument request)
    {
        var entry = Table.Find(request.Id);
        if (entry == null) return new AddressReply(-EBADF, 0, 0);
        if (entry.Tcp is { } tcp)
            return IsConnected(tcp) ? new AddressReply(0, tcp.RemoteAddress.Value, tcp.RemotePort) : new AddressReply(-ENOTCONN, 0, 0);
        var udp = entry.Udp!;
        return udp.IsConnected ? new AddressReply(0, udp.RemoteAddress.Value, udp.RemotePort) : new AddressReply(-ENOTCONN, 0, 0);
    }

    private static bool IsConnected(TcpSocket tcp) => tcp.State is not (TcpState.Closed or TcpState.Listen) && tcp.RemotePort != 0;
    private static bool ValidPort(long port) => port is >= 0 and <= ushort.MaxValue;
    private static bool ValidAddress(long address) => address is >= 0 and <= uint.MaxValue;
}
