// A test's file system: an image file in a temporary directory made by mke2fs, mounted through
// ImageFileDevice, with a deterministic clock (Time) the test controls. Dispose unmounts and deletes it.
namespace Biscuit.Fs.Tests;

public sealed class TestImage : IDisposable
{
    private readonly TempDirectory _dir = new();
    private CountingDevice? _device;

    public string ImagePath { get; }
    public Ext2FileSystem Fs { get; private set; } = null!;
    public uint Time { get; set; } = 1_700_000_000;
    public long CacheBytes { get; set; } = 1 << 20;
    public long DeviceWrites => _device?.Writes ?? 0;

    private TestImage() => ImagePath = _dir["disk.img"];

    /// <summary>A new image (not yet mounted) made by mke2fs -t ext2 with the given options.</summary>
    public static TestImage Create(int sizeKiB, int blockSize, string? staging = null, params string[] mke2fsOptions)
    {
        var image = new TestImage();
        E2fsTools.MakeImage(image.ImagePath, sizeKiB, blockSize, staging, mke2fsOptions);
        return image;
    }

    /// <summary>A new image of another type (ext3, ext4) made by mke2fs -t type.</summary>
    public static TestImage CreateOfType(string type, int sizeKiB, int blockSize, params string[] mke2fsOptions)
    {
        var image = new TestImage();
        E2fsTools.MakeImage(image.ImagePath, sizeKiB, blockSize, null, mke2fsOptions.Prepend(type).Prepend("-t").ToArray());
        return image;
    }

    /// <summary>A new image, mounted read-write.</summary>
    public static TestImage CreateMounted(int sizeKiB, int blockSize, params string[] mke2fsOptions)
    {
        var image = Create(sizeKiB, blockSize, null, mke2fsOptions);
        image.Mount();
        return image;
    }

    public void Mount(bool readOnly = false)
    {
        _device = new CountingDevice(new ImageFileDevice(ImagePath, readOnly, flushToDisk: false));
        try
        {
            Fs = Ext2FileSystem.Mount(_device, new MountOptions { ReadOnly = readOnly, CacheBytes = CacheBytes, Clock = () => Time });
        }
        catch
        {
            _device.Dispose();
            throw;
        }
    }

    /// <summary>Drops the mounted file system without flushing it (a crash).</summary>
    public void Abandon()
    {
        _device?.Dispose();
        _device = null;
        Fs = null!;
    }

    public void Unmount()
    {
        Fs?.Dispose();
        _device?.Dispose();
        Fs = null!;
        _device = null;
    }

    public void Remount()
    {
        Unmount();
        Mount();
    }

    public void Dispose()
    {
        Unmount();
        _dir.Dispose();
    }
}
