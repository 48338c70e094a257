// busybox on Biscuit (issue 7 item 5): Debian's static busybox from the root disk (boot/rootfs),
// run by posix as its first program, its console output read from the serial log and compared with
// the same busybox binary run on the host. Two boots: applets that need no fork (shell-applets) and
// a scripted shell session that creates, lists, pipes and removes files (shell-session: fork,
// execve, wait4 and pipes served by posix over the kernel's process_fork).
// The last test runs `./biscuit run --add ... --exec ...` itself (the generated manifest and script).
// The root disk is built once by boot/rootfs/build.sh into a folder of the class's own, with the
// session script added (ROOTFS_ADD); each boot gets its own copy of it.
// Serial lines that the system itself writes (kernel, servers) are not the program's output; they
// are left out by their prefixes before comparing.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Biscuit.Boot.Tests;

public sealed class ShellDisk : IDisposable
{
    public readonly string Folder = Directory.CreateTempSubdirectory("biscuit-shell-").FullName;
    public readonly string Stage;     // the staging tree: exactly the image's files
    public readonly string Image;

    public static readonly string SessionScript =
        Path.Combine(Repository.Root, "tests", "manifests", "shell-session", "session.sh");

    public ShellDisk()
    {
        string output = Path.Combine(Folder, "out");
        var (code, log) = Repository.Run("env",
            $"ROOTFS_OUT=\"{output}\" ROOTFS_ADD=\"{SessionScript}:/etc/shell-test/session.sh\" " +
            $"\"{Path.Combine(Repository.Root, "boot", "rootfs", "build.sh")}\"", TimeSpan.FromMinutes(10));
        if (code != 0) throw new InvalidOperationException("boot/rootfs/build.sh failed:\n" + log);
        Stage = Path.Combine(output, "rootfs");
        Image = Path.Combine(output, "rootfs.ext3");
    }

