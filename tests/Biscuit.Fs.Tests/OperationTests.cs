// Behaviour of single operations, judged by reading back, by debugfs and by e2fsck: block-map levels,
// sparse files, truncation, renames, links, symlinks, attributes, hashed directories, directory listing.
namespace Biscuit.Fs.Tests;

public class OperationTests
{
    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [InlineData(1024)]
    [InlineData(4096)]
    public void DataWrittenAtEveryIndirectionLevelReadsBackAfterRemountAndThroughDebugfs(int blockSize)
    {
        using var image = TestImage.CreateMounted(8 << 10, blockSize);
        long p = blockSize / 4;
        long[] offsets = { 0, 11L * blockSize + 100, (12 + p / 2) * blockSize, (12 + p + p * 3 + 7) * blockSize };
        if (blockSize == 1024)
            offsets = offsets.Append((12 + p + p * p + 5) * blockSize - 33).ToArray(); // triple-indirect
        uint file = image.Fs.Create("/f");
        for (int i = 0; i < offsets.Length; i++)
            image.Fs.Write(file, offsets[i], Pattern(5000, i));
        image.Remount();
        for (int i = 0; i < offsets.Length; i++)
        {
            var back = new byte[5000];
            Assert.Equal(5000, image.Fs.Read(file, offsets[i], back));
            Assert.Equal(Pattern(5000, i), back);
        }
        image.Unmount();
        E2fsTools.AssertClean(image.ImagePath);
        using var dump = new TempDirectory();
        E2fsTools.Debugfs(image.ImagePath, $"dump /f {dump["f"]}");
        using var dumped = File.OpenRead(dump["f"]);
        for (int i = 0; i < offsets.Length; i++)
        {
            dumped.Position = offsets[i];
            var back = new byte[5000];
            dumped.ReadExactly(back);
            Assert.Equal(Pattern(5000, i), back);
        }
    }

    [Fact]
    public void HolesReadAsZerosAndHoldNoBlocks()
    {
        using var image = TestImage.CreateMounted(2 << 10, 1024);
        uint file = image.Fs.Create("/sparse");
        image.Fs.Write(file, 10 << 20, new byte[] { 1 });
        var stat = image.Fs.Stat(file);
        Assert.Equal((10UL << 20) + 1, stat.Size);
        Assert.True(stat.Sectors <= 4 * 2, $"{stat.Sectors} sectors for one byte");
        var hole = Pattern(4096, 9);
        Assert.Equal(4096, image.Fs.Read(file, 5 << 20, hole));
        Assert.All(hole, b => Assert.Equal(0, b));
        image.Unmount();
        E2fsTools.AssertClean(image.ImagePath);
    }

    [Fact]
    public void TruncatingDownAndUpAgainReadsZerosWhereDataWas()
    {
        using var image = TestImage.CreateMounted(2 << 10, 1024);
        uint file = image.Fs.Create("/f");
        image.Fs.Write(file, 0, Pattern(300 * 1024, 1));
        image.Fs.Truncate(file, 1500);
        image.Fs.Truncate(file, 200 * 1024);
        var back = new byte[200 * 1024];
        Assert.Equal(back.Length, image.Fs.Read(file, 0, back));
        Assert.Equal(Pattern(300 * 1024, 1).AsSpan(0, 1500).ToArray(), back.AsSpan(0, 1500).ToArray());
        Assert.All(back.Skip(1500), b => Assert.Equal(0, b));
        Assert.True(image.Fs.Stat(file).Sectors <= 2 * 2, "blocks past the cut were not freed");
        image.Unmount();
        E2fsTools.AssertClean(image.ImagePath);
    }

    [Fact]
    public void OpenWithCreateMakesAFileAndWithTruncateEmptiesIt()
    {
        using var image = TestImage.CreateMounted(2 << 10, 1024);
        uint file = image.Fs.Open("/f", OpenFlags.Create, 0x180, uid: 5, gid: 6);
        image.Fs.Write(file, 0, Pattern(3000, 1));
        Assert.Equal(file, image.Fs.Open("/f", OpenFlags.Create));
        Assert.Equal(3000UL, image.Fs.Stat(file).Size);
        Assert.Equal(file, image.Fs.Open("/f", OpenFlags.Truncate));
        var stat = image.Fs.Stat(file);
        Assert.Equal((0UL, (ushort)0x8180, 5u, 6u), (stat.Size, stat.Mode, stat.Uid, stat.Gid));
    }

