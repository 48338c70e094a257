// Biscuit as `./biscuit run` boots it: boot/manifest (fs, net, posix running Debian's nginx) with the
// root disk build/rootfs.ext3. The QEMU command line is not written here: it comes from the
// `./biscuit` script's own functions (attach_root_disk, then qemu_args), run in a bash that sources
// the script, so the benchmark and `./biscuit run` cannot drift apart. attach_root_disk makes a
// fresh copy of the root disk per port (build/run/rootfs-PORT.ext3), so every boot starts from the
// built image. The root disk is (re)built first by boot/rootfs/build.sh, which is incremental.
using System.Diagnostics;

namespace Biscuit.Bench;

public sealed class BiscuitGuest
{
    public const string NginxStartMarker = "posix: started /usr/sbin/nginx";

    public required string Root { get; init; }
    public required IReadOnlyDictionary<string, string> FileSha256 { get; init; }   // docroot file -> sha256 (hex), build/www.sha256

    public static BiscuitGuest Prepare(string root)
    {
        var (code, output) = Bash("-c", Quote(Path.Combine(root, "boot", "rootfs", "build.sh")));
        if (code != 0) throw new InvalidOperationException($"boot/rootfs/build.sh failed (exit {code}):\n{output}");
        string manifest = Path.Combine(root, "build", "modules", "manifest");
        if (!File.Exists(manifest))
            throw new InvalidOperationException($"{manifest} is missing: build first (./biscuit image, or ./biscuit bench, which builds)");
        return new BiscuitGuest { Root = root, FileSha256 = LinuxGuest.ReadSha256(Path.Combine(root, "build", "www.sha256")) };
    }

    // `./biscuit run`'s QEMU arguments for host port `port` and `memory`, with a fresh root disk copy.
    public List<string> QemuArguments(string memory, int port)
    {
        string script = Path.Combine(Root, "biscuit");
        string program =
            "set -euo pipefail; " +
            $"source <(sed '/^main \"\\$@\"$/d' {Quote(script)}); " +
            $"BUILD={Quote(Path.Combine(Root, "build"))}; PORT={port}; " +
            $"attach_root_disk; qemu_args {Quote(memory)} stdio \"$BUILD/modules/manifest\"; printf '%s\\n' \"${{QEMU_ARGS[@]}}\"";
        var (code, output) = Bash("-c", program);
        if (code != 0) throw new InvalidOperationException($"./biscuit's qemu_args failed (exit {code}):\n{output}");
        var args = output.Split('\n').Where(l => l.Length > 0).ToList();
        if (!args.Contains("-kernel") || !args.Contains($"file={RootDiskCopy(port)},if=none,id=d0,format=raw"))
            throw new InvalidOperationException($"./biscuit's qemu_args gave no -kernel or not the root disk copy {RootDiskCopy(port)}:\n{output}");
        return args;
    }

    // The QEMU arguments of `./biscuit run --add ... --exec PROGRAM` for host port `port`: posix's first
    // program replaced by `program` through the script's own run_manifest (build/run/manifest-PORT/),
    // and a fresh copy (attach_root_disk) of `rootDisk`, a root disk already built with the program
    // added (boot/rootfs/build.sh's ROOTFS_ADD, as cmd_run builds one). `program`'s words may not hold
    // blanks or quotes (init splits manifest arguments at blanks): the script's exec_arguments checks.
    public List<string> QemuArgumentsRunning(string memory, int port, string program, string rootDisk)
    {
        string script = Path.Combine(Root, "biscuit");
        string run =
            "set -euo pipefail; " +
            $"source <(sed '/^main \"\\$@\"$/d' {Quote(script)}); " +
            $"ROOT={Quote(Root)}; BUILD={Quote(Path.Combine(Root, "build"))}; PORT={port}; ROOT_DISK_SOURCE={Quote(rootDisk)}; " +
            $"words=$(exec_arguments {Quote(program)}); [ -n \"$words\" ] || die {Quote($"'{program}' needs a shell (blanks or quotes in a word)")}; " +
            "manifest=$(run_manifest \"$words\"); " +
            $"attach_root_disk; qemu_args {Quote(memory)} stdio \"$manifest\"; printf '%s\\n' \"${{QEMU_ARGS[@]}}\"";
        var (code, output) = Bash("-c", run);   // (sourced from a pipe, the script cannot find ROOT itself)
        if (code != 0) throw new InvalidOperationException($"./biscuit's run_manifest/qemu_args failed (exit {code}):\n{output}");
        var args = output.Split('\n').Where(l => l.Length > 0).ToList();
        if (!args.Contains("-kernel") || !args.Contains($"file={RootDiskCopy(port)},if=none,id=d0,format=raw"))
            throw new InvalidOperationException($"./biscuit's qemu_args gave no -kernel or not the root disk copy {RootDiskCopy(port)}:\n{output}");
        return args;
    }

    // Builds (incrementally: boot/rootfs/build.sh keeps a fingerprint that covers the added files)
    // the root disk with `adds` ("HOSTPATH:GUESTPATH") into `folder`; returns the image's path.
    public static string RootDiskWith(string root, string folder, params string[] adds)
    {
        string build = Path.Combine(root, "boot", "rootfs", "build.sh");
        var (code, output) = Bash("-c", $"ROOTFS_OUT={Quote(folder)} ROOTFS_ADD={Quote(string.Join(" ", adds))} {Quote(build)}");
        if (code != 0) throw new InvalidOperationException($"boot/rootfs/build.sh with ROOTFS_ADD failed (exit {code}):\n{output}");
        return Path.Combine(folder, "rootfs.ext3");
    }

    // What run_manifest writes for `port` (build/run/manifest-PORT/): removed after a boot.
    public string RunManifestFolder(int port) => Path.Combine(Root, "build", "run", $"manifest-{port}");

    // Where attach_root_disk puts the copy for `port` (./biscuit: build/run/rootfs-PORT.ext3).
    public string RootDiskCopy(int port) => Path.Combine(Root, "build", "run", $"rootfs-{port}.ext3");

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";

    private static (int Code, string Output) Bash(string first, string second)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(first);
        psi.ArgumentList.Add(second);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, p.ExitCode == 0 ? stdout : stdout + stderr.Result);
    }
}
