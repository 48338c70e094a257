// The block driver as its own server survives its own death (issue 9 item 3, drivers/virtio-blk):
// init kills blk every 10 s (tests/manifests/blk-restart) while `fs-server loop` writes, fsyncs and
// reads back files through fs for 90 s — every round reaches the driver (an fsync is a journal
// commit and a device flush; the files are twice fs's cache, so reads come from the disk). Each new
// blk claims the device again (the kernel released the dead one's claim) and resets it; fs
// connects to it and issues the requests in flight again. Specification: zero failed operations,
// and afterwards the host's e2fsck finds the disk clean.
namespace Biscuit.Boot.Tests;

public sealed class BlockDriverRestartBoot : IDisposable
{
    public readonly string Folder = Directory.CreateTempSubdirectory("biscuit-blk-restart-").FullName;
    public string Image => Path.Combine(Folder, "disk.img");
    public readonly QemuRun Run;

    public BlockDriverRestartBoot()
    {
        string stage = Directory.CreateDirectory(Path.Combine(Folder, "stage")).FullName;
        File.WriteAllText(Path.Combine(stage, "hello.txt"), "hello from the host\n");
        var (code, output) = Repository.Run("mke2fs", $"-q -F -t ext3 -b 4096 -d \"{stage}\" \"{Image}\" 64M", TimeSpan.FromMinutes(1));
        if (code != 0) throw new InvalidOperationException("mke2fs failed: " + output);
        Run = QemuRun.BootSystemWith($"-drive file=\"{Image}\",if=none,id=d0,format=raw -device virtio-blk-pci,drive=d0",
            "512M", "blk-restart", 600, "blk-server", "fs-server");
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

public class BlockDriverRestartTests : IClassFixture<BlockDriverRestartBoot>
{
    private readonly BlockDriverRestartBoot _boot;
    public BlockDriverRestartTests(BlockDriverRestartBoot boot) => _boot = boot;

    private string[] Lines => _boot.Run.Serial.Split('\n');

    private int FirstIndex(string prefix) => Array.FindIndex(Lines, l => l.StartsWith(prefix, StringComparison.Ordinal));

    [Fact]
    public void Init_kills_the_block_driver_during_the_loop_and_every_new_instance_claims_the_disk_again()
    {
        Assert.True(_boot.Run.ExitStatus == QemuRun.KernelSuccess, _boot.Run.ToString());
        int kills = Lines.Count(l => l.StartsWith("init: injected kill into blk", StringComparison.Ordinal));
        Assert.True(kills >= 1, $"{kills} kills of blk\n{_boot.Run.Serial}");
        int restarts = Lines.Count(l => l.StartsWith("init: blk restarted ", StringComparison.Ordinal));
        Assert.True(restarts >= 1 && restarts >= kills - 1, $"{kills} kills, {restarts} restarts\n{_boot.Run.Serial}");   // the last kill may come as the loop ends
        // One start line per instance: the first and one per restart, each after claiming and resetting the device.
        Assert.True(Lines.Count(l => l.StartsWith("blk: virtio-blk disk of 64 MiB", StringComparison.Ordinal)) >= kills, _boot.Run.Serial);
        Assert.DoesNotContain(Lines, l => l.StartsWith("blk: device_claim", StringComparison.Ordinal));
        Assert.DoesNotContain(Lines, l => l.Contains("left down", StringComparison.Ordinal));
    }

    [Fact]
    public void Not_one_file_operation_fails_and_the_loop_goes_on_after_the_driver_is_killed()
    {
        Assert.Matches(@"^fs-loop: \d+ rounds, 0 failed$", Assert.Single(Lines, l => l.StartsWith("fs-loop: ", StringComparison.Ordinal) && l.Contains(" rounds, ")));
        Assert.DoesNotContain(Lines, l => l.StartsWith("fs-loop: round ", StringComparison.Ordinal) && !l.EndsWith(" ok", StringComparison.Ordinal));
        int firstKill = FirstIndex("init: injected kill into blk");
        int loopStart = FirstIndex("fs-loop: round 0 ok");
        Assert.True(loopStart >= 0 && firstKill > loopStart, "blk was killed before the loop began\n" + _boot.Run.Serial);
        Assert.Contains(Lines.Skip(firstKill), l => l.StartsWith("fs-loop: round ", StringComparison.Ordinal) && l.EndsWith(" ok", StringComparison.Ordinal));
    }

    [Fact]
    public void Neither_fs_nor_the_kernel_notices_the_restarts()
    {
        Assert.DoesNotContain("biscuit: CPU exception", _boot.Run.Serial);
        Assert.DoesNotContain(Lines, l => l.StartsWith("init: fs ", StringComparison.Ordinal));
        Assert.Equal("init: loop exited with status 0", Assert.Single(Lines, l => l.StartsWith("init: loop ", StringComparison.Ordinal)));
        Assert.Contains(Lines, l => l.StartsWith("init: history fs: 0 deaths", StringComparison.Ordinal));
        Assert.Single(Lines, l => l.StartsWith("fs: mounted a disk of 64 MiB", StringComparison.Ordinal));
    }

    [Fact]
    public void Afterwards_the_hosts_e2fsck_finds_the_disk_clean()
    {
        Assert.True(_boot.Run.ExitStatus == QemuRun.KernelSuccess, _boot.Run.ToString());
        var (code, output) = Repository.Run("e2fsck", $"-fn \"{_boot.Image}\"", TimeSpan.FromMinutes(1));
        Assert.True(code == 0, output);
    }
}
