// Mount policy for on-disk features (see Features.cs): what the library cannot handle is refused at
// mount with an error naming the feature; an ext3 journal that needs recovery refuses a read-only mount.
namespace Biscuit.Fs.Tests;

public class FeatureTests
{
    private static TestImage Make(string type, params string[] options) =>
        TestImage.CreateOfType(type, 4 << 10, 1024, options);

    [Fact]
    public void Ext4ImageIsRefusedNamingTheUnsupportedFeatures()
    {
        using var image = Make("ext4");
        var error = Assert.Throws<FsException>(() => image.Mount(readOnly: true));
        Assert.Equal(FsError.EOPNOTSUPP, error.Error);
        Assert.Contains("extent", error.Message);
        Assert.Contains("64bit", error.Message);
        Assert.Equal(0, image.DeviceWrites);
    }

    [Fact]
    public void Ext3ImageMountsReadOnlyWithoutWritingAnything()
    {
        using var image = Make("ext3");
        var before = ImageBytes.Hash(image.ImagePath);
        image.Mount(readOnly: true);
        Assert.Equal(FileType.Directory, image.Fs.Stat("/lost+found").Type);
        var write = Assert.Throws<FsException>(() => image.Fs.Mkdir("/x"));
        Assert.Equal(FsError.EROFS, write.Error);
        image.Unmount();
        Assert.Equal(before, ImageBytes.Hash(image.ImagePath));
    }

    [Fact]
    public void Ext3ImageWhoseJournalNeedsRecoveryIsRefusedEvenReadOnly()
    {
        using var image = Make("ext3");
        uint incompat = ImageBytes.ReadU32(image.ImagePath, 1024 + 96);
        ImageBytes.WriteU32(image.ImagePath, 1024 + 96, incompat | Features.IncompatRecover);
        var error = Assert.Throws<FsException>(() => image.Mount(readOnly: true));
        Assert.Equal(FsError.EOPNOTSUPP, error.Error);
        Assert.Contains("needs_recovery", error.Message);
    }

    [Fact]
    public void MetadataChecksumsAllowOnlyAReadOnlyMount()
    {
        using var image = Make("ext2", "-O", "metadata_csum");
        var error = Assert.Throws<FsException>(() => image.Mount());
        Assert.Equal(FsError.EROFS, error.Error);
        Assert.Contains("metadata_csum", error.Message);
        image.Mount(readOnly: true);
        Assert.NotEmpty(image.Fs.ReadDirectory("/"));
    }

    [Fact]
    public void UnknownIncompatibleFeatureBitIsRefused()
    {
        using var image = Make("ext2");
        uint incompat = ImageBytes.ReadU32(image.ImagePath, 1024 + 96);
        ImageBytes.WriteU32(image.ImagePath, 1024 + 96, incompat | 0x4000_0000);
        var error = Assert.Throws<FsException>(() => image.Mount(readOnly: true));
        Assert.Equal(FsError.EOPNOTSUPP, error.Error);
        Assert.Contains("unknown 0x40000000", error.Message);
    }
}
