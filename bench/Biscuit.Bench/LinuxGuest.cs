// The Linux guest of bench/linux: Debian's kernel and an initramfs with Debian's nginx and
// linux-ipcbench, built by bench/linux/build.sh (incremental) into build/linux. It boots with the
// QEMU flags Biscuit boots with (Qemu.cs; the network as `./biscuit run` has it): only -kernel,
// -initrd and -append differ, so the two systems are compared on the same emulated machine.
using System.Diagnostics;

namespace Biscuit.Bench;

public sealed class LinuxGuest
{
    public const string BaseAppend = "console=ttyS0 quiet panic=-1";

    public required string Kernel { get; init; }
    public required string Initrd { get; init; }
    public required string KernelVersion { get; init; }
    public required IReadOnlyDictionary<string, string> FileSha256 { get; init; }   // docroot file -> sha256 (hex)

    private static LinuxGuest? built;   // one build per bench invocation; only the main thread builds

    // Runs bench/linux/build.sh (fast when nothing changed); a failure carries the script's message
    // (a missing Debian package is named there).
    public static LinuxGuest Build(string root)
    {
        if (built != null) return built;
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(root, "bench", "linux", "build.sh"));
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"bench/linux/build.sh failed (exit {p.ExitCode}):\n{stdout.Result}{stderr}");
        string dir = Path.Combine(root, "build", "linux");
        var sums = ReadSha256(Path.Combine(dir, "www.sha256"));
        return built = new LinuxGuest
        {
            Kernel = Path.Combine(dir, "vmlinuz"),
            Initrd = Path.Combine(dir, "initramfs.cpio.gz"),
            KernelVersion = File.ReadAllText(Path.Combine(dir, "kver")).Trim(),
            FileSha256 = sums,
        };
    }

    // A sha256sum-format file ("HEX  NAME" lines) as name -> hex; a malformed line is an error naming it.
    public static Dictionary<string, string> ReadSha256(string file)
    {
        var sums = new Dictionary<string, string>();
        foreach (string line in File.ReadAllLines(file).Where(l => l.Trim().Length > 0))
        {
            var f = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length != 2 || f[0].Length != 64) throw new InvalidOperationException($"{file}: '{line}' is not a sha256sum line");
            sums[Path.GetFileName(f[1].Trim())] = f[0];
        }
        return sums;
    }

    // Biscuit's QEMU command line (BiscuitGuest.QemuArguments, from ./biscuit's qemu_args) turned into
    // this guest's: the same flags, memory, NIC and port forward; only -kernel, -initrd and -append
    // differ, and Biscuit's root disk (-drive and its virtio-blk-pci device) is left out, since the
    // Linux guest serves its files from its initramfs — unless `keepRootDisk`: then the guest gets
    // the very same disk (the posix benchmark mounts it, init.sh's disk=vda).
    public List<string> QemuArgumentsLike(IReadOnlyList<string> biscuit, string append, bool keepRootDisk = false)
    {
        var args = new List<string>();
        for (int i = 0; i < biscuit.Count; i++)
        {
            string a = biscuit[i];
            if (!keepRootDisk && i + 1 < biscuit.Count &&
                (a == "-drive" || (a == "-device" && biscuit[i + 1].StartsWith("virtio-blk-pci", StringComparison.Ordinal)))) { i++; continue; }
            if (i + 1 < biscuit.Count && a is "-kernel" or "-initrd" or "-append")
            {
                args.Add(a);
                args.Add(a switch { "-kernel" => Kernel, "-initrd" => Initrd, _ => append });
                i++;
                continue;
            }
            args.Add(a);
        }
        return args;
    }

    // The QEMU command line. `httpPort`: null boots without a NIC (like Biscuit's micro-benchmarks);
    // otherwise the e1000e NIC of `./biscuit run`, with 127.0.0.1:httpPort forwarded to guest port 80.
    public List<string> QemuArguments(string memory, string append, int? httpPort)
    {
        var args = new List<string> { "-m", memory, "-smp", "1", "-display", "none", "-monitor", "none",
            "-serial", "stdio", "-no-reboot" };
        if (httpPort is int port)
            args.AddRange(["-netdev", $"user,id=n0,hostfwd=tcp:127.0.0.1:{port}-:80", "-device", "e1000e,netdev=n0,romfile="]);
        else
            args.AddRange(["-nic", "none"]);
        args.AddRange(["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-kernel", Kernel, "-initrd", Initrd, "-append", append]);
        return args;
    }
}
