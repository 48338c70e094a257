// The line discipline of posix's console terminal: what Linux's n_tty (drivers/tty/n_tty.c) does
// to typed bytes before a read(2) sees them, and to echo, following POSIX.1-2017 "General Terminal
// Interface" (XBD 11): canonical input (a read returns at most one line; ERASE, WERASE and KILL edit
// the line being typed; EOF ends a line without a newline, or makes a read return 0 on an empty
// line), non-canonical input (bytes as they come; VMIN 0 with VTIME 0 is a read that never waits),
// ICRNL/IGNCR/INLCR/ISTRIP on input, ECHO/ECHOE/ECHOK/ECHOKE/ECHONL/ECHOCTL, and ISIG: INTR, QUIT
// and SUSP flush the input (unless NOFLSH) and are reported as SIGINT, SIGQUIT, SIGTSTP.
// Receive returns what to echo and which signals to raise; the caller writes and raises them
// outside the lock. Left out: VTIME timers (a non-canonical read with VMIN 0 and VTIME > 0 waits
// like VMIN 1), LNEXT, REPRINT, IXON flow control, and columns of tabs when erasing them.
// Invariants: `pending` holds finished records in arrival order — in canonical mode whole lines
// (ending in NL, EOL or EOL2, or cut by EOF; an empty record is an end of file); `editing` is the
// line being typed, never longer than MaxLine; `echoWidths` has one entry per byte of `editing`.
// Input beyond MaxPending bytes waiting is dropped (and counted). Guarded by `gate`.
namespace Biscuit.Posix;

public sealed class LineDiscipline
{
    public const int MaxLine = 4095;                 // n_tty's N_TTY_BUF_SIZE less the newline
    public const int MaxPending = 64 * 1024;
    public const int SIGINT = 2, SIGQUIT = 3, SIGTSTP = 20;

    private readonly object gate = new();
    private TerminalSettings settings = TerminalSettings.Cooked();       // guarded by gate
    private readonly LinkedList<byte[]> pending = new();                // guarded by gate
    private int firstOffset;                                              // guarded by gate: bytes of the first record already read
    private int pendingBytes;                                             // guarded by gate
    private readonly List<byte> editing = new();                          // guarded by gate
    private readonly List<int> echoWidths = new();                        // guarded by gate
    private long dropped;                                                 // guarded by gate
    private bool inputEnded;                                              // guarded by gate: no more input will come

    /// <summary>What one batch of input asks of the terminal.</summary>
    public readonly record struct Effects(byte[] Echo, IReadOnlyList<int> Signals, bool BecameReadable);

    public TerminalSettings Settings { get { lock (gate) return settings; } }
    public long Dropped { get { lock (gate) return dropped; } }

    /// <summary>TCSETS/TCSETSW/TCSETSF: new settings (flushing waiting input when asked). Leaving
    /// canonical mode makes the line being typed readable at once, as n_tty does.</summary>
    public bool Apply(TerminalSettings next, bool flushInput)
    {
        lock (gate)
        {
            if (flushInput) FlushLocked();
            if (settings.Canonical && !next.Canonical && editing.Count > 0)
            {
                pending.AddLast(editing.ToArray());
                pendingBytes += editing.Count;
                editing.Clear();
                echoWidths.Clear();
            }
            settings = next;
            return ReadableLocked();
        }
    }

    /// <summary>No input will ever come (posix has no console input): once the waiting input is
    /// read, reads return 0 (end of file) instead of waiting.</summary>
    public void EndInput() { lock (gate) inputEnded = true; }

    /// <summary>TCFLSH (TCIFLUSH): everything typed and not yet read is discarded.</summary>
    public void FlushInput() { lock (gate) FlushLocked(); }

    /// <summary>True when poll should say readable: a finished line (or bytes, in non-canonical
    /// mode) or an end of file is waiting.</summary>
    public bool Readable { get { lock (gate) return ReadableLocked(); } }

    /// <summary>Bytes a read could take now (FIONREAD).</summary>
    public int BytesAvailable { get { lock (gate) return pendingBytes - firstOffset; } }

    /// <summary>read(2): the bytes, 0 at an end of file (or a VMIN 0 read with nothing typed), or
    /// -EAGAIN when the caller must wait. In canonical mode a read never crosses a line's end.</summary>
    public long Read(Span<byte> into)
    {
        lock (gate)
        {
            if (into.Length == 0) return 0;
            if (pending.Count == 0)
                return inputEnded || !settings.Canonical && settings.Char(TerminalSettings.VMIN) == 0 && settings.Char(TerminalSettings.VTIME) == 0 ? 0 : -Errno.EAGAIN;
            if (pending.First!.Value.Length == 0)
            {
                pending.RemoveFirst();
                return 0;
            }
            int done = 0;
            while (done < into.Length && pending.Count > 0)
            {
                byte[] record = pending.First!.Value;
                if (record.Length == 0) break;                     // an end of file waits for the next read
                int n = Math.Min(into.Length - done, record.Length - firstOffset);
                record.AsSpan(firstOffset, n).CopyTo(into[done..]);
                done += n;
                firstOffset += n;
                if (firstOffset == record.Length)
                {
                    pending.RemoveFirst();
                    pendingBytes -= record.Length;
                    firstOffset = 0;
                }
                if (settings.Canonical) break;                      // at most one line per read
            }
            return done;
        }
    }

    /// <summary>Bytes typed on the terminal, in order.</summary>
    public Effects Receive(ReadOnlySpan<byte> input)
    {
        var echo = new List<byte>();
        var signals = new List<int>();
        lock (gate)
        {
            bool wasReadable = ReadableLocked();
            foreach (byte typed in input) ReceiveOne(typed, echo, signals);
            return new Effects(echo.ToArray(), signals, !wasReadable && ReadableLocked());
        }
    }