    /// <summary>A fresh copy of the image for one boot (the guest writes to its disk).</summary>
    public string CopyForBoot(string name)
    {
        string copy = Path.Combine(Folder, name + ".ext3");
        File.Copy(Image, copy, overwrite: true);
        return copy;
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

public class ShellTests : IClassFixture<ShellDisk>
{
    private static readonly string[] SystemPrefixes = ["biscuit: ", "posix: ", "fs: ", "net: ", "init: ", "stderr: "];
    private readonly ShellDisk _disk;
    public ShellTests(ShellDisk disk) => _disk = disk;

    /// <summary>Boots the manifest with a copy of the disk and returns the serial log once posix says
    /// its first program (pid 1) ended, with that line's wait status.</summary>
    private (string[] Lines, string Ended) BootUntilTheProgramEnds(string manifest)
    {
        using var session = new QemuSession(manifest, 80, ["blk-server", "fs-server", "nic-server", "net-server", "posix-server"], "1G",
            $"-drive file=\"{_disk.CopyForBoot(manifest)}\",if=none,id=d0,format=raw -device virtio-blk-pci,drive=d0");
        session.WaitForLine(l => l.StartsWith("posix: pid 1 ") && l.Contains(" ended"), TimeSpan.FromMinutes(5));
        string[] lines = session.Serial.Split('\n');
        return (lines, lines.First(l => l.StartsWith("posix: pid 1 ") && l.Contains(" ended")));
    }

    /// <summary>The program's own lines: after posix started pid 1, before it ended, without the system's.</summary>
    private static List<string> ProgramOutput(string[] lines)
    {
        int start = Array.FindIndex(lines, l => l.StartsWith("posix: started "));
        int end = Array.FindIndex(lines, l => l.StartsWith("posix: pid 1 ") && l.Contains(" ended"));
        Assert.True(start >= 0 && end > start, "posix did not start and end its first program:\n" + string.Join("\n", lines));
        return lines[(start + 1)..end].Where(l => !SystemPrefixes.Any(l.StartsWith)).ToList();
    }

    private List<string> OnTheHost(string arguments, string? sessionDir = null)
    {
        string busybox = Path.Combine(_disk.Stage, "bin", "busybox");
        string environment = $"PATH=\"{Path.Combine(_disk.Stage, "bin")}\"" + (sessionDir is null ? "" : $" SESSION_DIR=\"{sessionDir}\"");
        var (code, output) = Repository.Run("env", $"-i {environment} \"{busybox}\" {arguments}", TimeSpan.FromMinutes(1));
        Assert.True(code == 0, $"busybox {arguments} failed on the host ({code}):\n{output}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    [Fact]
    public void Busybox_ls_of_etc_on_Biscuit_lists_what_busybox_ls_lists_on_the_host_and_exits_0()
    {
        var (lines, ended) = BootUntilTheProgramEnds("shell-applets");
        Assert.EndsWith("wait status 0", ended);
        var expected = OnTheHost($"ls -1 \"{Path.Combine(_disk.Stage, "etc")}\"");
        Assert.Contains("nginx", expected);   // the host's answer is about the image's /etc
        Assert.Equal(expected, ProgramOutput(lines));
    }

    [Fact]
    public void A_busybox_shell_session_that_creates_lists_pipes_and_removes_files_prints_what_it_prints_on_the_host()
    {
        string hostDir = Path.Combine(_disk.Folder, "host-session");
        var expected = OnTheHost($"sh \"{ShellDisk.SessionScript}\"", hostDir);
        Assert.Equal("session: begin", expected[0]);
        Assert.Equal("session: end", expected[^1]);
        Assert.False(Directory.Exists(hostDir));

        var (lines, ended) = BootUntilTheProgramEnds("shell-session");
        Assert.Equal(expected, ProgramOutput(lines));
        Assert.EndsWith("wait status 0", ended);
    }

    // ./biscuit run refuses bad --add/--exec/--forward before building or booting anything.
    [Theory]
    [InlineData("--add", "no-colon-here", "is not HOSTPATH:GUESTPATH")]
    [InlineData("--add", "/nonexistent/biscuit-shell-test:/x", "host path '/nonexistent/biscuit-shell-test' does not exist")]
    [InlineData("--add", "/etc/hostname:relative/path", "is not absolute")]
    [InlineData("--add", "/etc/hostname:/", "is not absolute (or is /)")]
    [InlineData("--exec", "   ", "--exec needs a command")]
    [InlineData("--exec", "busybox ls", "the program must be an absolute guest path, not 'busybox'")]
    [InlineData("--forward", "2222", "--forward needs HOSTPORT:GUESTPORT")]
    [InlineData("--forward", "99999:22", "ports must be 1-65535")]
    [InlineData("--forward", "0:22", "ports must be 1-65535")]
    public void Biscuit_run_refuses_a_bad_option_value_with_a_message_and_status_2(string option, string value, string message)
    {
        var (code, output) = Repository.Run(Path.Combine(Repository.Root, "biscuit"), $"run {option} \"{value}\"", TimeSpan.FromMinutes(1));
        Assert.Equal(2, code);
        Assert.Contains(message, output);
    }

    [Theory]
    [InlineData("--add")]
    [InlineData("--exec")]
    [InlineData("--forward")]
    public void Biscuit_run_refuses_an_option_without_its_value(string option)
    {
        var (code, output) = Repository.Run(Path.Combine(Repository.Root, "biscuit"), $"run {option}", TimeSpan.FromMinutes(1));
        Assert.Equal(2, code);
        Assert.Contains($"biscuit: {option}", output);
    }

    [Fact]
    public void Biscuit_run_with_add_and_exec_runs_a_shell_pipeline_over_an_added_file_instead_of_nginx()
    {
        string added = Path.Combine(_disk.Folder, "added.txt");
        File.WriteAllText(added, "an added file\n");
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        string command = "/bin/busybox sh -c \"busybox cat /etc/added.txt | busybox tr a-z A-Z\"";
        var psi = new ProcessStartInfo(Path.Combine(Repository.Root, "biscuit"))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            WorkingDirectory = Repository.Root,
        };
        foreach (string a in new[] { "run", "--headless", "--port", port.ToString(), "--add", $"{added}:/etc/added.txt", "--exec", command })
            psi.ArgumentList.Add(a);
        var lines = new List<string>();
        using var run = Process.Start(psi)!;
        run.StandardInput.Close();
        run.OutputDataReceived += (_, e) => { if (e.Data != null) lock (lines) lines.Add(e.Data.TrimEnd('\r')); };
        run.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (lines) lines.Add(e.Data.TrimEnd('\r')); };
        run.BeginOutputReadLine();
        run.BeginErrorReadLine();
        try
        {
            var clock = Stopwatch.StartNew();
            bool ended = false;
            while (!ended && !run.HasExited && clock.Elapsed < TimeSpan.FromMinutes(8))
            {
                Thread.Sleep(200);
                lock (lines) ended = lines.Any(l => l.StartsWith("posix: pid 1 ") && l.Contains(" ended"));
            }
            string[] log;
            lock (lines) log = lines.ToArray();
            Assert.True(ended, "posix's first program did not end; output:\n" + string.Join("\n", log));
            Assert.Contains("AN ADDED FILE", ProgramOutput(log));
            Assert.DoesNotContain(log, l => l.StartsWith("ready: "));   // nginx is not started
            // posix's first program is replaced; its own options (boot/manifest's stats=) are kept.
            Assert.Contains("-- serve posix stats=blk,nic -- /bin/sh /etc/biscuit/exec",
                File.ReadAllText(Path.Combine(Repository.Build, "run", $"manifest-{port}", "manifest")));
            Assert.Contains("exec " + command, File.ReadAllText(Path.Combine(Repository.Build, "run", $"exec-{port}")));
        }
        finally
        {
            if (!run.HasExited) { run.Kill(entireProcessTree: true); run.WaitForExit(10_000); }
            string runs = Path.Combine(Repository.Build, "run");   // this port's disk, manifest and script
            foreach (string folder in new[] { $"rootfs-added-{port}", $"manifest-{port}" })
                if (Directory.Exists(Path.Combine(runs, folder))) Directory.Delete(Path.Combine(runs, folder), recursive: true);
            File.Delete(Path.Combine(runs, $"exec-{port}"));
            File.Delete(Path.Combine(runs, $"rootfs-{port}.ext3"));
        }
    }
}
