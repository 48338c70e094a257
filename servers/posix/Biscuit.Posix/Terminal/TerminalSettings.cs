// A terminal's settings: the kernel's struct termios (include/uapi/asm-generic/termbits.h; NOT
// glibc's 60-byte struct) — c_iflag, c_oflag, c_cflag, c_lflag (u32 each), c_line, c_cc[19]: 36
// bytes, exchanged by TCGETS and TCSETS/TCSETSW/TCSETSF. glibc's tcgetattr passes a 36-byte buffer
// on its stack, so nothing past it is ever written. A value object: the line discipline holds one
// and replaces it whole.
namespace Biscuit.Posix;

public sealed record TerminalSettings(uint InputFlags, uint OutputFlags, uint ControlFlags, uint LocalFlags, byte Line, byte[] ControlChars)
{
    public const int Size = 36, ControlCharCount = 19;

    // c_iflag
    public const uint ISTRIP = 0x20, INLCR = 0x40, IGNCR = 0x80, ICRNL = 0x100;
    // c_oflag
    public const uint OPOST = 0x1, ONLCR = 0x4;
    // c_cflag: B38400 | CS8 | CREAD | HUPCL
    public const uint DefaultControl = 0xFu | 0x30u | 0x80u | 0x400u;
    // c_lflag
    public const uint ISIG = 0x1, ICANON = 0x2, ECHO = 0x8, ECHOE = 0x10, ECHOK = 0x20, ECHONL = 0x40,
        NOFLSH = 0x80, ECHOCTL = 0x200, ECHOKE = 0x800, IEXTEN = 0x8000;
    // c_cc indexes
    public const int VINTR = 0, VQUIT = 1, VERASE = 2, VKILL = 3, VEOF = 4, VTIME = 5, VMIN = 6, VSTART = 8,
        VSTOP = 9, VSUSP = 10, VEOL = 11, VREPRINT = 12, VDISCARD = 13, VWERASE = 14, VLNEXT = 15, VEOL2 = 16;

    /// <summary>A cooked console, as Linux sets up a tty (drivers/tty/tty_io.c tty_std_termios):
    /// ICRNL; OPOST|ONLCR; ISIG|ICANON|ECHO|ECHOE|ECHOK|ECHOCTL|ECHOKE|IEXTEN; ^C ^\ DEL ^U ^D, VMIN 1.</summary>
    public static TerminalSettings Cooked()
    {
        var cc = new byte[ControlCharCount];
        cc[VINTR] = 0x03; cc[VQUIT] = 0x1C; cc[VERASE] = 0x7F; cc[VKILL] = 0x15; cc[VEOF] = 0x04;
        cc[VTIME] = 0; cc[VMIN] = 1; cc[VSTART] = 0x11; cc[VSTOP] = 0x13; cc[VSUSP] = 0x1A;
        cc[VREPRINT] = 0x12; cc[VDISCARD] = 0x0F; cc[VWERASE] = 0x17; cc[VLNEXT] = 0x16;
        return new TerminalSettings(ICRNL, OPOST | ONLCR, DefaultControl,
            ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN, 0, cc);
    }

    public bool Canonical => (LocalFlags & ICANON) != 0;
    public bool Echo => (LocalFlags & ECHO) != 0;
    public bool Signals => (LocalFlags & ISIG) != 0;
    public byte Char(int index) => ControlChars[index];

    public byte[] Encode()
    {
        var bytes = new byte[Size];
        BitConverter.TryWriteBytes(bytes.AsSpan(0), InputFlags);
        BitConverter.TryWriteBytes(bytes.AsSpan(4), OutputFlags);
        BitConverter.TryWriteBytes(bytes.AsSpan(8), ControlFlags);
        BitConverter.TryWriteBytes(bytes.AsSpan(12), LocalFlags);
        bytes[16] = Line;
        ControlChars.AsSpan(0, ControlCharCount).CopyTo(bytes.AsSpan(17));
        return bytes;
    }

    public static TerminalSettings Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Size) throw new ArgumentException($"a termios is {Size} bytes", nameof(bytes));
        return new TerminalSettings(BitConverter.ToUInt32(bytes[0..4]), BitConverter.ToUInt32(bytes[4..8]),
            BitConverter.ToUInt32(bytes[8..12]), BitConverter.ToUInt32(bytes[12..16]), bytes[16], bytes[17..Size].ToArray());
    }
}
