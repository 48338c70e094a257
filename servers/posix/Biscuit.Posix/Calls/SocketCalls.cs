// Socket calls (socket(2), bind(2), listen(2), accept4(2), connect(2), send/recv(2), sendmsg(2),
// recvmsg(2), shutdown(2), setsockopt(2), getsockname(2)) on AF_INET sockets of the net server,
// and sendfile(2) from a file to any writable descriptor.
using System.Buffers.Binary;
using Biscuit.Posix.Events;

namespace Biscuit.Posix;

public static class SocketCalls
{
    private const int SO_ERROR = 4;

    public static void Register(SyscallTable t)
    {
        t.Add(LinuxCall.Socket, "socket", Socket);
        t.Add(LinuxCall.Bind, "bind", c => c.Posix.Sockets.Network.Bind(SocketOf(c).Id, SockaddrIn.Read(c.Memory, c.Arg(1), c.Arg(2))));
        t.Add(LinuxCall.Listen, "listen", c => c.Posix.Sockets.Network.Listen(SocketOf(c).Id, c.IntArg(1)));
        t.Add(LinuxCall.Accept, "accept", c => Accept(c, 0));
        t.Add(LinuxCall.Accept4, "accept4", c => Accept(c, c.IntArg(3)));
        t.Add(LinuxCall.Connect, "connect", Connect);
        t.Add(LinuxCall.Sendto, "sendto", SendTo);
        t.Add(LinuxCall.Recvfrom, "recvfrom", ReceiveFrom);
        t.Add(LinuxCall.Sendmsg, "sendmsg", SendMessage);
        t.Add(LinuxCall.Recvmsg, "recvmsg", ReceiveMessage);
        t.Add(LinuxCall.Shutdown, "shutdown", c => c.IntArg(1) is < 0 or > 2 ? -Errno.EINVAL : c.Posix.Sockets.Network.Shutdown(SocketOf(c).Id, c.IntArg(1)));
        t.Add(LinuxCall.Setsockopt, "setsockopt", SetOption);
        t.Add(LinuxCall.Getsockopt, "getsockopt", GetOption);
        t.Add(LinuxCall.Getsockname, "getsockname", c => Name(c, peer: false));
        t.Add(LinuxCall.Getpeername, "getpeername", c => Name(c, peer: true));
        t.Add(LinuxCall.Socketpair, "socketpair", SocketPair);
        t.Add(LinuxCall.Sendfile, "sendfile", Sendfile.Call);
    }

    /// <summary>The socket descriptor arg0 names: EBADF if none, ENOTSOCK if not a socket.</summary>
    private static SocketFile SocketOf(CallContext c) =>
        c.Fds.Get(c.IntArg(0)) as SocketFile ?? throw new SyscallFailure(Errno.ENOTSOCK);

    private static long Socket(CallContext c)
    {
        int domain = c.IntArg(0), type = c.IntArg(1), protocol = c.IntArg(2);
        if (domain != Sock.AF_INET) return -Errno.EAFNOSUPPORT;
        if ((type & ~(Sock.TYPE_MASK | Sock.NONBLOCK | Sock.CLOEXEC)) != 0) return -Errno.EINVAL;
        int kind = type & Sock.TYPE_MASK;
        if (kind is not (Sock.STREAM or Sock.DGRAM)) return -Errno.ESOCKTNOSUPPORT;
        long id = c.Posix.Sockets.Network.Create(kind, protocol);
        if (id < 0) return id;
        var socket = c.Posix.Sockets.Adopt(id, kind, type & Sock.NONBLOCK);
        return c.Fds.Add(socket, (type & Sock.CLOEXEC) != 0);
    }

    /// <summary>accept4(2): SOCK_NONBLOCK and SOCK_CLOEXEC; blocks on a blocking listener.</summary>
    private static long Accept(CallContext c, int flags)
    {
        if ((flags & ~(Sock.NONBLOCK | Sock.CLOEXEC)) != 0) return -Errno.EINVAL;
        var listener = SocketOf(c);
        var net = c.Posix.Sockets.Network;
        Ipv4Endpoint peer = default;
        long id = Blocking.Retry(listener, Readiness.In, c, () => net.Accept(listener.Id, out peer));
        if (id < 0) return id;
        var socket = c.Posix.Sockets.Adopt(id, listener.Type, flags & Sock.NONBLOCK);
        long fd = c.Fds.Add(socket, (flags & Sock.CLOEXEC) != 0);
        if (fd >= 0) SockaddrIn.Write(c.Memory, c.Arg(1), c.Arg(2), peer);
        return fd;
    }

