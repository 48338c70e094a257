// The fs server answers lib's Shrink by dropping its clean cached blocks (FileService registers
// them as its shrink callback): what was read is dropped, what was written and not yet synced stays
// and reaches the disk intact at the next sync, and the image stays clean for e2fsck.
using Biscuit.Lib.Client;
using Biscuit.Lib.Messages;

namespace Biscuit.Fs.Client.Tests;

public class ShrinkTests
{
    [Fact]
    public void Shrink_drops_the_clean_cached_blocks_and_keeps_unsynced_writes()
    {
        using var h = new FsHarness(stage => File.WriteAllBytes(Path.Combine(stage, "read"), FsHarness.Pattern(200_000, 1)));
        Assert.Equal(FsHarness.Pattern(200_000, 1), h.ReadFile("/read"));
        h.WriteFile("/written", FsHarness.Pattern(30_000, 2));          // dirty, not synced
        int cachedBefore = h.Fs.Cache.Count;
        var raw = new ServiceClient(h.Endpoint.CreateClient());
        var reply = raw.Call(StandardRequests.Shrink, default, 60_000);
        Assert.True(reply.IsOk, reply.ToString());
        var r = reply.Value!;
        Assert.Equal(1, r.Callbacks);
        Assert.Equal(0, r.CallbacksFailed);
        Assert.True(r.CacheBytesDropped >= 40 * 4096, $"dropped {r.CacheBytesDropped} bytes of {cachedBefore} cached blocks");
        Assert.True(h.Fs.Cache.Count < cachedBefore, $"{h.Fs.Cache.Count} blocks cached after, {cachedBefore} before");
        Assert.True(h.Fs.Cache.Count >= 30_000 / 4096, "the unsynced file's blocks stay");
        Assert.Equal(FsHarness.Pattern(30_000, 2), h.ReadFile("/written"));
        Assert.Equal(FsHarness.Pattern(200_000, 1), h.ReadFile("/read"));
        Assert.True(h.Client.Sync().IsOk);
        h.Stop();
        Biscuit.Fs.Tests.E2fsTools.AssertClean(h.Image);
    }
}
