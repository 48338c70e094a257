// An open description of the console terminal (/dev/console, /dev/tty): reads take what the line
// discipline has finished (-EAGAIN makes posix's Blocking wait for readiness, so a read blocks only
// its caller's worker), writes go to the console, and the terminal ioctls of TerminalIoctl.cs are
// answered here: TCGETS/TCSETS/TCSETSW/TCSETSF (TCSETSW waits for nothing: output is never queued),
// TIOCGWINSZ/TIOCSWINSZ, TIOCGPGRP/TIOCSPGRP/TIOCGSID, TIOCSCTTY/TIOCNOTTY (accepted), TCFLSH,
// TCSBRK/TCXONC (accepted), FIONREAD. Anything else is -ENOTTY; a bad argument pointer -EFAULT.
using Biscuit.Posix.Events;

namespace Biscuit.Posix;

public sealed class TerminalFile : OpenFile
{
    private readonly ConsoleTerminal terminal;
    private readonly string path;

    public TerminalFile(ConsoleTerminal terminal, string path, int statusFlags) : base(statusFlags)
    {
        this.terminal = terminal;
        this.path = path;
        terminal.Attach(this);
    }

    public override string? Path => path;

    public override long Read(Span<byte> into) => CanRead ? terminal.Discipline.Read(into) : -Errno.EBADF;
    public override long Write(ReadOnlySpan<byte> from) => CanWrite ? terminal.Write(from) : -Errno.EBADF;
    public override long ReadAt(Span<byte> into, long offset) => -Errno.ESPIPE;
    public override long WriteAt(ReadOnlySpan<byte> from, long offset) => -Errno.ESPIPE;
    public override long Seek(long offset, int whence) => -Errno.ESPIPE;
    public override FileStatus Status() => FileStatus.Synthetic(Mode.IFCHR | 0x1B6, 100 + (ulong)DeviceKind.Console, DeviceFile.DeviceNumber(DeviceKind.Console));
    public override Readiness CurrentReadiness() => terminal.CurrentReadiness();

    protected override void Release() => terminal.Detach(this);

    internal void TerminalChanged() => ReadinessChanged();

    public override long Control(uint request, ulong argument, UserMemory memory)
    {
        switch (request)
        {
            case TerminalIoctl.TCGETS:
                memory.Write(argument, terminal.Discipline.Settings.Encode());
                return 0;
            case TerminalIoctl.TCSETS:
            case TerminalIoctl.TCSETSW:
            case TerminalIoctl.TCSETSF:
                terminal.ApplySettings(TerminalSettings.Decode(memory.Read(argument, TerminalSettings.Size)), request == TerminalIoctl.TCSETSF);
                return 0;
            case TerminalIoctl.TIOCGWINSZ:
            {
                var (rows, columns) = terminal.WindowSize;
                var winsize = new byte[TerminalIoctl.WinsizeBytes];
                BitConverter.TryWriteBytes(winsize.AsSpan(0), rows);
                BitConverter.TryWriteBytes(winsize.AsSpan(2), columns);
                memory.Write(argument, winsize);
                return 0;
            }
            case TerminalIoctl.TIOCSWINSZ:
            {
                var winsize = memory.Read(argument, TerminalIoctl.WinsizeBytes);
                terminal.SetWindowSize(BitConverter.ToUInt16(winsize, 0), BitConverter.ToUInt16(winsize, 2));
                return 0;
            }
            case TerminalIoctl.TIOCGPGRP:
                memory.WriteU32(argument, (uint)terminal.ForegroundGroup);
                return 0;
            case TerminalIoctl.TIOCSPGRP:
                return terminal.SetForegroundGroup((int)memory.ReadU32(argument));
            case TerminalIoctl.TIOCGSID:
                memory.WriteU32(argument, (uint)terminal.Session);
                return 0;
            case TerminalIoctl.FIONREAD:
                memory.WriteU32(argument, (uint)terminal.Discipline.BytesAvailable);
                return 0;
            case TerminalIoctl.TCFLSH:
                if (argument > TerminalIoctl.TCIOFLUSH) return -Errno.EINVAL;
                if (argument != TerminalIoctl.TCOFLUSH) terminal.Discipline.FlushInput();
                return 0;
            case TerminalIoctl.TIOCSCTTY:
            case TerminalIoctl.TIOCNOTTY:
            case TerminalIoctl.TCSBRK:
            case TerminalIoctl.TCXONC:
                return 0;
            default:
                return -Errno.ENOTTY;
        }
    }
}
