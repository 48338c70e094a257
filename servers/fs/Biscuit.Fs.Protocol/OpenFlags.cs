// The open(2) flags the fs server acts on, with Linux's x86-64 values (include/uapi/asm-generic/
// fcntl.h), so that the posix server passes an application's flags through unchanged. Every other
// bit (the access mode O_RDONLY/O_WRONLY/O_RDWR, O_APPEND, O_NONBLOCK, O_CLOEXEC...) is the posix
// server's business and is ignored here.
namespace Biscuit.Fs.Protocol;

public static class LinuxOpenFlags
{
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_TRUNC = 0x200;
    public const int O_DIRECTORY = 0x10000;
    public const int O_NOFOLLOW = 0x20000;
}

/// <summary>utimensat(2)'s special nanosecond values (include/uapi/linux/stat.h).</summary>
public static class TimeSpecial
{
    public const long UTIME_NOW = (1L << 30) - 1;
    public const long UTIME_OMIT = (1L << 30) - 2;
}
