// One boot of the kernel under QEMU (TCG), with the flags of `./biscuit run` less the network:
// serial console captured, isa-debug-exit for the kernel's exit status, -no-reboot so that a
// triple fault ends QEMU (status 0) instead of looping. A boot that outlives its timeout is killed.
namespace Biscuit.Boot.Tests;

public sealed record QemuRun(int ExitStatus, string Serial, bool TimedOut)
{
    // QEMU's exit status for each KernelExitCode (microkernel/Kernel/Diagnostics/QemuExit.cs):
    // isa-debug-exit turns a write of V into (V << 1) | 1.
    public const int KernelSuccess = 1, KernelPanic = 3, KernelCpuException = 5;
    public const int TripleFaultOrPowerOff = 0;

    public const int InitFailed = 7;

    // `modules` are guest programs from build/guest, passed as Multiboot modules after the symbols.
    // A second serial port (COM2, unconnected) exists for the IRQ tests.
    public static QemuRun Boot(string memory, string options, int timeoutSeconds = 60, params string[] modules)
    {
        string image = Repository.KernelImage;
        string initrd = string.Join(",", new[] { Path.Combine(Repository.Build, "kernel.syms") }
            .Concat(modules.Select(m => Path.Combine(Repository.Build, "guest", m))));
        string args = $"-m {memory} -smp 1 -display none -monitor none -serial stdio -serial null -no-reboot -nic none " +
                      "-device isa-debug-exit,iobase=0xf4,iosize=0x04 " +
                      $"-kernel \"{image}\" -initrd \"{initrd}\" -append \"{options}\"";
        var (code, output) = Repository.Run("qemu-system-x86_64", args, TimeSpan.FromSeconds(timeoutSeconds));
        return new QemuRun(code, output, code == -1);
    }

    // The whole system: init (build/modules) with the manifest of tests/manifests/NAME and the
    // server binaries it starts (build/modules).
    public static QemuRun BootSystem(string memory, string manifest, int timeoutSeconds, params string[] servers) =>
        BootSystemWith("", memory, manifest, timeoutSeconds, servers);

    // The same, with extra QEMU arguments (a disk, a NIC).
    public static QemuRun BootSystemWith(string extraQemuArgs, string memory, string manifest, int timeoutSeconds, params string[] servers)
    {
        _ = Repository.KernelImage;   // builds everything, modules included
        string modules = Path.Combine(Repository.Build, "modules");
        string initrd = string.Join(",", new[] { Path.Combine(Repository.Build, "kernel.syms"), Path.Combine(modules, "init"),
                Path.Combine(Repository.Root, "tests", "manifests", manifest, "manifest") }
            .Concat(servers.Select(s => Path.Combine(modules, s))));
        string args = $"-m {memory} -smp 1 -display none -monitor none -serial stdio -serial null -no-reboot -nic none " +
                      "-device isa-debug-exit,iobase=0xf4,iosize=0x04 " +
                      extraQemuArgs + " " +
                      $"-kernel \"{Repository.KernelImage}\" -initrd \"{initrd}\" -append \"init=init exit=init\"";
        var (code, output) = Repository.Run("qemu-system-x86_64", args, TimeSpan.FromSeconds(timeoutSeconds));
        return new QemuRun(code, output, code == -1);
    }

    public string Line(string prefix) =>
        Serial.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?.TrimEnd('\r')
        ?? throw new Xunit.Sdk.XunitException($"no line starting with '{prefix}' in the serial log:\n{Serial}");

    public override string ToString() => $"exit {ExitStatus}{(TimedOut ? " (timed out)" : "")}, serial log:\n{Serial}";
}
