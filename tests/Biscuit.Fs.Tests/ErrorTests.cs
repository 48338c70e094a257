// POSIX errors for operations on the wrong kind of file or name, each refused without writing anything.
namespace Biscuit.Fs.Tests;

public class ErrorTests : IDisposable
{
    private readonly TestImage _image = TestImage.CreateMounted(2 << 10, 1024);
    private Ext2FileSystem Fs => _image.Fs;

    public ErrorTests()
    {
        Fs.Mkdir("/dir");
        Fs.Mkdir("/full");
        Fs.Create("/full/item");
        Fs.Create("/file");
        Fs.Symlink("file", "/link");
        _image.Remount(); // the device write counter now starts from zero
    }

    public void Dispose() => _image.Dispose();

    private void AssertFails(FsError expected, Action operation)
    {
        var error = Assert.Throws<FsException>(operation);
        Assert.Equal(expected, error.Error);
        _image.Fs.Flush();
        Assert.Equal(0, _image.DeviceWrites);
    }

    [Fact]
    public void NamesLongerThan255BytesAreRefusedWithENAMETOOLONG()
    {
        string tooLong = "/" + new string('n', 256);
        string tooLongInUtf8 = "/" + string.Concat(Enumerable.Repeat("é", 128)); // 256 bytes
        AssertFails(FsError.ENAMETOOLONG, () => Fs.Create(tooLong));
        AssertFails(FsError.ENAMETOOLONG, () => Fs.Create(tooLongInUtf8));
        AssertFails(FsError.ENAMETOOLONG, () => Fs.Mkdir("/dir" + tooLong));
        AssertFails(FsError.ENAMETOOLONG, () => Fs.Stat(tooLong));
        AssertFails(FsError.ENAMETOOLONG, () => Fs.Rename("/file", tooLong));
        AssertFails(FsError.ENAMETOOLONG, () => Fs.Link("/file", tooLong));
        AssertFails(FsError.ENAMETOOLONG, () => Fs.Symlink("file", tooLong));
        AssertFails(FsError.ENAMETOOLONG, () => Fs.Stat("/" + string.Join("/", Enumerable.Repeat("d", 2100))));
    }

    [Fact]
    public void NameOfExactly255BytesIsAccepted()
    {
        string longest = "/" + new string('n', 255);
        Fs.Create(longest);
        Assert.Equal(FileType.Regular, Fs.Stat(longest).Type);
    }

    [Fact]
    public void UsingAFileAsADirectoryFailsWithENOTDIR()
    {
        AssertFails(FsError.ENOTDIR, () => Fs.Create("/file/x"));
        AssertFails(FsError.ENOTDIR, () => Fs.Stat("/file/x"));
        AssertFails(FsError.ENOTDIR, () => Fs.Rmdir("/file"));
        AssertFails(FsError.ENOTDIR, () => Fs.ReadDirectory("/file"));
        AssertFails(FsError.ENOTDIR, () => Fs.Open("/file", OpenFlags.Directory));
        AssertFails(FsError.ENOTDIR, () => Fs.Stat("/file/"));
        AssertFails(FsError.ENOTDIR, () => Fs.Rename("/dir", "/file"));
    }

    [Fact]
    public void UsingADirectoryAsAFileFailsWithEISDIR()
    {
        uint dir = Fs.Lookup("/dir");
        AssertFails(FsError.EISDIR, () => Fs.Unlink("/dir"));
        AssertFails(FsError.EISDIR, () => Fs.Write(dir, 0, new byte[1]));
        AssertFails(FsError.EISDIR, () => Fs.Read(dir, 0, new byte[1]));
        AssertFails(FsError.EISDIR, () => Fs.Truncate("/dir", 0));
        AssertFails(FsError.EISDIR, () => Fs.Open("/dir", OpenFlags.Truncate));
        AssertFails(FsError.EISDIR, () => Fs.Rename("/file", "/dir"));
    }

