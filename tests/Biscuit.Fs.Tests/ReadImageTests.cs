// Reading images made by the host's mke2fs -d: every file, directory and symlink must read back exactly
// as in the staging folder, for 1 KiB and 4 KiB blocks, 128- and 256-byte inodes, with and without dir_index.
namespace Biscuit.Fs.Tests;

public class ReadImageTests
{
    [Theory]
    [InlineData(1024, 256, "^dir_index")]
    [InlineData(1024, 128, "dir_index")]
    [InlineData(4096, 256, "dir_index")]
    [InlineData(4096, 128, "^dir_index")]
    public void EveryFileOfAnImageMadeByMke2fsReadsBackByteForByte(int blockSize, int inodeSize, string dirIndex)
    {
        using var staging = new TempDirectory();
        Staging.Build(staging.Path, manyEntries: 3000);
        using var image = TestImage.Create(16 << 10, blockSize, staging.Path, "-N", "4096", "-I", inodeSize.ToString(), "-O", dirIndex);
        image.Mount(readOnly: true);

        Staging.AssertSameTree(staging.Path, image.Fs);
        Assert.Equal(0, image.DeviceWrites);
    }

    [Fact]
    public void SparseFileReachingTripleIndirectionKeepsItsHolesAndReadsZerosInThem()
    {
        using var staging = new TempDirectory();
        Staging.Build(staging.Path, manyEntries: 10);
        using var image = TestImage.Create(16 << 10, 1024, staging.Path);
        image.Mount(readOnly: true);

        var stat = image.Fs.Stat("/sparse-triple");
        Assert.Equal((ulong)Staging.TripleIndirectOffset + 4321, stat.Size);
        Assert.True(stat.Sectors < 200, $"sparse file holds {stat.Sectors} sectors: holes were filled");
        var hole = new byte[4096];
        Assert.Equal(4096, image.Fs.Read(stat.Inode, 50L << 20, hole));
        Assert.All(hole, b => Assert.Equal(0, b));
    }

    [Fact]
    public void HardLinksShareOneInodeWithTwoLinks()
    {
        using var staging = new TempDirectory();
        Staging.Build(staging.Path, manyEntries: 10);
        using var image = TestImage.Create(16 << 10, 1024, staging.Path);
        image.Mount(readOnly: true);

        var a = image.Fs.Stat("/small.txt");
        var b = image.Fs.Stat("/hard-link");
        Assert.Equal(a.Inode, b.Inode);
        Assert.Equal(2, a.Links);
    }

    [Fact]
    public void OwnersAndSymlinkTargetsAreReadAsWritten()
    {
        using var staging = new TempDirectory();
        Staging.Build(staging.Path, manyEntries: 10);
        using var image = TestImage.Create(16 << 10, 4096, staging.Path);
        image.Mount(readOnly: true);

        var stat = image.Fs.Stat("/one-block-4k");
        Assert.Equal((1000u, 1001u), (stat.Uid, stat.Gid));
        Assert.Equal(image.Fs.Stat("/small.txt").Inode, image.Fs.Stat("/fast-link").Inode);
        Assert.Equal(image.Fs.Stat("/a/b/c/deep.txt").Inode, image.Fs.Stat("/dir-link/c/deep.txt").Inode);
        Assert.Equal(FileType.Symlink, image.Fs.Stat("/fast-link", followSymlinks: false).Type);
    }
}