    /// <summary>connect(2): a non-blocking socket answers EINPROGRESS; a blocking one waits for the
    /// handshake and answers its outcome (SO_ERROR).</summary>
    private static long Connect(CallContext c)
    {
        var socket = SocketOf(c);
        var remote = SockaddrIn.Read(c.Memory, c.Arg(1), c.Arg(2));
        var net = c.Posix.Sockets.Network;
        long r = net.Connect(socket.Id, remote);
        if (r != -Errno.EINPROGRESS || socket.NonBlocking) return r;
        long waited = Blocking.WaitFor(socket, Readiness.Out, c.Cancel);
        if (waited < 0) return waited;
        Span<byte> error = stackalloc byte[4];
        long n = net.GetOption(socket.Id, Sock.SOL_SOCKET, SO_ERROR, error);
        return n == 4 ? -BinaryPrimitives.ReadInt32LittleEndian(error) : 0;
    }

    private static long SendTo(CallContext c)
    {
        var socket = SocketOf(c);
        int flags = c.IntArg(3);
        Ipv4Endpoint? to = c.Arg(4) != 0 ? SockaddrIn.Read(c.Memory, c.Arg(4), c.Arg(5)) : null;
        var net = c.Posix.Sockets.Network;
        bool dontWait = (flags & Sock.MSG_DONTWAIT) != 0;
        return UserIo.WriteFromUser(c, socket, c.Arg(1), c.Arg(2), span => net.Send(socket.Id, span, to), dontWait);
    }

    private static long ReceiveFrom(CallContext c)
    {
        if (c.Fds.Get(c.IntArg(0)) is StreamPair pair) return ReceiveFromPairPlain(c, pair);
        var socket = SocketOf(c);
        int flags = c.IntArg(3);
        bool peek = (flags & Sock.MSG_PEEK) != 0, dontWait = (flags & Sock.MSG_DONTWAIT) != 0;
        var net = c.Posix.Sockets.Network;
        int wanted = (int)Math.Min(c.Arg(2), (ulong)UserIo.ChunkBytes);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(wanted);
        try
        {
            Ipv4Endpoint from = default;
            long n = Blocking.Retry(socket, Readiness.In, c, () => net.Receive(socket.Id, buffer.AsSpan(0, wanted), peek, out from), dontWait);
            if (n < 0) return n;
            c.Memory.Write(c.Arg(1), buffer.AsSpan(0, (int)n));
            if (c.Arg(4) != 0) SockaddrIn.Write(c.Memory, c.Arg(4), c.Arg(5), from);
            return n;
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(buffer); }
    }

    // struct msghdr (include/linux/socket.h), 56 bytes: msg_name @0, msg_namelen u32 @8, msg_iov @16,
    // msg_iovlen @24, msg_control @32, msg_controllen @40, msg_flags s32 @48.
    private static long SendMessage(CallContext c)
    {
        if (c.Fds.Get(c.IntArg(0)) is StreamPair pair) return SendToPair(c, pair);
        var socket = SocketOf(c);
        var header = c.Memory.Read(c.Arg(1), 56);
        ulong name = BitConverter.ToUInt64(header, 0), iov = BitConverter.ToUInt64(header, 16), iovLength = BitConverter.ToUInt64(header, 24);
        uint nameLength = BitConverter.ToUInt32(header, 8);
        if (BitConverter.ToUInt64(header, 40) != 0) return -Errno.EOPNOTSUPP;   // ancillary data (SCM_RIGHTS) is not carried
        Ipv4Endpoint? to = name != 0 ? SockaddrIn.Read(c.Memory, name, nameLength) : null;
        var data = UserIo.Gather(c.Memory, UserIo.ReadIovecs(c.Memory, iov, iovLength));
        var net = c.Posix.Sockets.Network;
        bool dontWait = (c.IntArg(2) & Sock.MSG_DONTWAIT) != 0;
        return Blocking.Retry(socket, Readiness.Out, c, () => net.Send(socket.Id, data, to), dontWait);
    }