    private void ReceiveOne(byte c, List<byte> echo, List<int> signals)
    {
        var s = settings;
        if ((s.InputFlags & TerminalSettings.ISTRIP) != 0) c &= 0x7F;
        if (c == (byte)'\r')
        {
            if ((s.InputFlags & TerminalSettings.IGNCR) != 0) return;
            if ((s.InputFlags & TerminalSettings.ICRNL) != 0) c = (byte)'\n';
        }
        else if (c == (byte)'\n' && (s.InputFlags & TerminalSettings.INLCR) != 0) c = (byte)'\r';

        if (s.Signals && IsSpecial(c, TerminalSettings.VINTR, TerminalSettings.VQUIT, TerminalSettings.VSUSP, out int which))
        {
            if ((s.LocalFlags & TerminalSettings.NOFLSH) == 0) FlushLocked();
            if (s.Echo) EchoChar(c, echo);
            signals.Add(which == TerminalSettings.VINTR ? SIGINT : which == TerminalSettings.VQUIT ? SIGQUIT : SIGTSTP);
            return;
        }
        if (!s.Canonical)
        {
            if (!Room(1)) return;
            pending.AddLast([c]);
            pendingBytes++;
            if (s.Echo) EchoChar(c, echo);
            return;
        }
        if (IsSpecial(c, TerminalSettings.VERASE, -1, -1, out _) || (c == 0x08 && s.Char(TerminalSettings.VERASE) == 0x7F))
        {
            EraseLast(echo, s);
            return;
        }
        if ((s.LocalFlags & TerminalSettings.IEXTEN) != 0 && IsSpecial(c, TerminalSettings.VWERASE, -1, -1, out _))
        {
            while (editing.Count > 0 && editing[^1] is (byte)' ' or (byte)'\t') EraseLast(echo, s);
            while (editing.Count > 0 && editing[^1] is not ((byte)' ' or (byte)'\t')) EraseLast(echo, s);
            return;
        }
        if (IsSpecial(c, TerminalSettings.VKILL, -1, -1, out _))
        {
            if (s.Echo && (s.LocalFlags & (TerminalSettings.ECHOKE | TerminalSettings.ECHOE)) == 0)
            {
                EchoChar(c, echo);
                if ((s.LocalFlags & TerminalSettings.ECHOK) != 0) echo.Add((byte)'\n');
                editing.Clear();
                echoWidths.Clear();
            }
            else while (editing.Count > 0) EraseLast(echo, s);
            return;
        }
        if (IsSpecial(c, TerminalSettings.VEOF, -1, -1, out _))
        {
            FinishLine();                                      // an empty line here is an end of file
            return;
        }
        bool endsLine = c == (byte)'\n' || IsSpecial(c, TerminalSettings.VEOL, TerminalSettings.VEOL2, -1, out _);
        if (editing.Count >= MaxLine && !endsLine)
        {
            if (s.Echo) echo.Add(0x07);                        // BEL: the line is full (n_tty)
            dropped++;
            return;
        }
        if (!Room(editing.Count + 1)) return;
        editing.Add(c);
        echoWidths.Add(s.Echo ? EchoChar(c, echo) : 0);
        if (endsLine)
        {
            if (!s.Echo && c == (byte)'\n' && (s.LocalFlags & TerminalSettings.ECHONL) != 0) echo.Add((byte)'\n');
            FinishLine();
        }
    }

    private bool IsSpecial(byte c, int first, int second, int third, out int which)
    {
        var s = settings;
        which = -1;
        foreach (int index in (ReadOnlySpan<int>)[first, second, third])
        {
            if (index < 0) continue;
            byte special = s.Char(index);
            if (special != 0 && special == c) { which = index; return true; }   // 0 is _POSIX_VDISABLE
        }
        return false;
    }

    private bool Room(int bytes)
    {
        if (pendingBytes + bytes <= MaxPending) return true;
        dropped++;
        return false;
    }

    private void FinishLine()
    {
        pending.AddLast(editing.ToArray());
        pendingBytes += editing.Count;
        editing.Clear();
        echoWidths.Clear();
    }

    private void EraseLast(List<byte> echo, TerminalSettings s)
    {
        if (editing.Count == 0) return;
        int width = echoWidths[^1];
        editing.RemoveAt(editing.Count - 1);
        echoWidths.RemoveAt(echoWidths.Count - 1);
        if (!s.Echo) return;
        if ((s.LocalFlags & TerminalSettings.ECHOE) == 0) { EchoChar(s.Char(TerminalSettings.VERASE), echo); return; }
        for (int i = 0; i < width; i++) echo.AddRange("\b \b"u8);
    }

    /// <summary>Echoes one byte (ECHOCTL shows a control character as ^X); returns its width in columns.</summary>
    private int EchoChar(byte c, List<byte> echo)
    {
        bool control = c < 0x20 && c != (byte)'\n' && c != (byte)'\t' || c == 0x7F;
        if (control && (settings.LocalFlags & TerminalSettings.ECHOCTL) != 0)
        {
            echo.Add((byte)'^');
            echo.Add(c == 0x7F ? (byte)'?' : (byte)(c + 0x40));
            return 2;
        }
        echo.Add(c);
        return c == (byte)'\n' ? 0 : 1;
    }

    private void FlushLocked()
    {
        pending.Clear();
        pendingBytes = 0;
        firstOffset = 0;
        editing.Clear();
        echoWidths.Clear();
    }

    // As n_tty's poll: readable when a read would return data or an end of file (a VMIN 0 read also
    // returns at once, but poll still waits for a byte).
    private bool ReadableLocked() => pending.Count > 0 || inputEnded;
}