    [Fact]
    public void OpenWithCreateThroughADanglingSymlinkCreatesItsTarget()
    {
        using var image = TestImage.CreateMounted(2 << 10, 1024);
        var fs = image.Fs;
        fs.Mkdir("/d");
        fs.Symlink("../made-by-link", "/d/relative");
        fs.Symlink("/d/relative", "/absolute");
        uint file = fs.Open("/absolute", OpenFlags.Create);
        Assert.Equal(file, fs.Lookup("/made-by-link"));
        Assert.Equal(FileType.Regular, fs.Stat("/d/relative").Type);
        fs.Symlink("nowhere", "/dangling");
        Assert.Equal(FsError.EEXIST, Assert.Throws<FsException>(() => fs.Open("/dangling", OpenFlags.Create | OpenFlags.Exclusive)).Error);
        fs.Symlink("loop-b", "/loop-a");
        fs.Symlink("loop-a", "/loop-b");
        Assert.Equal(FsError.ELOOP, Assert.Throws<FsException>(() => fs.Open("/loop-a", OpenFlags.Create)).Error);
        image.Unmount();
        E2fsTools.AssertClean(image.ImagePath);
    }

    [Fact]
    public void RenameAcrossDirectoriesMovesTheDotDotLinkAndKeepsTheImageClean()
    {
        using var image = TestImage.CreateMounted(2 << 10, 1024);
        var fs = image.Fs;
        fs.Mkdir("/from");
        fs.Mkdir("/to");
        fs.Mkdir("/from/moving");
        fs.Create("/from/moving/inside");
        fs.Rename("/from/moving", "/to/moved");
        Assert.Equal(2, fs.Stat("/from").Links);
        Assert.Equal(3, fs.Stat("/to").Links);
        Assert.Equal(fs.Stat("/to").Inode, fs.Stat("/to/moved/..").Inode);
        Assert.Equal(FileType.Regular, fs.Stat("/to/moved/inside").Type);
        Assert.Equal(FsError.ENOENT, Assert.Throws<FsException>(() => fs.Stat("/from/moving")).Error);
        image.Unmount();
        E2fsTools.AssertClean(image.ImagePath);
        Assert.Contains("inside", E2fsTools.Debugfs(image.ImagePath, "ls /to/moved"));
    }

    [Fact]
    public void RenameOverAnExistingFileReplacesItAndFreesTheOldInode()
    {
        using var image = TestImage.CreateMounted(2 << 10, 1024);
        var fs = image.Fs;
        uint a = fs.Create("/a");
        fs.Write(a, 0, Pattern(10, 1));
        uint b = fs.Create("/b");
        fs.Write(b, 0, Pattern(50_000, 2));
        var before = fs.FreeCounts;
        fs.Rename("/a", "/b");
        Assert.Equal(a, fs.Lookup("/b"));
        Assert.Equal(FsError.ENOENT, Assert.Throws<FsException>(() => fs.Stat("/a")).Error);
        Assert.Equal(before.FreeInodes + 1, fs.FreeCounts.FreeInodes);
        Assert.True(fs.FreeCounts.FreeBlocks >= before.FreeBlocks + 49);
        image.Unmount();
        E2fsTools.AssertClean(image.ImagePath);
    }

    [Fact]
    public void RenameOverAnEmptyDirectoryReplacesItAndFixesLinkCounts()
    {
        using var image = TestImage.CreateMounted(2 << 10, 1024);
        var fs = image.Fs;
        fs.Mkdir("/p");
        fs.Mkdir("/p/src");
        fs.Mkdir("/q");
        fs.Mkdir("/q/dst");
        fs.Rename("/p/src", "/q/dst");
        Assert.Equal(2, fs.Stat("/p").Links);
        Assert.Equal(3, fs.Stat("/q").Links);
        image.Unmount();
        E2fsTools.AssertClean(image.ImagePath);
    }

