// The character devices of /dev (Documentation/admin-guide/devices.txt numbers):
// null (1,3): reads end at once, writes vanish; zero (1,5): reads give zeros; urandom and random
// (1,9 / 1,8): reads give ISystemServices.RandomBytes. console and tty (5,1 / 5,0) are the terminal
// (Terminal/TerminalFile.cs); DeviceKind.Console names them here for their numbers only.
namespace Biscuit.Posix;

public enum DeviceKind { Null, Zero, Random, Console }

public sealed class DeviceFile(DeviceKind kind, string path, ISystemServices system, int statusFlags) : OpenFile(statusFlags)
{
    public override string? Path => path;

    /// <summary>Whether epoll may watch it: Linux's /dev/null and /dev/zero have no poll operation
    /// (epoll_ctl is EPERM), its random devices do.</summary>
    public bool SupportsEpoll => kind is DeviceKind.Random;

    public override long Read(Span<byte> into)
    {
        if (!CanRead) return -Errno.EBADF;
        switch (kind)
        {
            case DeviceKind.Zero: into.Clear(); return into.Length;
            case DeviceKind.Random: system.RandomBytes(into); return into.Length;
            default: return 0;
        }
    }

    public override long Write(ReadOnlySpan<byte> from) => CanWrite ? from.Length : -Errno.EBADF;

    public override long ReadAt(Span<byte> into, long offset) => Read(into);
    public override long WriteAt(ReadOnlySpan<byte> from, long offset) => Write(from);
    public override long Seek(long offset, int whence) => 0;

    public override FileStatus Status() => FileStatus.Synthetic(Mode.IFCHR | 0x1B6, 100 + (ulong)kind, DeviceNumber(kind));

    /// <summary>Linux's encoding of (major, minor) for small numbers: major << 8 | minor.</summary>
    public static ulong DeviceNumber(DeviceKind kind) => kind switch
    {
        DeviceKind.Null => (1 << 8) | 3,
        DeviceKind.Zero => (1 << 8) | 5,
        DeviceKind.Random => (1 << 8) | 9,
        _ => (5 << 8) | 1,
    };
}
