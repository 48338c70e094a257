// Starts the kernel under QEMU with the flags of `./biscuit run` (less the network) and timestamps
// each serial line as the host sees it, so boot phases can be measured from QEMU's spawn.
using System.Diagnostics;

namespace Biscuit.Bench;

public sealed record TimedLine(double Seconds, string Text);

public static class Qemu
{
    // The whole system: init and `manifest`, with the server binaries it names (build/modules).
    public static (int ExitCode, List<TimedLine> Lines) BootSystem(string build, string memory, string manifest, TimeSpan timeout, params string[] servers)
    {
        string modules = Path.Combine(build, "modules");
        var paths = new[] { Path.Combine(modules, "init"), manifest }.Concat(servers.Select(s => Path.Combine(modules, s)));
        return Run(build, memory, "init=init exit=init", timeout, string.Join(",", new[] { Path.Combine(build, "kernel.syms") }.Concat(paths)));
    }

    // `modules`: guest programs from build/guest, passed as Multiboot modules after the symbols.
    public static (int ExitCode, List<TimedLine> Lines) Boot(string build, string memory, string options, TimeSpan timeout, params string[] modules)
    {
        string initrd = string.Join(",", new[] { Path.Combine(build, "kernel.syms") }.Concat(modules.Select(m => Path.Combine(build, "guest", m))));
        return Run(build, memory, options, timeout, initrd);
    }

    private static (int ExitCode, List<TimedLine> Lines) Run(string build, string memory, string options, TimeSpan timeout, string initrd)
    {
        var psi = new ProcessStartInfo("qemu-system-x86_64",
            $"-m {memory} -smp 1 -display none -monitor none -serial stdio -no-reboot -nic none " +
            "-device isa-debug-exit,iobase=0xf4,iosize=0x04 " +
            $"-kernel \"{Path.Combine(build, "kernel.bin")}\" -initrd \"{initrd}\" -append \"{options}\"")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
        };
        var lines = new List<TimedLine>();
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (lines) lines.Add(new TimedLine(clock.Elapsed.TotalSeconds, e.Data)); };
        p.BeginOutputReadLine();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return (-1, lines);
        }
        p.WaitForExit();
        return (p.ExitCode, lines);
    }
}
