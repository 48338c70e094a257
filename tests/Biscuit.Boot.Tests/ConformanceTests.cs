// Syscall conformance (issue 7, Tests): small static C programs (tests/conformance/*.c, built here
// with musl-gcc -static) print one deterministic line per check — return values, errno names, byte
// contents, readiness masks; never pids, addresses or times. Each program runs on the host's Linux
// (the expected output) and on Biscuit, where posix runs it as its first application (manifests
// tests/manifests/conformance-*) with stdout on the kernel console; the serial lines carrying the
// program's prefix must equal the host's, line for line, ending with "<prefix>: end".
// One root disk for the class (boot/rootfs/build.sh with ROOTFS_ADD=<programs>:/conformance), one
// boot per program; the disk is attached with snapshot=on so no boot sees another's writes.
// gaps.c (thread ids: the main thread's tid is the pid, clone'd threads, tgkill, a forked child's
// tid) once differed on Biscuit; since the kernel numbers threads as Linux does it is compared too.
using System.Diagnostics;

namespace Biscuit.Boot.Tests;

public sealed class ConformanceBuild : IDisposable
{
    public static readonly string[] Programs = ["files", "events", "fork", "ids", "signals", "mmap", "sockets", "fdpass", "gaps"];
    public readonly string Folder = Directory.CreateTempSubdirectory("biscuit-conformance-").FullName;
    public readonly string Disk;
    public readonly Dictionary<string, string[]> HostLines = new();   // program -> its stdout lines on the host

    public ConformanceBuild()
    {
        string sources = Path.Combine(Repository.Root, "tests", "conformance");
        string programs = Path.Combine(Folder, "programs");
        Directory.CreateDirectory(programs);
        foreach (var program in Programs)
        {
            var (code, log) = Repository.Run("musl-gcc", $"-static -O1 -Wall -Werror -o \"{Path.Combine(programs, program)}\" \"{Path.Combine(sources, program + ".c")}\"", TimeSpan.FromMinutes(2));
            if (code != 0) throw new InvalidOperationException($"musl-gcc {program}.c failed (Debian package musl-tools):\n{log}");
            HostLines[program] = RunOnHost(Path.Combine(programs, program), Path.Combine(Folder, "work-" + program));
        }
        string output = Path.Combine(Folder, "out");
        var (status, buildLog) = Repository.Run("env", $"ROOTFS_OUT=\"{output}\" ROOTFS_ADD=\"{programs}:/conformance\" \"{Path.Combine(Repository.Root, "boot", "rootfs", "build.sh")}\"", TimeSpan.FromMinutes(10));
        if (status != 0) throw new InvalidOperationException("boot/rootfs/build.sh failed:\n" + buildLog);
        Disk = Path.Combine(output, "rootfs.ext3");
    }

    /// <summary>The program's stdout on the host, as lines (stderr is not part of the comparison).</summary>
    private static string[] RunOnHost(string path, string workDirectory)
    {
        var psi = new ProcessStartInfo(path, $"\"{workDirectory}\"") { RedirectStandardOutput = true, RedirectStandardInput = true };
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(60_000)) { p.Kill(); throw new InvalidOperationException($"{path} did not finish on the host"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{path} exited with {p.ExitCode} on the host:\n{stdout}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Boots the system with posix running /conformance/PROGRAM, waits until posix reports the
    /// program ended, and returns the serial lines carrying the program's prefix, and the whole log.</summary>
    public (string[] Lines, string Serial) RunOnBiscuit(string program)
    {
        using var session = new QemuSession("conformance-" + program, 80, ["blk-server", "fs-server", "nic-server", "net-server", "posix-server"], "1G",
            $"-drive file=\"{Disk}\",if=none,id=d0,format=raw,snapshot=on -device virtio-blk-pci,drive=d0");
        session.WaitForLine(l => l.StartsWith($"posix: pid 1 ({program}) ended"), TimeSpan.FromSeconds(90));
        string serial = session.Serial;
        return (ProgramLines(serial, program), serial);
    }

    public static string[] ProgramLines(string output, string program) =>
        output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith(program + ": ")).ToArray();

    /// <summary>The first way Biscuit's lines differ from Linux's, or null when they are the same.</summary>
    public static string? Difference(string[] linux, string[] biscuit)
    {
        for (int i = 0; i < Math.Min(linux.Length, biscuit.Length); i++)
            if (linux[i] != biscuit[i]) return $"line {i + 1} differs:\n  Linux:   {linux[i]}\n  Biscuit: {biscuit[i]}";
        return linux.Length == biscuit.Length ? null
            : $"Linux printed {linux.Length} lines, Biscuit {biscuit.Length} (last Linux line: {linux[^1]})";
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

public class ConformanceTests : IClassFixture<ConformanceBuild>
{
    private readonly ConformanceBuild _build;
    public ConformanceTests(ConformanceBuild build) => _build = build;

    [Theory]
    [InlineData("files", 60)]
    [InlineData("events", 80)]
    [InlineData("fork", 20)]
    [InlineData("ids", 8)]
    [InlineData("signals", 25)]
    [InlineData("mmap", 40)]
    [InlineData("sockets", 100)]
    [InlineData("fdpass", 34)]
    [InlineData("gaps", 40)]
    public void On_the_host_each_program_runs_to_its_end_line_with_every_check(string program, int atLeast)
    {
        var lines = _build.HostLines[program];
        Assert.Equal(lines.Length, ConformanceBuild.ProgramLines(string.Join("\n", lines), program).Length);
        Assert.True(lines.Length >= atLeast, $"{program} printed {lines.Length} lines, fewer than {atLeast}:\n{string.Join("\n", lines)}");
        Assert.Equal($"{program}: end", lines[^1]);
    }

    [Theory]
    [InlineData("files")]
    [InlineData("events")]
    [InlineData("fork")]
    [InlineData("ids")]
    [InlineData("signals")]
    [InlineData("mmap")]
    [InlineData("sockets")]
    [InlineData("fdpass")]
    [InlineData("gaps")]
    public void On_Biscuit_the_program_prints_exactly_what_it_prints_on_Linux(string program)
    {
        var (lines, serial) = _build.RunOnBiscuit(program);
        string? difference = ConformanceBuild.Difference(_build.HostLines[program], lines);
        if (difference != null) Assert.Fail($"{difference}\nserial log:\n{serial}");
    }

    [Fact]
    public void The_comparison_reports_a_changed_line_a_missing_line_and_an_extra_line()
    {
        string[] linux = ["p: a: ok", "p: b: -1 EBADF", "p: end"];
        Assert.Null(ConformanceBuild.Difference(linux, linux.ToArray()));
        Assert.Equal("line 2 differs:\n  Linux:   p: b: -1 EBADF\n  Biscuit: p: b: ok",
            ConformanceBuild.Difference(linux, ["p: a: ok", "p: b: ok", "p: end"]));
        Assert.Equal("Linux printed 3 lines, Biscuit 2 (last Linux line: p: end)",
            ConformanceBuild.Difference(linux, ["p: a: ok", "p: b: -1 EBADF"]));
        Assert.Equal("Linux printed 3 lines, Biscuit 4 (last Linux line: p: end)",
            ConformanceBuild.Difference(linux, [.. linux, "p: extra"]));
    }

    [Fact]
    public void Only_serial_lines_with_the_programs_prefix_are_its_output()
    {
        string serial = "biscuit: ready\r\nfiles: a: ok\nposix: started /conformance/files as pid 1\nfilesx: no\nfiles: end\n";
        Assert.Equal(["files: a: ok", "files: end"], ConformanceBuild.ProgramLines(serial, "files"));
    }
}
