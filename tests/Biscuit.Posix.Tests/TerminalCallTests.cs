// /dev/console and /dev/tty as applications see them through forwarded calls: reads that wait for a
// finished line (blocking only the caller), echo on the console, the termios ioctls busybox's line
// editing uses, the window size, the foreground process group, poll readiness, and the errors.
using System.Buffers.Binary;
using System.Text;
using static Biscuit.Posix.Tests.PosixHarness;

namespace Biscuit.Posix.Tests;

public sealed class TerminalCallTests : IDisposable
{
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    private ConsoleTerminal Terminal => h.Posix.Files.Terminal;
    private void Type(string keys) => Terminal.Receive(Encoding.ASCII.GetBytes(keys));

    [Fact]
    public async Task A_read_of_the_console_waits_for_a_typed_line_and_returns_it()
    {
        int console = h.Open("/dev/console", O.RDWR);
        ulong buffer = h.Alloc(64);
        var reader = Task.Run(() => h.Call(LinuxCall.Read, (ulong)console, buffer, 64));
        await Task.Delay(50);
        Assert.False(reader.IsCompleted, "the read returned before anything was typed");
        Type("echo hi\r");
        Assert.Same(reader, await Task.WhenAny(reader, Task.Delay(TimeSpan.FromSeconds(30))));
        Assert.Equal(8, await reader);
        Assert.Equal("echo hi\n", h.GetString(buffer, 8));
        Assert.Equal("echo hi\n", h.System.Console);     // the echo
    }

    [Fact]
    public void Dev_tty_is_the_same_terminal_as_dev_console()
    {
        int tty = h.Open("/dev/tty", O.RDWR);
        Type("x\r");
        Assert.Equal("x\n", h.Read(tty, 10));
        Assert.Equal(3, h.Write(tty, "out"));
        Assert.EndsWith("out", h.System.Console);
    }

    [Fact]
    public void A_non_blocking_read_with_nothing_typed_is_EAGAIN()
    {
        int console = h.Open("/dev/console", O.RDWR | O.NONBLOCK);
        Assert.Equal(-Errno.EAGAIN, h.Call(LinuxCall.Read, (ulong)console, h.Alloc(8), 8));
    }

    [Fact]
    public void Ctrl_d_on_an_empty_line_is_end_of_file_for_the_reader()
    {
        int console = h.Open("/dev/console", O.RDONLY);
        Type("\x04");
        Assert.Equal(0, h.Call(LinuxCall.Read, (ulong)console, h.Alloc(8), 8));
    }

    [Fact]
    public void Ctrl_c_posts_SIGINT_to_every_process_of_the_foreground_group_and_flushes_the_line()
    {
        Assert.Equal(0, h.Call(LinuxCall.Setpgid, 0, 0));
        int console = h.Open("/dev/console", O.RDWR | O.NONBLOCK);   // the first opener's group is the foreground
        var child = h.Posix.Processes.Find((ulong)h.Call(LinuxCall.Fork))!;
        var stranger = h.Posix.Processes.Find((ulong)h.Call(LinuxCall.Fork))!;
        Assert.Equal(0, h.CallAs(stranger, LinuxCall.Setpgid, 0, 0));
        Type("half\x03");
        Assert.Equal(-Errno.EAGAIN, h.Call(LinuxCall.Read, (ulong)console, h.Alloc(8), 8));
        foreach (var p in new[] { h.Process, child })
            Assert.Equal([(2, Sig.SI_KERNEL, 0, 0)], h.Kernel.Of(p.Kernel).Signals);
        Assert.Empty(h.Kernel.Of(stranger.Kernel).Signals);
    }

    [Fact]
    public void Ctrl_c_on_a_terminal_without_a_signaller_flushes_the_line_and_logs_once()
    {
        Terminal.SignalGroup = null;
        int console = h.Open("/dev/console", O.RDWR | O.NONBLOCK);
        Type("half\x03");
        Type("more\x03");
        Assert.Equal(-Errno.EAGAIN, h.Call(LinuxCall.Read, (ulong)console, h.Alloc(8), 8));
        Assert.Single(h.System.LogLines, l => l.Contains("signal 2") && l.Contains("not sent"));
    }

