// Linux errno values (include/uapi/asm-generic/errno-base.h and errno.h) that posix answers with.
// A forwarded call's result is the value or the negated errno, as the Linux x86-64 ABI returns it.
namespace Biscuit.Posix;

public static class Errno
{
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, ENOEXEC = 8,
        EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17,
        EXDEV = 18, ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOTTY = 25,
        EFBIG = 27, ENOSPC = 28, ESPIPE = 29, EROFS = 30, EMLINK = 31, EPIPE = 32, ERANGE = 34,
        ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, ENOTSOCK = 88, EDESTADDRREQ = 89,
        EMSGSIZE = 90, EPROTOTYPE = 91, ENOPROTOOPT = 92, EPROTONOSUPPORT = 93, ESOCKTNOSUPPORT = 94,
        EOPNOTSUPP = 95, EAFNOSUPPORT = 97, EADDRINUSE = 98, EADDRNOTAVAIL = 99, ENETUNREACH = 101,
        ECONNABORTED = 103, ECONNRESET = 104, ENOBUFS = 105, EISCONN = 106, ENOTCONN = 107, ETIMEDOUT = 110,
        ECONNREFUSED = 111, EALREADY = 114, EINPROGRESS = 115;
}

/// <summary>A call fails with an errno: thrown by helpers deep in a call (a bad user pointer is
/// EFAULT) and turned into the -errno result by the dispatcher. Never escapes the dispatcher.</summary>
public sealed class SyscallFailure(int errno, string? why = null) : Exception(why ?? $"errno {errno}")
{
    public int Errno { get; } = errno;
}