    [Fact]
    public void RemovingOrReplacingANonEmptyDirectoryFailsWithENOTEMPTY()
    {
        AssertFails(FsError.ENOTEMPTY, () => Fs.Rmdir("/full"));
        AssertFails(FsError.ENOTEMPTY, () => Fs.Rename("/dir", "/full"));
        AssertFails(FsError.ENOTEMPTY, () => Fs.Rmdir("/full/.."));
    }

    [Fact]
    public void CreatingAnExistingNameFailsWithEEXIST()
    {
        AssertFails(FsError.EEXIST, () => Fs.Create("/file"));
        AssertFails(FsError.EEXIST, () => Fs.Mkdir("/dir"));
        AssertFails(FsError.EEXIST, () => Fs.Mkdir("/"));
        AssertFails(FsError.EEXIST, () => Fs.Link("/file", "/dir"));
        AssertFails(FsError.EEXIST, () => Fs.Symlink("x", "/link"));
        AssertFails(FsError.EEXIST, () => Fs.Open("/file", OpenFlags.Create | OpenFlags.Exclusive));
    }

    [Fact]
    public void MissingNamesFailWithENOENT()
    {
        AssertFails(FsError.ENOENT, () => Fs.Stat("/nothing"));
        AssertFails(FsError.ENOENT, () => Fs.Create("/nothing/x"));
        AssertFails(FsError.ENOENT, () => Fs.Unlink("/nothing"));
        AssertFails(FsError.ENOENT, () => Fs.Rmdir("/nothing"));
        AssertFails(FsError.ENOENT, () => Fs.Rename("/nothing", "/x"));
        AssertFails(FsError.ENOENT, () => Fs.Link("/nothing", "/x"));
        AssertFails(FsError.ENOENT, () => Fs.Open("/nothing", OpenFlags.None));
        AssertFails(FsError.ENOENT, () => Fs.Stat(""));
        AssertFails(FsError.ENOENT, () => Fs.Symlink("", "/x"));
    }

    [Fact]
    public void InvalidRequestsFailWithEINVAL()
    {
        AssertFails(FsError.EINVAL, () => Fs.Rename("/dir", "/dir/sub"));
        AssertFails(FsError.EINVAL, () => Fs.Rename("/dir/.", "/x"));
        AssertFails(FsError.EINVAL, () => Fs.Rmdir("/dir/."));
        AssertFails(FsError.EINVAL, () => Fs.ReadLink("/file"));
        AssertFails(FsError.EINVAL, () => Fs.Stat("relative/path"));
        AssertFails(FsError.EINVAL, () => Fs.Write(Fs.Lookup("/file"), -1, new byte[1]));
        AssertFails(FsError.EINVAL, () => Fs.Truncate("/file", -1));
    }

    [Fact]
    public void OtherRefusalsUseTheirLinuxErrors()
    {
        AssertFails(FsError.EPERM, () => Fs.Link("/dir", "/dir2"));
        AssertFails(FsError.EBUSY, () => Fs.Rmdir("/"));
        AssertFails(FsError.ELOOP, () => Fs.Open("/link", OpenFlags.NoFollow));
        AssertFails(FsError.EFBIG, () => Fs.Write(Fs.Lookup("/file"), Fs.MaxFileSize, new byte[1]));
    }

    [Fact]
    public void ReadOnlyMountRefusesEveryChangeWithEROFS()
    {
        _image.Unmount();
        _image.Mount(readOnly: true);
        uint file = Fs.Lookup("/file");
        AssertFails(FsError.EROFS, () => Fs.Create("/new"));
        AssertFails(FsError.EROFS, () => Fs.Write(file, 0, new byte[1]));
        AssertFails(FsError.EROFS, () => Fs.Truncate(file, 0));
        AssertFails(FsError.EROFS, () => Fs.Unlink("/file"));
        AssertFails(FsError.EROFS, () => Fs.Rename("/file", "/f2"));
        AssertFails(FsError.EROFS, () => Fs.Chmod("/file", 0x1FF));
        Assert.Equal(0, Fs.Read(file, 0, new byte[10]));
    }
}
