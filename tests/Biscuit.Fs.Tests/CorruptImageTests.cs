// Corrupt images: the mount or the operation is refused with a clear error (EUCLEAN naming what is wrong,
// ELOOP for symbolic-link loops), nothing crashes, loops forever, or writes to the image.
namespace Biscuit.Fs.Tests;

public class CorruptImageTests
{
    private static TestImage ImageWith(Action<string> populate, int blockSize = 1024)
    {
        using var staging = new TempDirectory();
        populate(staging.Path);
        return TestImage.Create(2 << 10, blockSize, staging.Path);
    }

    private static void AssertRefusedWithoutWriting(TestImage image, FsError expected, string messagePart, Action<Ext2FileSystem> operation)
    {
        var before = ImageBytes.Hash(image.ImagePath);
        image.Mount();
        var error = Assert.Throws<FsException>(() => operation(image.Fs));
        Assert.Equal(expected, error.Error);
        Assert.Contains(messagePart, error.Message);
        image.Unmount();
        Assert.Equal(before, ImageBytes.Hash(image.ImagePath));
    }

    private static void AssertMountRefused(TestImage image, FsError expected, string messagePart, bool readOnly = false)
    {
        var before = ImageBytes.Hash(image.ImagePath);
        var error = Assert.Throws<FsException>(() => image.Mount(readOnly));
        Assert.Equal(expected, error.Error);
        Assert.Contains(messagePart, error.Message);
        Assert.Equal(0, image.DeviceWrites);
        Assert.Equal(before, ImageBytes.Hash(image.ImagePath));
    }

    [Fact]
    public void BadSuperblockMagicRefusesTheMount()
    {
        using var image = TestImage.Create(2 << 10, 1024);
        ImageBytes.WriteU16(image.ImagePath, 1024 + 56, 0x1234);
        AssertMountRefused(image, FsError.EUCLEAN, "magic");
    }

    [Fact]
    public void BlockCountBeyondTheDeviceRefusesTheMount()
    {
        using var image = TestImage.Create(2 << 10, 1024);
        ImageBytes.WriteU32(image.ImagePath, 1024 + 4, 1 << 30);
        AssertMountRefused(image, FsError.EUCLEAN, "beyond the device");
    }

    [Fact]
    public void GroupDescriptorPointingBeyondTheDeviceRefusesTheMount()
    {
        using var image = TestImage.Create(2 << 10, 1024);
        ImageBytes.WriteU32(image.ImagePath, 2 * 1024 + 8, 5_000_000); // group 0's inode table
        AssertMountRefused(image, FsError.EUCLEAN, "inode table");
    }

    [Fact]
    public void InodeCountInconsistentWithTheGroupsRefusesTheMount()
    {
        using var image = TestImage.Create(2 << 10, 4096);
        ImageBytes.WriteU32(image.ImagePath, 1024 + 0, 12345);
        AssertMountRefused(image, FsError.EUCLEAN, "inode count");
    }

    [Fact]
    public void FileBlockPointerBeyondTheDeviceFailsReadWriteAndTruncate()
    {
        using var image = ImageWith(dir => File.WriteAllBytes(Path.Combine(dir, "f"), new byte[5000]));
        E2fsTools.Debugfs(image.ImagePath, "sif /f block[1] 99999999", write: true);
        AssertRefusedWithoutWriting(image, FsError.EUCLEAN, "outside the file system",
            fs => fs.Read(fs.Lookup("/f"), 0, new byte[5000]));
        AssertRefusedWithoutWriting(image, FsError.EUCLEAN, "outside the file system",
            fs => fs.Write(fs.Lookup("/f"), 1500, new byte[10]));
        AssertRefusedWithoutWriting(image, FsError.EUCLEAN, "outside the file system",
            fs => fs.Truncate("/f", 0));
        AssertRefusedWithoutWriting(image, FsError.EUCLEAN, "outside the file system",
            fs => fs.Unlink("/f"));
    }

