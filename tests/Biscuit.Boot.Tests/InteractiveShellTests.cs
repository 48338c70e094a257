// The interactive shell of issue 7 item 5: busybox's `sh` as posix's first program, on the serial
// console, typed at by the test through QEMU's stdin (a pipe: `-serial stdio`). Each step types a
// line and waits for output that only the shell's work can produce (an arithmetic result, a
// pipe's transformation, a file's contents read back), never the echo of what was typed. The
// console's path is exercised whole: the UART's receive interrupt, the kernel ring and
// console_read, posix's reader thread, the line discipline (canonical `read` and `cat` with
// erase, kill and ^D), busybox's own line editing in raw mode (TCSETS), and ^D ending the shell.
using System.Diagnostics;
using System.Text;

namespace Biscuit.Boot.Tests;

public sealed class InteractiveShellTests : IClassFixture<ShellDisk>
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(2);
    private readonly ShellDisk _disk;
    public InteractiveShellTests(ShellDisk disk) => _disk = disk;

    /// <summary>QEMU with the whole system and the serial console on pipes the test holds.</summary>
    private sealed class ConsoleSession : IDisposable
    {
        private readonly Process _qemu;
        private readonly StringBuilder _output = new();
        private readonly Thread _reader;

        public ConsoleSession(string disk)
        {
            _ = Repository.KernelImage;
            string modules = Path.Combine(Repository.Build, "modules");
            string initrd = string.Join(",", new[] { Path.Combine(Repository.Build, "kernel.syms"), Path.Combine(modules, "init"),
                    Path.Combine(Repository.Root, "tests", "manifests", "shell-interactive", "manifest") }
                .Concat(new[] { "blk-server", "fs-server", "nic-server", "net-server", "posix-server" }.Select(s => Path.Combine(modules, s))));
            var psi = new ProcessStartInfo("qemu-system-x86_64",
                "-m 1G -smp 1 -display none -monitor none -serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 " +
                "-netdev user,id=n0 -device e1000e,netdev=n0,romfile= " +
                $"-drive file=\"{disk}\",if=none,id=d0,format=raw -device virtio-blk-pci,drive=d0 " +
                $"-kernel \"{Repository.KernelImage}\" -initrd \"{initrd}\" -append \"init=init\"")
            { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            _qemu = Process.Start(psi)!;
            _qemu.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_output) _output.Append("stderr: ").Append(e.Data).Append('\n'); };
            _qemu.BeginErrorReadLine();
            _reader = new Thread(() =>
            {
                var stream = _qemu.StandardOutput.BaseStream;
                var buffer = new byte[4096];
                int n;
                while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
                    lock (_output) _output.Append(Encoding.Latin1.GetString(buffer, 0, n));
            }) { IsBackground = true };
            _reader.Start();
        }

        public string Output { get { lock (_output) return _output.ToString(); } }

        public void Type(string keys)
        {
            var stdin = _qemu.StandardInput.BaseStream;
            stdin.Write(Encoding.Latin1.GetBytes(keys));
            stdin.Flush();
        }

        /// <summary>Waits until the output after `from` contains `text`; returns where it ends.</summary>
        public int WaitFor(string text, int from, TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < timeout)
            {
                string output = Output;
                int at = output.IndexOf(text, Math.Min(from, output.Length), StringComparison.Ordinal);
                if (at >= 0) return at + text.Length;
                if (_qemu.HasExited) break;
                Thread.Sleep(100);
            }
            throw new Xunit.Sdk.XunitException($"'{text}' did not appear after offset {from} within {clock.Elapsed}; console:\n{Output}");
        }

        public void Dispose()
        {
            try { if (!_qemu.HasExited) { _qemu.Kill(entireProcessTree: true); _qemu.WaitForExit(10_000); } }
            catch (InvalidOperationException) { }
            _qemu.Dispose();
        }
    }

    /// <summary>Types `line` and a carriage return (what Enter sends), waits for `expected` in the
    /// output that follows, then for the next prompt; returns the position after the prompt.</summary>
    private static int Step(ConsoleSession s, int from, string line, string expected)
    {
        s.Type(line + "\r");
        int after = s.WaitFor(expected, from, StepTimeout);
        return s.WaitFor("# ", after, StepTimeout);
    }

    [Fact]
    public void A_user_types_commands_at_busybox_sh_on_the_serial_console_and_sees_their_output()
    {
        using var s = new ConsoleSession(_disk.CopyForBoot("interactive"));
        int at = s.WaitFor("posix: started /bin/sh as pid 1", 0, TimeSpan.FromMinutes(5));
        at = s.WaitFor("# ", at, StepTimeout);

        // A builtin whose output is computed, so it cannot be the echo of the typed line.
        at = Step(s, at, "echo sum-$((6*7))", "sum-42");
        // A pipe between two forked programs.
        at = Step(s, at, "echo one two three | tr a-z A-Z", "ONE TWO THREE");
        // A file written, then read back by cat in a second command.
        at = Step(s, at, "echo stored-$((1+1)) > /root/note", "\n");
        at = Step(s, at, "cat /root/note", "stored-2");
        at = Step(s, at, "ls /root", "note");
        // busybox's own line editing (raw mode): DEL erases the 'b'.
        at = Step(s, at, "echo ab\u007fc-erased", "ac-erased");
        Assert.DoesNotContain("abc-erased", s.Output);
        // /proc through cat and a pipe; ps lists the shell.
        at = Step(s, at, "cat /proc/meminfo | head -1", "MemTotal:");
        at = Step(s, at, "ps", "/bin/sh");

        // posix's canonical line discipline: the shell's `read` builtin reads the cooked terminal,
        // where DEL erases a character and ^U the whole line.
        s.Type("echo reading-$((2+3)); read v; echo \"got[$v]\"\r");
        at = s.WaitFor("reading-5", at, StepTimeout);
        s.Type("xy\u007fz\r");
        at = s.WaitFor("got[xz]", at, StepTimeout);
        at = s.WaitFor("# ", at, StepTimeout);
        s.Type("echo reading-$((3+4)); read v; echo \"got[$v]\"\r");
        at = s.WaitFor("reading-7", at, StepTimeout);
        s.Type("junk\u0015kept\r");
        at = s.WaitFor("got[kept]", at, StepTimeout);
        at = s.WaitFor("# ", at, StepTimeout);

        // cat copies typed lines to a file until ^D at the start of a line ends its input.
        s.Type("echo copying-$((4+5)); cat > /root/typed\r");
        at = s.WaitFor("copying-9", at, StepTimeout);
        s.Type("first line\r");
        s.Type("second line\r");
        s.Type("\u0004");
        at = s.WaitFor("# ", at, StepTimeout);
        at = Step(s, at, "echo lines-$(wc -l < /root/typed)", "lines-2");
        at = Step(s, at, "tail -1 /root/typed | tr a-z A-Z", "SECOND LINE");

        // ^D on an empty prompt ends the shell: posix's first program exits with status 0.
        s.Type("\u0004");
        s.WaitFor("posix: pid 1 (sh) ended, wait status 0", at, StepTimeout);
    }
}
