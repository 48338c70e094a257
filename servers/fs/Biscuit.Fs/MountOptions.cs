// How to mount: read-only or read-write, the block cache's size, and the clock used for timestamps.
namespace Biscuit.Fs;

public sealed class MountOptions
{
    /// <summary>Never write to the device.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Block-cache capacity in bytes (the fs server derives it from its heap budget).</summary>
    public long CacheBytes { get; init; } = 4 << 20;

    /// <summary>Seconds since the Unix epoch, for inode timestamps. Tests pass a deterministic clock.</summary>
    public Func<uint> Clock { get; init; } = () => (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>Entries kept by the directory lookup cache.</summary>
    public int LookupCacheEntries { get; init; } = 8192;
}
