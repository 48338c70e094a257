// The Linux numbers the socket protocol speaks, so that posix hands them to applications unchanged:
// errno values (include/uapi/asm-generic/errno-base.h and errno.h), socket families, types and
// option names (include/linux/socket.h, include/uapi/asm-generic/socket.h, include/uapi/linux/tcp.h,
// include/uapi/linux/in.h) and epoll event bits (include/uapi/linux/eventpoll.h).
// Results on the wire are "a non-negative value, or the negated errno" (the Linux system-call convention).
namespace Biscuit.Net.Protocol;

public static class LinuxErrno
{
    public const int EIO = 5;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int EINVAL = 22;
    public const int ENFILE = 23;
    public const int EPIPE = 32;
    public const int ERANGE = 34;
    public const int EDESTADDRREQ = 89;
    public const int EMSGSIZE = 90;
    public const int ENOPROTOOPT = 92;
    public const int EPROTONOSUPPORT = 93;
    public const int ESOCKTNOSUPPORT = 94;
    public const int EOPNOTSUPP = 95;
    public const int EAFNOSUPPORT = 97;
    public const int EADDRINUSE = 98;
    public const int EADDRNOTAVAIL = 99;
    public const int ECONNRESET = 104;
    public const int EISCONN = 106;
    public const int ENOTCONN = 107;
    public const int ETIMEDOUT = 110;
    public const int ECONNREFUSED = 111;
    public const int EALREADY = 114;
    public const int ESTALE = 116;
    public const int EINPROGRESS = 115;
}

public static class SocketConstants
{
    public const int AF_INET = 2;
    public const int SOCK_STREAM = 1;
    public const int SOCK_DGRAM = 2;
    /// <summary>socket(2)'s type argument may carry these flags; they are posix's business (file
    /// descriptor flags) and the server ignores them.</summary>
    public const int SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    public const int IPPROTO_TCP = 6, IPPROTO_UDP = 17;

    public const int SOL_SOCKET = 1;
    public const int SO_REUSEADDR = 2, SO_TYPE = 3, SO_ERROR = 4, SO_SNDBUF = 7, SO_RCVBUF = 8, SO_KEEPALIVE = 9, SO_LINGER = 13;
    public const int TCP_NODELAY = 1;

    /// <summary>shutdown(2)'s how.</summary>
    public const int SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;

    /// <summary>recv(2) flags the server looks at.</summary>
    public const int MSG_OOB = 0x1, MSG_PEEK = 0x2;

    /// <summary>SO_LINGER travels as one integer: LingerOff, or the linger time in seconds (0 = reset on close).</summary>
    public const long LingerOff = -1;
}

/// <summary>Readiness bits, with epoll's values.</summary>
public static class EpollEvents
{
    public const int EPOLLIN = 0x001, EPOLLOUT = 0x004, EPOLLERR = 0x008, EPOLLHUP = 0x010, EPOLLRDHUP = 0x2000;
}
