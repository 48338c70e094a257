// Error numbers returned by socket calls. They are Linux's errno values so that the POSIX
// personality can hand them to applications unchanged. Socket calls return a non-negative count
// on success or the negated Errno on failure (the Linux system-call convention).
namespace Biscuit.Net;

public enum Errno
{
    None = 0,
    EPERM = 1,
    EAGAIN = 11,
    EINVAL = 22,
    EPIPE = 32,
    EDESTADDRREQ = 89,
    EMSGSIZE = 90,
    EOPNOTSUPP = 95,
    EADDRINUSE = 98,
    EADDRNOTAVAIL = 99,
    ENETUNREACH = 101,
    ECONNABORTED = 103,
    ECONNRESET = 104,
    ENOBUFS = 105,
    EISCONN = 106,
    ENOTCONN = 107,
    ETIMEDOUT = 110,
    ECONNREFUSED = 111,
    EHOSTUNREACH = 113,
    EALREADY = 114,
    EINPROGRESS = 115,
}
