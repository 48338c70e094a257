// How big the fs server's caches are, from its heap budget (issue 5: "a block cache whose size
// follows the server's heap budget"). The block cache takes a sixth of the heap limit: with the
// admission budgets (FileService.AdmissionBudgets) counting its growth once more, and the lookup
// cache beside it, the rest of the heap is left to requests.
namespace Biscuit.Fs.Service;

public static class CacheSizing
{
    public const long MinBlockCacheBytes = 256 * 1024, MaxBlockCacheBytes = 64L << 20;

    /// <summary>Names the directory lookup cache keeps (about 600 bytes each at worst).</summary>
    public const int LookupCacheEntries = 2048;

    public static long BlockCacheBytes(long heapLimitBytes) =>
        Math.Clamp(heapLimitBytes / 6, MinBlockCacheBytes, MaxBlockCacheBytes);

    public static MountOptions MountOptionsFor(long heapLimitBytes) =>
        new() { CacheBytes = BlockCacheBytes(heapLimitBytes), LookupCacheEntries = LookupCacheEntries };
}
