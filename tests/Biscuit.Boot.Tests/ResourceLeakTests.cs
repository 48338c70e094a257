// Programs that crash or are killed leave nothing behind in the servers (issue 7, "Bad input"): posix
// runs tests/leaks/leaks.c, whose children die holding fs files, sockets, pipes, an epoll and an
// eventfd — one killed by SIGKILL, one crashing with SIGSEGV. The program reads
// /proc/biscuit/resources (posix's descriptors and open files by kind, fs's open files, net's open
// sockets) before, while each child holds its resources, and after each death.
namespace Biscuit.Boot.Tests;

public sealed class ResourceLeakRun : IDisposable
{
    public readonly string Folder = Directory.CreateTempSubdirectory("biscuit-leaks-").FullName;
    public readonly string[] Lines;
    public readonly string Serial;

    public ResourceLeakRun()
    {
        string programs = Path.Combine(Folder, "programs");
        Directory.CreateDirectory(programs);
        var (code, log) = Repository.Run("musl-gcc", $"-static -O1 -Wall -Werror -o \"{Path.Combine(programs, "leaks")}\" \"{Path.Combine(Repository.Root, "tests", "leaks", "leaks.c")}\"", TimeSpan.FromMinutes(2));
        if (code != 0) throw new InvalidOperationException("musl-gcc leaks.c failed (Debian package musl-tools):\n" + log);
        string output = Path.Combine(Folder, "out");
        (code, log) = Repository.Run("env", $"ROOTFS_OUT=\"{output}\" ROOTFS_ADD=\"{programs}:/leaks\" \"{Path.Combine(Repository.Root, "boot", "rootfs", "build.sh")}\"", TimeSpan.FromMinutes(10));
        if (code != 0) throw new InvalidOperationException("boot/rootfs/build.sh failed:\n" + log);
        using var session = new QemuSession("leaks", 80, ["blk-server", "fs-server", "nic-server", "net-server", "posix-server"], "1G",
            $"-drive file=\"{Path.Combine(output, "rootfs.ext3")}\",if=none,id=d0,format=raw,snapshot=on -device virtio-blk-pci,drive=d0");
        session.WaitForLine(l => l.StartsWith("posix: pid 1 (leaks) ended"), TimeSpan.FromSeconds(120));
        Serial = session.Serial;
        Lines = Serial.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("leaks: ")).ToArray();
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

public class ResourceLeakTests : IClassFixture<ResourceLeakRun>
{
    private readonly ResourceLeakRun _run;
    public ResourceLeakTests(ResourceLeakRun run) => _run = run;

    private string Line(string start) =>
        _run.Lines.FirstOrDefault(l => l.StartsWith(start, StringComparison.Ordinal)) ?? throw new Xunit.Sdk.XunitException($"no line '{start}…'; serial log:\n{_run.Serial}");

    [Theory]
    [InlineData("kill", 9)]
    [InlineData("crash", 11)]
    public void While_a_child_holds_resources_every_layer_counts_them(string how, int signal)
    {
        // 6 created + 4 read-only files + 1 directory; 3 sockets; 2 pipes; in fs the same 11; in net 3.
        Assert.Equal($"leaks: {how}: while the child holds them: posix fs_files +11, sockets +3, pipes +4; fs open_files +11; net sockets_open +3", Line($"leaks: {how}: while"));
        Assert.Equal($"leaks: {how}: the child died of signal {signal}", Line($"leaks: {how}: the child"));
    }

    [Theory]
    [InlineData("kill")]
    [InlineData("crash")]
    public void After_the_child_dies_posix_fs_and_net_hold_exactly_what_they_held_before(string how)
    {
        Assert.Equal($"leaks: {how}: afterwards every figure is as before: none leaked", Line($"leaks: {how}: after"));
        Assert.Contains("leaks: end", _run.Lines);
    }
}