    private static long ReceiveMessage(CallContext c)
    {
        if (c.Fds.Get(c.IntArg(0)) is StreamPair pair) return ReceiveFromPair(c, pair);
        var socket = SocketOf(c);
        ulong header = c.Arg(1);
        var bytes = c.Memory.Read(header, 56);
        ulong name = BitConverter.ToUInt64(bytes, 0), iov = BitConverter.ToUInt64(bytes, 16), iovLength = BitConverter.ToUInt64(bytes, 24);
        var iovecs = UserIo.ReadIovecs(c.Memory, iov, iovLength);
        int wanted = (int)Math.Min(iovecs.Sum(v => (long)v.Length), UserIo.ChunkBytes);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(wanted);
        var net = c.Posix.Sockets.Network;
        int flags = c.IntArg(2);
        Ipv4Endpoint from = default;
        long n;
        try
        {
            n = Blocking.Retry(socket, Readiness.In, c, () => net.Receive(socket.Id, buffer.AsSpan(0, wanted), (flags & Sock.MSG_PEEK) != 0, out from),
                (flags & Sock.MSG_DONTWAIT) != 0);
            if (n < 0) return n;
            UserIo.Scatter(c.Memory, iovecs, buffer.AsSpan(0, (int)n));
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(buffer); }
        if (name != 0) SockaddrIn.Write(c.Memory, name, header + 8, from);
        c.Memory.WriteU64(header + 40, 0);   // msg_controllen: no ancillary data
        c.Memory.WriteU32(header + 48, 0);   // msg_flags
        return n;
    }

    /// <summary>sendmsg(2) on a socketpair end: the iovecs' bytes with the descriptions of an
    /// SCM_RIGHTS control message (Calls/Ancillary.cs checks it first, as unix_stream_sendmsg calls
    /// scm_send first); a destination name is EISCONN (it is connected). Nothing is sent on an error.</summary>
    private static long SendToPair(CallContext c, StreamPair pair)
    {
        var header = c.Memory.Read(c.Arg(1), 56);
        var iovecs = UserIo.ReadIovecs(c.Memory, BitConverter.ToUInt64(header, 16), BitConverter.ToUInt64(header, 24));
        long checkedControl = Ancillary.ReadRights(c, BitConverter.ToUInt64(header, 32), BitConverter.ToUInt64(header, 40), out var files);
        if (checkedControl < 0) return checkedControl;
        if (BitConverter.ToUInt64(header, 0) != 0) { RightsQueue.Drop(files); return -Errno.EISCONN; }
        byte[] data;
        try { data = UserIo.Gather(c.Memory, iovecs); }
        catch { RightsQueue.Drop(files); throw; }
        long n = Blocking.Retry(pair, Readiness.Out, c, () => pair.WriteWithRights(data, files), (c.IntArg(2) & Sock.MSG_DONTWAIT) != 0);
        if (n <= 0) RightsQueue.Drop(files);   // no byte went: the descriptions stayed ours
        return n;
    }

    /// <summary>recvmsg(2) on a socketpair end: bytes into the iovecs, no name, and the descriptions
    /// that came with them as an SCM_RIGHTS message (MSG_CMSG_CLOEXEC honoured; MSG_CTRUNC when the
    /// control buffer is too small, the others closed).</summary>
    private static long ReceiveFromPair(CallContext c, StreamPair pair)
    {
        ulong header = c.Arg(1);
        var bytes = c.Memory.Read(header, 56);
        int flags = c.IntArg(2);
        if ((flags & Sock.MSG_PEEK) != 0) return -Errno.EOPNOTSUPP;
        var iovecs = UserIo.ReadIovecs(c.Memory, BitConverter.ToUInt64(bytes, 16), BitConverter.ToUInt64(bytes, 24));
        var buffer = new byte[Math.Min(iovecs.Sum(v => (long)v.Length), UserIo.ChunkBytes)];
        OpenFile[]? files = null;
        long n = Blocking.Retry(pair, Readiness.In, c, () => pair.ReadWithRights(buffer, out files), (flags & Sock.MSG_DONTWAIT) != 0);
        if (n < 0) return n;
        var (used, messageFlags) = Ancillary.DeliverRights(c, BitConverter.ToUInt64(bytes, 32), BitConverter.ToUInt64(bytes, 40),
            files, (flags & Sock.MSG_CMSG_CLOEXEC) != 0);
        UserIo.Scatter(c.Memory, iovecs, buffer.AsSpan(0, (int)n));
        c.Memory.WriteU32(header + 8, 0);       // msg_namelen: an unnamed peer
        c.Memory.WriteU64(header + 40, used);   // msg_controllen: the control bytes written
        c.Memory.WriteU32(header + 48, (uint)messageFlags);
        return n;
    }

