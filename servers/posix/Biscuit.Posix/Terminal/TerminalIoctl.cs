// The terminal ioctl requests posix answers (include/uapi/asm-generic/ioctls.h) and the window
// size it reports: a serial console has no size of its own, so it is the classic 80x25 unless an
// application sets another with TIOCSWINSZ.
namespace Biscuit.Posix;

public static class TerminalIoctl
{
    public const uint TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404, TCSBRK = 0x5409,
        TCXONC = 0x540A, TCFLSH = 0x540B, TIOCSCTTY = 0x540E, TIOCGPGRP = 0x540F, TIOCSPGRP = 0x5410,
        TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414, FIONREAD = 0x541B, TIOCNOTTY = 0x5422, TIOCGSID = 0x5429;

    // TCFLSH's argument (include/uapi/asm-generic/termbits.h)
    public const int TCIFLUSH = 0, TCOFLUSH = 1, TCIOFLUSH = 2;

    public const ushort DefaultRows = 25, DefaultColumns = 80;
    public const int WinsizeBytes = 8;     // struct winsize: rows, columns, xpixel, ypixel (u16 each)
}
