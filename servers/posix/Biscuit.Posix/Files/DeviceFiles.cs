// The character devices of /dev (Documentation/admin-guide/devices.txt numbers):
// null (1,3): reads end at once, writes vanish; zero (1,5): reads give zeros; urandom and random
// (1,9 / 1,8): reads give ISystemServices.RandomBytes; console and tty (5,1 / 5,0): writes go to the
// kernel console, reads end at once (no keyboard input yet: see README).
namespace Biscuit.Posix;

public enum DeviceKind { Null, Zero, Random, Console }

public sealed class DeviceFile(DeviceKind kind, string path, ISystemServices system, int statusFlags) : OpenFile(statusFlags)
{
    public override string? Path => path;

    /// <summary>Whether epoll may watch it: Linux's /dev/null and /dev/zero have no poll operation
    /// (epoll_ctl is EPERM), its random devices and terminals do.</summary>
    public bool SupportsEpoll => kind is DeviceKind.Random or DeviceKind.Console;

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

    public override long Write(ReadOnlySpan<byte> from)
    {
        if (!CanWrite) return -Errno.EBADF;
        if (kind == DeviceKind.Console) system.ConsoleWrite(from);
        return from.Length;
    }

    public override long ReadAt(Span<byte> into, long offset) => kind == DeviceKind.Console ? -Errno.ESPIPE : Read(into);
    public override long WriteAt(ReadOnlySpan<byte> from, long offset) => kind == DeviceKind.Console ? -Errno.ESPIPE : Write(from);
    public override long Seek(long offset, int whence) => kind == DeviceKind.Console ? -Errno.ESPIPE : 0;

    public override FileStatus Status() => FileStatus.Synthetic(Mode.IFCHR | 0x1B6, 100 + (ulong)kind, DeviceNumber(kind));

    /// <summary>Linux's encoding of (major, minor) for small numbers: major << 8 | minor.</summary>
    public static ulong DeviceNumber(DeviceKind kind) => kind switch
    {
        DeviceKind.Null => (1 << 8) | 3,
        DeviceKind.Zero => (1 << 8) | 5,
        DeviceKind.Random => (1 << 8) | 9,
        _ => (5 << 8) | 1,
    };

    /// <summary>The kernel's struct termios (include/uapi/asm-generic/termbits.h; NOT glibc's 60-byte
    /// struct): c_iflag, c_oflag, c_cflag, c_lflag (u32 each), c_line, c_cc[19] — 36 bytes. glibc's
    /// tcgetattr passes a 36-byte buffer on its stack, so writing more smashes the caller's stack.
    /// The values are a cooked console's: ICRNL; OPOST|ONLCR; B38400|CS8|CREAD|HUPCL;
    /// ISIG|ICANON|ECHO|ECHOE|ECHOK|ECHOCTL|ECHOKE|IEXTEN.</summary>
    public const int KernelTermiosSize = 36;

    public static byte[] ConsoleTermios()
    {
        var termios = new byte[KernelTermiosSize];
        BitConverter.TryWriteBytes(termios.AsSpan(0), 0x100u);             // c_iflag: ICRNL
        BitConverter.TryWriteBytes(termios.AsSpan(4), 0x5u);               // c_oflag: OPOST | ONLCR
        BitConverter.TryWriteBytes(termios.AsSpan(8), 0xFu | 0x30u | 0x80u | 0x400u); // c_cflag: B38400 | CS8 | CREAD | HUPCL
        BitConverter.TryWriteBytes(termios.AsSpan(12), 0x1u | 0x2u | 0x8u | 0x10u | 0x20u | 0x200u | 0x800u | 0x8000u); // c_lflag
        return termios;
    }

    /// <summary>A terminal answers TCGETS (isatty) on the console only; others are ENOTTY.</summary>
    public override long Control(uint request, ulong argument, UserMemory memory)
    {
        if (kind != DeviceKind.Console) return -Errno.ENOTTY;
        if (request == Ioctl.TCGETS) { memory.Write(argument, ConsoleTermios()); return 0; }
        if (request == Ioctl.TIOCGWINSZ)
        {
            var winsize = new byte[8];
            winsize[0] = 24; winsize[2] = 80;   // rows, columns
            memory.Write(argument, winsize);
            return 0;
        }
        return -Errno.ENOTTY;
    }
}