    /// <summary>recv/recvfrom(2) on a socketpair end: bytes only (descriptions that came with them are
    /// closed, as Linux's recvmsg without a control buffer); an unnamed peer (address length 0).</summary>
    private static long ReceiveFromPairPlain(CallContext c, StreamPair pair)
    {
        int flags = c.IntArg(3);
        if ((flags & Sock.MSG_PEEK) != 0) return -Errno.EOPNOTSUPP;
        var buffer = new byte[Math.Min(c.Arg(2), (ulong)UserIo.ChunkBytes)];
        long n = Blocking.Retry(pair, Readiness.In, c, () => pair.Read(buffer), (flags & Sock.MSG_DONTWAIT) != 0);
        if (n < 0) return n;
        c.Memory.Write(c.Arg(1), buffer.AsSpan(0, (int)n));
        if (c.Arg(4) != 0 && c.Arg(5) != 0) c.Memory.WriteU32(c.Arg(5), 0);
        return n;
    }

    private static long SetOption(CallContext c)
    {
        var socket = SocketOf(c);
        ulong length = c.Arg(4);
        if (length > 256) return -Errno.EINVAL;
        var value = c.Memory.Read(c.Arg(3), (int)length);
        return c.Posix.Sockets.Network.SetOption(socket.Id, c.IntArg(1), c.IntArg(2), value);
    }

    private static long GetOption(CallContext c)
    {
        var socket = SocketOf(c);
        uint room = c.Memory.ReadU32(c.Arg(4));
        if (room > int.MaxValue) return -Errno.EINVAL;
        var value = new byte[Math.Min(room, 256u)];
        long n = c.Posix.Sockets.Network.GetOption(socket.Id, c.IntArg(1), c.IntArg(2), value);
        if (n < 0) return n;
        c.Memory.Write(c.Arg(3), value.AsSpan(0, (int)n));
        c.Memory.WriteU32(c.Arg(4), (uint)n);
        return 0;
    }

    private static long Name(CallContext c, bool peer)
    {
        var socket = SocketOf(c);
        var net = c.Posix.Sockets.Network;
        long r = peer ? net.PeerAddress(socket.Id, out var endpoint) : net.LocalAddress(socket.Id, out endpoint);
        if (r < 0) return r;
        if (c.Arg(1) == 0 || c.Arg(2) == 0) return -Errno.EFAULT;
        SockaddrIn.Write(c.Memory, c.Arg(1), c.Arg(2), endpoint);
        return 0;
    }

    /// <summary>socketpair(2) of AF_UNIX SOCK_STREAM: two descriptions joined by two pipes.</summary>
    private static long SocketPair(CallContext c)
    {
        int domain = c.IntArg(0), type = c.IntArg(1);
        if (domain != Sock.AF_UNIX) return -Errno.EAFNOSUPPORT;
        if ((type & ~(Sock.TYPE_MASK | Sock.NONBLOCK | Sock.CLOEXEC)) != 0) return -Errno.EINVAL;
        if ((type & Sock.TYPE_MASK) != Sock.STREAM) return -Errno.EOPNOTSUPP;
        c.Memory.Read(c.Arg(3), new byte[8]);
        var (a, b) = StreamPair.Create(type & Sock.NONBLOCK);
        bool cloexec = (type & Sock.CLOEXEC) != 0;
        long first = c.Fds.Add(a, cloexec);
        if (first < 0) { b.DropReference(); return first; }
        long second = c.Fds.Add(b, cloexec);
        if (second < 0) { c.Fds.Close((int)first); return second; }
        c.Memory.WriteU32(c.Arg(3), (uint)first);
        c.Memory.WriteU32(c.Arg(3) + 4, (uint)second);
        return 0;
    }
}