    [Fact]
    public void Ctrl_c_and_ctrl_backslash_go_to_the_foreground_process_group_set_by_TIOCSPGRP()
    {
        var raised = new List<(int Group, int Signal)>();
        Terminal.SignalGroup = (group, signal) => raised.Add((group, signal));
        int console = h.Open("/dev/console", O.RDWR);
        ulong pgrp = h.Put(BitConverter.GetBytes(7));
        Assert.Equal(0, h.Call(LinuxCall.Ioctl, (ulong)console, TerminalIoctl.TIOCSPGRP, pgrp));
        Type("\x03\x1c");
        Assert.Equal([(7, 2), (7, 3)], raised);
    }

    [Fact]
    public void TCSETS_turning_off_ICANON_and_ECHO_gives_single_bytes_without_echo_and_TCGETS_reads_it_back()
    {
        int console = h.Open("/dev/console", O.RDWR);
        ulong termios = h.Alloc(TerminalSettings.Size);
        Assert.Equal(0, h.Call(LinuxCall.Ioctl, (ulong)console, TerminalIoctl.TCGETS, termios));
        var settings = TerminalSettings.Decode(h.Get(termios, TerminalSettings.Size));
        Assert.True(settings.Canonical && settings.Echo);
        var raw = settings with { LocalFlags = settings.LocalFlags & ~(TerminalSettings.ICANON | TerminalSettings.ECHO) };
        ulong rawAddress = h.Put(raw.Encode());
        Assert.Equal(0, h.Call(LinuxCall.Ioctl, (ulong)console, TerminalIoctl.TCSETSW, rawAddress));
        Type("k");
        Assert.Equal("k", h.Read(console, 1));
        Assert.Equal("", h.System.Console);
        Assert.Equal(0, h.Call(LinuxCall.Ioctl, (ulong)console, TerminalIoctl.TCGETS, termios));
        Assert.False(TerminalSettings.Decode(h.Get(termios, TerminalSettings.Size)).Canonical);
    }

    [Fact]
    public void TIOCGWINSZ_answers_80_columns_by_25_rows_until_TIOCSWINSZ_sets_another_size()
    {
        int console = h.Open("/dev/console", O.RDWR);
        ulong winsize = h.Alloc(8);
        Assert.Equal(0, h.Call(LinuxCall.Ioctl, (ulong)console, TerminalIoctl.TIOCGWINSZ, winsize));
        var w = h.Get(winsize, 8);
        Assert.Equal(25, BinaryPrimitives.ReadUInt16LittleEndian(w));
        Assert.Equal(80, BinaryPrimitives.ReadUInt16LittleEndian(w.AsSpan(2)));
        ulong bigger = h.Put(new byte[] { 50, 0, 132, 0, 0, 0, 0, 0 });
        Assert.Equal(0, h.Call(LinuxCall.Ioctl, (ulong)console, TerminalIoctl.TIOCSWINSZ, bigger));
        Assert.Equal(0, h.Call(LinuxCall.Ioctl, (ulong)console, TerminalIoctl.TIOCGWINSZ, winsize));
        Assert.Equal(132, BinaryPrimitives.ReadUInt16LittleEndian(h.Get(winsize, 8).AsSpan(2)));
    }