    [Fact]
    public void RenameBetweenTwoNamesOfOneInodeDoesNothing()
    {
        using var image = TestImage.CreateMounted(2 << 10, 1024);
        var fs = image.Fs;
        fs.Create("/a");
        fs.Link("/a", "/b");
        fs.Rename("/a", "/b");
        Assert.Equal(fs.Lookup("/a"), fs.Lookup("/b"));
        Assert.Equal(2, fs.Stat("/a").Links);
    }

    [Fact]
    public void HardLinkKeepsTheDataAfterTheFirstNameIsRemoved()
    {
        using var image = TestImage.CreateMounted(2 << 10, 1024);
        var fs = image.Fs;
        uint file = fs.Create("/a");
        fs.Write(file, 0, Pattern(5000, 3));
        fs.Mkdir("/d");
        fs.Link("/a", "/d/b");
        Assert.Equal(2, fs.Stat("/a").Links);
        fs.Unlink("/a");
        Assert.Equal(1, fs.Stat("/d/b").Links);
        var back = new byte[5000];
        fs.Read(fs.Lookup("/d/b"), 0, back);
        Assert.Equal(Pattern(5000, 3), back);
        image.Unmount();
        E2fsTools.AssertClean(image.ImagePath);
    }

    [Fact]
    public void FastAndSlowSymlinksAreStoredAsLinuxStoresThem()
    {
        using var image = TestImage.CreateMounted(2 << 10, 1024);
        var fs = image.Fs;
        string fast = new('f', 59), slow = new('s', 60), longest = new('l', 1023);
        fs.Symlink(fast, "/fast");
        fs.Symlink(slow, "/slow");
        fs.Symlink(longest, "/longest");
        Assert.Equal(0u, fs.Stat("/fast", followSymlinks: false).Sectors);
        Assert.Equal(2u, fs.Stat("/slow", followSymlinks: false).Sectors);
        Assert.Equal(FsError.ENAMETOOLONG, Assert.Throws<FsException>(() => fs.Symlink(new string('x', 1024), "/x")).Error);
        image.Unmount();
        E2fsTools.AssertClean(image.ImagePath);
        Assert.Contains("Fast link dest: \"" + fast, E2fsTools.Debugfs(image.ImagePath, "stat /fast"));
        image.Mount();
        Assert.Equal(fast, image.Fs.ReadLink("/fast"));
        Assert.Equal(slow, image.Fs.ReadLink("/slow"));
        Assert.Equal(longest, image.Fs.ReadLink("/longest"));
    }

    [Fact]
    public void ChmodChownAndUtimesAreWhatDebugfsSees()
    {
        using var image = TestImage.CreateMounted(2 << 10, 1024);
        var fs = image.Fs;
        fs.Create("/f");
        fs.Chmod("/f", 0xDED); // 06755
        fs.Chown("/f", 100_000, 42);
        fs.SetTimes("/f", 1_000_000_000, 1_200_000_000);
        var stat = fs.Stat("/f");
        Assert.Equal((ushort)0x8DED, stat.Mode);
        Assert.Equal((100_000u, 42u, 1_000_000_000u, 1_200_000_000u), (stat.Uid, stat.Gid, stat.AccessTime, stat.ModifyTime));
        image.Unmount();
        E2fsTools.AssertClean(image.ImagePath);
        string debugfs = E2fsTools.Debugfs(image.ImagePath, "stat /f");
        Assert.Contains("Mode:  06755", debugfs);
        Assert.Contains("User: 100000", debugfs);
        Assert.Contains("Group:    42", debugfs);
    }

    [Fact]
    public void ChangingAHashedDirectoryClearsItsIndexFlagAndKeepsEveryName()
    {
        using var staging = new TempDirectory();
        Directory.CreateDirectory(staging["many"]);
        for (int i = 0; i < 400; i++)
            File.WriteAllText(Path.Combine(staging["many"], $"name-{i:D4}-padding-padding"), "");
        using var image = TestImage.Create(4 << 10, 1024, staging.Path, "-O", "dir_index");
        E2fsTools.Run("e2fsck", "-fyD", image.ImagePath); // builds the htree index
        Assert.Contains("Flags: 0x1000", E2fsTools.Debugfs(image.ImagePath, "stat /many"));

        image.Mount();
        Assert.Equal(402, image.Fs.ReadDirectory("/many").Count);
        image.Fs.Unlink("/many/name-0007-padding-padding");
        image.Fs.Create("/many/added");
        Assert.Equal(402, image.Fs.ReadDirectory("/many").Count);
        image.Unmount();

        Assert.Contains("Flags: 0x0", E2fsTools.Debugfs(image.ImagePath, "stat /many"));
        E2fsTools.AssertClean(image.ImagePath);
        image.Mount();
        Assert.Equal(FileType.Regular, image.Fs.Stat("/many/name-0399-padding-padding").Type);
        Assert.Equal(FileType.Regular, image.Fs.Stat("/many/added").Type);
    }

