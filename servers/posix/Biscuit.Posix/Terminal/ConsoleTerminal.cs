// The serial console as a terminal: one per posix server, behind /dev/console and /dev/tty (every
// description of either is a TerminalFile over this object). Input arrives from the server's
// console reader thread (Receive: bytes from the kernel's console_read), goes through the line
// discipline, and wakes readers; echo and application output go to the kernel console unchanged
// (the host side — QEMU's stdio keeps OPOST — turns NL into CR NL, as it does for the kernel's own
// lines). The terminal also keeps the POSIX job-control state: the session it controls and its
// foreground process group (TIOCGPGRP/TIOCSPGRP), which the first process to open it sets.
// Signals from INTR/QUIT/SUSP go to SignalGroup (Personality.SignalProcessGroup: every process of
// the foreground group); without one (a terminal used alone, in tests) they are logged, once each,
// and only flush the input.
// Guarded by `gate`: foregroundGroup, session, rows, columns, files.
using Biscuit.Posix.Events;

namespace Biscuit.Posix;

public sealed class ConsoleTerminal(ISystemServices system)
{
    private readonly object gate = new();
    private readonly List<TerminalFile> files = new();    // open descriptions, told of readiness changes
    private int foregroundGroup;                          // 0 until a process opens the terminal
    private int session;
    private ushort rows = TerminalIoctl.DefaultRows, columns = TerminalIoctl.DefaultColumns;
    private int unsignalledLogged;                        // bit per signal already logged

    public LineDiscipline Discipline { get; } = new();

    /// <summary>Raises `signal` on every process of group `pgrp` (set by Personality).</summary>
    public Action<int, int>? SignalGroup { get; set; }

    public int ForegroundGroup { get { lock (gate) return foregroundGroup; } }
    public int Session { get { lock (gate) return session; } }

    /// <summary>A process opened the terminal: the first one makes its session and group the
    /// terminal's (a session leader acquiring its controlling terminal).</summary>
    public void Opened(PosixProcess? opener)
    {
        if (opener is null) return;
        int group, leader;
        lock (opener.Gate) { group = opener.ProcessGroup; leader = opener.Session; }
        lock (gate)
        {
            if (foregroundGroup != 0) return;
            foregroundGroup = group;
            session = leader;
        }
    }

    public long SetForegroundGroup(int group)
    {
        if (group <= 0) return -Errno.EINVAL;
        lock (gate) foregroundGroup = group;
        return 0;
    }

    public (ushort Rows, ushort Columns) WindowSize { get { lock (gate) return (rows, columns); } }

    public void SetWindowSize(ushort newRows, ushort newColumns)
    {
        lock (gate) { rows = newRows; columns = newColumns; }
    }

    /// <summary>Bytes typed on the console (the reader thread calls this).</summary>
    public void Receive(ReadOnlySpan<byte> input)
    {
        var effects = Discipline.Receive(input);
        if (effects.Echo.Length > 0) system.ConsoleWrite(effects.Echo);
        foreach (int signal in effects.Signals) Raise(signal);
        if (effects.BecameReadable || effects.Signals.Count > 0) ReadinessChanged();
    }

    /// <summary>Output to the terminal: written whole to the console.</summary>
    public long Write(ReadOnlySpan<byte> from)
    {
        system.ConsoleWrite(from);
        return from.Length;
    }

    /// <summary>The console has no input (no Console capability, or the reader failed): reads end.</summary>
    public void EndInput()
    {
        Discipline.EndInput();
        ReadinessChanged();
    }

    public void ApplySettings(TerminalSettings settings, bool flushInput)
    {
        Discipline.Apply(settings, flushInput);
        ReadinessChanged();
    }

    internal void Attach(TerminalFile file) { lock (gate) files.Add(file); }
    internal void Detach(TerminalFile file) { lock (gate) files.Remove(file); }

    public Readiness CurrentReadiness() => Readiness.Out | (Discipline.Readable ? Readiness.In : 0);

    private void ReadinessChanged()
    {
        TerminalFile[] snapshot;
        lock (gate) snapshot = files.ToArray();
        foreach (var file in snapshot) file.TerminalChanged();
    }

    private void Raise(int signal)
    {
        int group = ForegroundGroup;
        var deliver = SignalGroup;
        if (deliver is not null && group > 0) { deliver(group, signal); return; }
        int bit = 1 << (signal & 31);
        if ((Interlocked.Or(ref unsignalledLogged, bit) & bit) == 0)
            system.Log($"posix: console: signal {signal} for process group {group} not sent (no signaller attached); the input was flushed");
    }
}