    [Fact]
    public void The_first_opener_makes_its_process_group_the_foreground_one_and_TIOCSPGRP_changes_it()
    {
        var leader = h.NewProcess();
        lock (leader.Gate) { leader.ProcessGroup = leader.Pid; leader.Session = leader.Pid; }
        byte[] path = Encoding.ASCII.GetBytes("/dev/tty\0");
        h.Kernel.Write(leader.Kernel, Scratch, path);      // the leader's own scratch area
        Assert.True(h.CallAs(leader, LinuxCall.Openat, U(At.FDCWD), Scratch, (ulong)O.RDWR, 0) >= 0);
        int console = h.Open("/dev/console", O.RDWR);
        ulong value = h.Alloc(4);
        Assert.Equal(0, h.Call(LinuxCall.Ioctl, (ulong)console, TerminalIoctl.TIOCGPGRP, value));
        Assert.Equal(leader.Pid, h.GetInt(value));
        Assert.Equal(0, h.Call(LinuxCall.Ioctl, (ulong)console, TerminalIoctl.TIOCGSID, value));
        Assert.Equal(leader.Pid, h.GetInt(value));
        Assert.Equal(0, h.Call(LinuxCall.Ioctl, (ulong)console, TerminalIoctl.TIOCSPGRP, h.Put(BitConverter.GetBytes(42))));
        Assert.Equal(0, h.Call(LinuxCall.Ioctl, (ulong)console, TerminalIoctl.TIOCGPGRP, value));
        Assert.Equal(42, h.GetInt(value));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Ioctl, (ulong)console, TerminalIoctl.TIOCSPGRP, h.Put(BitConverter.GetBytes(-3))));
    }

    [Fact]
    public void FIONREAD_counts_the_bytes_of_finished_lines_and_TCFLSH_discards_them()
    {
        int console = h.Open("/dev/console", O.RDWR);
        Type("abc\rde");
        ulong count = h.Alloc(4);
        Assert.Equal(0, h.Call(LinuxCall.Ioctl, (ulong)console, TerminalIoctl.FIONREAD, count));
        Assert.Equal(4, h.GetInt(count));
        Assert.Equal(0, h.Call(LinuxCall.Ioctl, (ulong)console, TerminalIoctl.TCFLSH, (ulong)TerminalIoctl.TCIFLUSH));
        Assert.Equal(0, h.Call(LinuxCall.Ioctl, (ulong)console, TerminalIoctl.FIONREAD, count));
        Assert.Equal(0, h.GetInt(count));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Ioctl, (ulong)console, TerminalIoctl.TCFLSH, 7));
    }

    [Fact]
    public void Poll_says_readable_only_once_a_line_is_finished()
    {
        int console = h.Open("/dev/console", O.RDWR);
        var fds = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(fds, console);
        BinaryPrimitives.WriteInt16LittleEndian(fds.AsSpan(4), 1);       // POLLIN
        ulong address = h.Put(fds);
        Assert.Equal(0, h.Call(LinuxCall.Poll, address, 1, 0));
        Type("ls");
        Assert.Equal(0, h.Call(LinuxCall.Poll, address, 1, 0));
        Type("\r");
        Assert.Equal(1, h.Call(LinuxCall.Poll, address, 1, 0));
        Assert.Equal(1, BinaryPrimitives.ReadInt16LittleEndian(h.Get(address, 8).AsSpan(6)));
    }

    [Fact]
    public void Terminal_ioctls_with_a_bad_pointer_are_EFAULT_and_unknown_requests_ENOTTY()
    {
        int console = h.Open("/dev/console", O.RDWR);
        Assert.Equal(-Errno.EFAULT, h.Call(LinuxCall.Ioctl, (ulong)console, TerminalIoctl.TCGETS, Unmapped));
        Assert.Equal(-Errno.EFAULT, h.Call(LinuxCall.Ioctl, (ulong)console, TerminalIoctl.TCSETS, Unmapped));
        Assert.Equal(-Errno.EFAULT, h.Call(LinuxCall.Ioctl, (ulong)console, TerminalIoctl.TIOCSPGRP, Unmapped));
        Assert.Equal(-Errno.ENOTTY, h.Call(LinuxCall.Ioctl, (ulong)console, 0x5499, 0));
        Assert.Equal(-Errno.ESPIPE, h.Call(LinuxCall.Lseek, (ulong)console, 0, Seek.SET));
    }

    [Fact]
    public void Reading_a_console_opened_write_only_is_EBADF()
    {
        int console = h.Open("/dev/console", O.WRONLY);
        Assert.Equal(-Errno.EBADF, h.Call(LinuxCall.Read, (ulong)console, h.Alloc(8), 8));
    }
}
