// Mount policy for on-disk features (see Features.cs): what the library cannot handle is refused at
// mount with an error naming the feature; ext3 (has_journal) mounts read-only only, and never when its
// journal needs recovery.
namespace Biscuit.Fs.Tests;

public class FeatureTests
{
    private static TestImage Make(string type, params string[] options)
    {
        var image = TestImage.Create(4 << 10, 1024, null, options);
        // TestImage.Create formats ext2; reformat with the requested type.
        var (code, output) = E2fsTools.Run("mke2fs", new[] { "-q", "-F", "-t", type, "-b", "1024" }.Concat(options).Append(image.ImagePath).Append("4096k").ToArray());
        Assert.True(code == 0, output);
        return image;
    }

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
    public void Ext3ImageMountsReadOnlyAndRefusesReadWriteNamingHasJournal()
    {
        using var image = Make("ext3");
        var error = Assert.Throws<FsException>(() => image.Mount());
        Assert.Equal(FsError.EROFS, error.Error);
        Assert.Contains("has_journal", error.Message);

        image.Mount(readOnly: true);
        Assert.Equal(FileType.Directory, image.Fs.Stat("/lost+found").Type);
        var write = Assert.Throws<FsException>(() => image.Fs.Mkdir("/x"));
        Assert.Equal(FsError.EROFS, write.Error);
        image.Unmount();
        E2fsTools.AssertClean(image.ImagePath);
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
