// Readiness of a socket, with the bit values of Linux's epoll events (EPOLLIN, EPOLLOUT, ...), so that
// the POSIX layer's epoll can copy them to user space unchanged.
namespace Biscuit.Net;

[Flags]
public enum Readiness
{
    None = 0,
    /// <summary>EPOLLIN: data, end-of-file or a connection to accept.</summary>
    Readable = 0x001,
    /// <summary>EPOLLOUT: there is room in the send buffer (or a connect finished).</summary>
    Writable = 0x004,
    /// <summary>EPOLLERR: a pending error (SO_ERROR).</summary>
    Error = 0x008,
    /// <summary>EPOLLHUP: both directions are finished.</summary>
    HangUp = 0x010,
    /// <summary>EPOLLRDHUP: the peer closed its sending side (we received its FIN).</summary>
    ReadHangUp = 0x2000,
}

/// <summary>Something whose readiness the stack reports to the event loop (a TCP or UDP socket).</summary>
public interface IPollable
{
    Readiness Readiness { get; }
}
