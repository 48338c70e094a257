// Running out of blocks or inodes: the operation fails with ENOSPC and leaves nothing half-written —
// free counts, sizes and contents are as before, and e2fsck finds the image clean.
namespace Biscuit.Fs.Tests;

public class SpaceExhaustionTests
{
    [Fact]
    public void WriteThatDoesNotFitFailsWholeAndLeavesTheFileAsItWas()
    {
        using var image = TestImage.CreateMounted(1 << 10, 1024);
        var fs = image.Fs;
        uint file = fs.Create("/big");
        var chunk = new byte[8 * 1024];
        new Random(1).NextBytes(chunk);
        long written = 0;
        var tooBig = new byte[2 << 20];
        var before = fs.FreeCounts;
        Assert.Equal(FsError.ENOSPC, Assert.Throws<FsException>(() => fs.Write(file, 0, tooBig)).Error);
        Assert.Equal(before, fs.FreeCounts);
        Assert.Equal(0UL, fs.Stat(file).Size);

        while (true)
        {
            var counts = fs.FreeCounts;
            try
            {
                fs.Write(file, written, chunk);
                written += chunk.Length;
            }
            catch (FsException e) when (e.Error == FsError.ENOSPC)
            {
                Assert.Equal(counts, fs.FreeCounts);
                break;
            }
        }
        Assert.True(written > 500 * 1024, $"only {written} bytes fitted on a 1 MiB file system");
        Assert.Equal((ulong)written, fs.Stat(file).Size);
        image.Unmount();
        E2fsTools.AssertClean(image.ImagePath);
        image.Mount();
        var back = new byte[chunk.Length];
        image.Fs.Read(file, written - chunk.Length, back);
        Assert.Equal(chunk, back);
    }

    [Fact]
    public void RunningOutOfInodesFailsCreationWithENOSPCAndChangesNothing()
    {
        using var image = TestImage.CreateMounted(1 << 10, 1024, "-N", "32");
        var fs = image.Fs;
        uint freeInodes = fs.FreeCounts.FreeInodes;
        for (int i = 0; i < freeInodes; i++)
            fs.Create($"/f{i}");
        var before = fs.FreeCounts;
        Assert.Equal(0u, before.FreeInodes);
        Assert.Equal(FsError.ENOSPC, Assert.Throws<FsException>(() => fs.Create("/one-more")).Error);
        Assert.Equal(FsError.ENOSPC, Assert.Throws<FsException>(() => fs.Mkdir("/dir")).Error);
        Assert.Equal(FsError.ENOSPC, Assert.Throws<FsException>(() => fs.Symlink("f0", "/link")).Error);
        Assert.Equal(before, fs.FreeCounts);
        Assert.Equal(FsError.ENOENT, Assert.Throws<FsException>(() => fs.Stat("/one-more")).Error);
        fs.Unlink("/f0");
        fs.Create("/one-more");
        image.Unmount();
        E2fsTools.AssertClean(image.ImagePath);
    }

    [Fact]
    public void CreateThatNeedsANewDirectoryBlockWhenNoneIsFreeIsRolledBackEntirely()
    {
        using var image = TestImage.CreateMounted(1 << 10, 1024);
        var fs = image.Fs;
        fs.Mkdir("/d");
        uint filler = fs.Create("/filler");
        var chunk = new byte[1024];
        for (long at = 0; ; at += chunk.Length)
        {
            try { fs.Write(filler, at, chunk); }
            catch (FsException e) when (e.Error == FsError.ENOSPC) { break; }
        }
        Assert.Equal(0u, fs.FreeCounts.FreeBlocks);
        var before = fs.FreeCounts;
        FsException? failure = null;
        int created = 0;
        for (; created < 200 && failure == null; created++)
        {
            try { fs.Create($"/d/entry-{created:D3}-" + new string('x', 40)); }
            catch (FsException e) { failure = e; }
        }
        Assert.NotNull(failure);
        Assert.Equal(FsError.ENOSPC, failure!.Error);
        Assert.Equal(before.FreeBlocks, fs.FreeCounts.FreeBlocks);
        Assert.Equal(before.FreeInodes - (uint)(created - 1), fs.FreeCounts.FreeInodes); // the failed one gave its inode back
        Assert.Equal(created - 1 + 2, fs.ReadDirectory("/d").Count);
        image.Unmount();
        E2fsTools.AssertClean(image.ImagePath);
    }

    [Fact]
    public void DeletingFilesGivesEveryBlockAndInodeBack()
    {
        using var image = TestImage.CreateMounted(4 << 10, 1024);
        var fs = image.Fs;
        var initial = fs.FreeCounts;
        fs.Mkdir("/d");
        uint file = fs.Create("/d/f");
        fs.Write(file, 70L << 20, new byte[3000]); // triple-indirect
        fs.Write(file, 0, new byte[300 * 1024]);   // direct, single and double
        fs.Symlink(new string('s', 500), "/d/slow");
        fs.Unlink("/d/f");
        fs.Unlink("/d/slow");
        fs.Rmdir("/d");
        Assert.Equal(initial, fs.FreeCounts);
        image.Unmount();
        E2fsTools.AssertClean(image.ImagePath);
    }
}
