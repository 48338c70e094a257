// Unlinked-but-open files: a retained inode outlives its last name until the last Release; the orphan
// list on disk lets the next mount, or e2fsck, free what a crash left behind.
namespace Biscuit.Fs.Tests;

public class OrphanTests
{
    [Fact]
    public void UnlinkedFileStaysUsableWhileRetainedAndIsFreedByTheLastRelease()
    {
        using var image = TestImage.CreateMounted(2 << 10, 1024);
        var fs = image.Fs;
        var initial = fs.FreeCounts;
        uint file = fs.Create("/temp");
        fs.Write(file, 0, new byte[20_000]);
        fs.Retain(file);
        fs.Retain(file);
        fs.Unlink("/temp");
        Assert.Equal(FsError.ENOENT, Assert.Throws<FsException>(() => fs.Stat("/temp")).Error);
        Assert.Equal(0, fs.Stat(file).Links);
        fs.Write(file, 20_000, new byte[5000]);
        Assert.Equal(25_000, fs.Read(file, 0, new byte[30_000]));
        Assert.Equal(1, fs.OrphanCount);
        fs.Release(file);
        Assert.Equal(1, fs.OrphanCount);
        fs.Release(file);
        Assert.Equal(0, fs.OrphanCount);
        Assert.Equal(initial, fs.FreeCounts);
        Assert.Equal(FsError.EBADF, Assert.Throws<FsException>(() => fs.Release(file)).Error);
        image.Unmount();
        E2fsTools.AssertClean(image.ImagePath);
    }

    [Fact]
    public void RenameOverARetainedFileKeepsItUntilReleasedAndUnmountFreesOrphans()
    {
        using var image = TestImage.CreateMounted(2 << 10, 1024);
        var fs = image.Fs;
        var initial = fs.FreeCounts;
        uint old = fs.Create("/config");
        fs.Write(old, 0, new byte[] { 1 });
        fs.Retain(old);
        fs.Write(fs.Create("/config.new"), 0, new byte[] { 2 });
        fs.Rename("/config.new", "/config");
        var back = new byte[1];
        fs.Read(old, 0, back);
        Assert.Equal(1, back[0]);
        fs.Unlink("/config");
        image.Unmount(); // `old` still retained: unmount frees it
        E2fsTools.AssertClean(image.ImagePath);
        image.Mount();
        Assert.Equal(initial, image.Fs.FreeCounts);
    }

    [Fact]
    public void OrphanLeftByACrashIsFreedByTheNextMountAndByE2fsck()
    {
        using var dir = new TempDirectory();
        string image = dir["disk.img"], copy = dir["copy.img"];
        E2fsTools.MakeImage(image, 8 << 10, 1024, null, "-t", "ext3");
        (uint, uint) initial;
        using (var device = new ImageFileDevice(image, flushToDisk: false))
        {
            var fs = Ext2FileSystem.Mount(device);
            initial = fs.FreeCounts;
            uint file = fs.Create("/temp");
            fs.Write(file, 0, new byte[50_000]);
            fs.Retain(file);
            fs.Unlink("/temp");
            fs.Flush(); // then the power fails: no Release, no unmount
        }
        Assert.Contains("First orphan inode", E2fsTools.Run("dumpe2fs", "-h", image).Output);
        File.Copy(image, copy);

        using (var device = new ImageFileDevice(image, flushToDisk: false))
        using (var fs = Ext2FileSystem.Mount(device))
        {
            Assert.Equal(initial, fs.FreeCounts);
            Assert.Equal(0, fs.OrphanCount);
        }
        E2fsTools.AssertClean(image);

        var (code, output) = E2fsTools.Run("e2fsck", "-fy", copy);
        Assert.True(code <= 1 && output.Contains("orphan", StringComparison.OrdinalIgnoreCase), output);
        E2fsTools.AssertClean(copy);
    }

    [Fact]
    public void FailedOperationOnAnOrphanLeavesTheOrphanListAsItWas()
    {
        using var image = TestImage.CreateMounted(1 << 10, 1024);
        var fs = image.Fs;
        uint file = fs.Create("/temp");
        fs.Retain(file);
        fs.Unlink("/temp");
        Assert.Equal(FsError.ENOSPC, Assert.Throws<FsException>(() => fs.Write(file, 0, new byte[4 << 20])).Error);
        Assert.Equal(1, fs.OrphanCount);
        fs.Write(file, 0, new byte[10]);
        fs.Release(file);
        Assert.Equal(0, fs.OrphanCount);
        image.Unmount();
        E2fsTools.AssertClean(image.ImagePath);
    }
}