    [Theory]
    [InlineData(0)]    // would loop forever in a naive scan
    [InlineData(13)]   // not a multiple of 4
    [InlineData(8)]    // too small for any entry
    [InlineData(2048)] // crosses the block end
    public void DirectoryEntryWithABadRecLenFailsLookupAndCreation(int recLen)
    {
        using var image = ImageWith(dir =>
        {
            Directory.CreateDirectory(Path.Combine(dir, "d"));
            File.WriteAllText(Path.Combine(dir, "d", "x"), "x");
        });
        long block = E2fsTools.BlockOf(image.ImagePath, "/d", 0);
        ImageBytes.WriteU16(image.ImagePath, block * 1024 + 12 + 4, (ushort)recLen); // the ".." entry's rec_len
        AssertRefusedWithoutWriting(image, FsError.EUCLEAN, "rec_len", fs => fs.Stat("/d/x"));
        AssertRefusedWithoutWriting(image, FsError.EUCLEAN, "rec_len", fs => fs.Create("/d/new"));
        AssertRefusedWithoutWriting(image, FsError.EUCLEAN, "rec_len", fs => fs.ReadDirectory("/d"));
    }

    [Fact]
    public void DirectoryEntryNamingAFreeInodeIsReportedAsCorruption()
    {
        using var image = ImageWith(dir => File.WriteAllText(Path.Combine(dir, "x"), "x"));
        uint inode = E2fsTools.InodeOf(image.ImagePath, "/x");
        E2fsTools.Debugfs(image.ImagePath, $"sif <{inode}> links_count 0", write: true);
        AssertRefusedWithoutWriting(image, FsError.EUCLEAN, "not in use", fs => fs.Stat("/x"));
    }

    [Fact]
    public void DirectoryCycleMakesRenameFailInsteadOfLoopingForever()
    {
        using var image = ImageWith(dir =>
        {
            Directory.CreateDirectory(Path.Combine(dir, "a", "b"));
            Directory.CreateDirectory(Path.Combine(dir, "c"));
        });
        uint b = E2fsTools.InodeOf(image.ImagePath, "/a/b");
        long aBlock = E2fsTools.BlockOf(image.ImagePath, "/a", 0);
        ImageBytes.WriteU32(image.ImagePath, aBlock * 1024 + 12, b); // a/.. -> b, and b/.. is a: a cycle
        AssertRefusedWithoutWriting(image, FsError.EUCLEAN, "directory cycle", fs => fs.Rename("/c", "/a/b/c"));
    }

    [Fact]
    public void IndirectBlockPointingToItselfIsCaughtWhenFreedAndTruncateChangesNothing()
    {
        using var image = ImageWith(dir => File.WriteAllBytes(Path.Combine(dir, "f"), Enumerable.Repeat((byte)1, 20 * 1024).ToArray()));
        string stat = E2fsTools.Debugfs(image.ImagePath, "stat /f");
        uint indirect = uint.Parse(System.Text.RegularExpressions.Regex.Match(stat, @"\(IND\):(\d+)").Groups[1].Value);
        ImageBytes.WriteU32(image.ImagePath, indirect * 1024L, indirect);
        AssertRefusedWithoutWriting(image, FsError.EUCLEAN, "freed twice", fs => fs.Truncate("/f", 0));
    }

    [Fact]
    public void OrphanListWithACycleRefusesTheReadWriteMount()
    {
        using var image = ImageWith(dir => File.WriteAllText(Path.Combine(dir, "x"), "x"));
        uint inode = E2fsTools.InodeOf(image.ImagePath, "/x");
        E2fsTools.Debugfs(image.ImagePath, $"sif <{inode}> dtime {inode}", write: true); // x -> x -> ...
        E2fsTools.Debugfs(image.ImagePath, $"ssv last_orphan {inode}", write: true);
        AssertMountRefused(image, FsError.EUCLEAN, "orphan list");
    }

    [Fact]
    public void SymbolicLinkLoopFailsWithELOOP()
    {
        using var image = ImageWith(dir =>
        {
            File.CreateSymbolicLink(Path.Combine(dir, "p"), "q");
            File.CreateSymbolicLink(Path.Combine(dir, "q"), "p");
            File.CreateSymbolicLink(Path.Combine(dir, "self"), "self/x");
        });
        AssertRefusedWithoutWriting(image, FsError.ELOOP, "symbolic links", fs => fs.Stat("/p"));
        AssertRefusedWithoutWriting(image, FsError.ELOOP, "symbolic links", fs => fs.Create("/self/y"));
    }
}