    [Fact]
    public void ReadingADirectoryInPiecesReturnsEveryEntryExactlyOnce()
    {
        using var image = TestImage.CreateMounted(2 << 10, 1024, "-N", "512");
        var fs = image.Fs;
        fs.Mkdir("/d");
        for (int i = 0; i < 300; i++)
            fs.Create($"/d/file-{i}");
        uint dir = fs.Lookup("/d");
        var all = new List<DirEntry>();
        long position = 0;
        while (position >= 0)
            position = fs.ReadDirectory(dir, position, all, max: 7);
        Assert.Equal(302, all.Count);
        Assert.Equal(302, all.Select(e => e.Name).Distinct().Count());
    }

    [Fact]
    public void WritingPast2GiBTurnsOnLargeFile()
    {
        using var image = TestImage.CreateMounted(2 << 10, 4096, "-O", "^large_file");
        uint file = image.Fs.Create("/big");
        image.Fs.Write(file, 3L << 30, new byte[] { 7 });
        Assert.NotEqual(0u, image.Fs.Superblock.FeatureRoCompat & Features.RoCompatLargeFile);
        image.Unmount();
        E2fsTools.AssertClean(image.ImagePath);
        Assert.Contains("large_file", E2fsTools.Run("dumpe2fs", "-h", image.ImagePath).Output);
    }

    [Fact]
    public void FullyCachedDirectoryAnswersEveryChangeMadeThroughAnyOperation()
    {
        using var image = TestImage.CreateMounted(2 << 10, 1024, "-N", "512");
        var fs = image.Fs;
        fs.Mkdir("/d");
        fs.Mkdir("/e");
        for (int i = 0; i < 200; i++)
            fs.Create($"/d/f{i}");
        image.Remount();
        fs = image.Fs;
        Assert.Equal(FsError.ENOENT, Assert.Throws<FsException>(() => fs.Stat("/d/absent")).Error); // scans once, caches /d whole
        Assert.True(fs.Lookups.IsComplete(fs.Lookup("/d")));
        fs.Create("/e/x");
        fs.Rename("/e/x", "/d/moved");
        fs.Link("/d/f1", "/d/linked");
        fs.Mkdir("/d/sub");
        fs.Symlink("f2", "/d/link");
        fs.Unlink("/d/f3");
        fs.Rename("/d/f4", "/e/away");
        fs.Rename("/d/sub", "/e/sub");
        foreach (var present in new[] { "/d/moved", "/d/linked", "/d/link", "/d/f0", "/e/away", "/e/sub/.." })
            fs.Stat(present, followSymlinks: false);
        foreach (var absent in new[] { "/d/f3", "/d/f4", "/d/sub", "/e/x" })
            Assert.Equal(FsError.ENOENT, Assert.Throws<FsException>(() => fs.Stat(absent)).Error);
        Assert.Equal(fs.Lookup("/e"), fs.Lookup("/e/sub/.."));
        image.Unmount();
        E2fsTools.AssertClean(image.ImagePath);
    }

    [Fact]
    public void CacheAndLookupCacheCountTheirHits()
    {
        using var image = TestImage.CreateMounted(2 << 10, 1024);
        var fs = image.Fs;
        fs.Mkdir("/d");
        fs.Create("/d/f");
        long hits = fs.Lookups.Hits;
        fs.Stat("/d/f");
        fs.Stat("/d/f");
        Assert.True(fs.Lookups.Hits >= hits + 4);
        Assert.True(fs.Cache.Hits > 0 && fs.Cache.Misses > 0);
    }
}
