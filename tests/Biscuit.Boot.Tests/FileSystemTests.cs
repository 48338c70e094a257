// The file system on Biscuit (issue 5, QEMU part): the fs program — the ext2/ext3 library over the
// virtio-blk driver core, in ring 3 — mounts an ext3 image the host made with `mke2fs -d`, reads
// the host's file, writes files and commits; afterwards the host's e2fsck finds the disk clean and
// debugfs reads back what Biscuit wrote. Manifest: tests/manifests/fs.
using System.Diagnostics;

namespace Biscuit.Boot.Tests;

public sealed class FileSystemBoot : IDisposable
{
    public readonly string Folder = Directory.CreateTempSubdirectory("biscuit-fs-").FullName;
    public string Image => Path.Combine(Folder, "disk.img");
    public readonly QemuRun Run;

    public FileSystemBoot()
    {
        string stage = Directory.CreateDirectory(Path.Combine(Folder, "stage")).FullName;
        File.WriteAllText(Path.Combine(stage, "hello.txt"), "hello from the host\n");
        Directory.CreateDirectory(Path.Combine(stage, "etc"));
        File.WriteAllText(Path.Combine(stage, "etc", "motd"), "welcome\n");
        var (code, output) = Repository.Run("mke2fs", $"-q -F -t ext3 -b 4096 -d \"{stage}\" \"{Image}\" 32M", TimeSpan.FromMinutes(1));
        if (code != 0) throw new InvalidOperationException("mke2fs failed: " + output);
        Run = QemuRun.BootSystemWith($"-drive file=\"{Image}\",if=none,id=d0,format=raw -device virtio-blk-pci,drive=d0",
            "512M", "fs", 300, "blk-server", "fs-server");
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

public class FileSystemTests : IClassFixture<FileSystemBoot>
{
    private readonly FileSystemBoot _boot;
    public FileSystemTests(FileSystemBoot boot) => _boot = boot;

    [Fact]
    public void The_fs_program_mounts_the_disk_and_reads_the_file_the_host_wrote()
    {
        Assert.True(_boot.Run.ExitStatus == QemuRun.KernelSuccess, _boot.Run.ToString());
        Assert.Contains("fs: mounted; root holds etc hello.txt lost+found", _boot.Run.Serial);
        Assert.Contains("fs: /hello.txt says: hello from the host", _boot.Run.Serial);
        Assert.Contains(", identical", _boot.Run.Line("fs: /big.bin written and read back"));
    }

    [Fact]
    public void After_Biscuit_wrote_to_it_the_hosts_e2fsck_finds_the_disk_clean()
    {
        Assert.True(_boot.Run.ExitStatus == QemuRun.KernelSuccess, _boot.Run.ToString());
        var (code, output) = Repository.Run("e2fsck", $"-fn \"{_boot.Image}\"", TimeSpan.FromMinutes(1));
        Assert.True(code == 0, output);
    }

    [Fact]
    public void The_hosts_debugfs_reads_back_exactly_what_Biscuit_wrote()
    {
        var (code, text) = Repository.Run("debugfs", $"-R \"cat /from-biscuit.txt\" \"{_boot.Image}\"", TimeSpan.FromMinutes(1));
        Assert.Contains("written by Biscuit's fs library over its virtio-blk driver", text);
        string dumped = Path.Combine(_boot.Folder, "big.out");
        Repository.Run("debugfs", $"-R \"dump /big.bin {dumped}\" \"{_boot.Image}\"", TimeSpan.FromMinutes(1));
        var expected = new byte[200 * 1024];
        new Random(42).NextBytes(expected);
        Assert.Equal(expected, File.ReadAllBytes(dumped));
    }
}
