// Specification of the frame pool's share counts (microkernel/Kernel/Memory/FramePool.cs), which keep
// fork's MAP_SHARED|MAP_ANONYMOUS frames alive until their last holder gives them back (issue 7).
using System.Runtime.InteropServices;
using Biscuit.Kernel.Memory;

namespace Biscuit.Kernel.Tests;

public sealed unsafe class FrameSharingTests : IDisposable
{
    private const ulong Frame = FramePool.FrameSize;
    private readonly FakeFrames _frames = new(64 * Frame, firstFree: 16 * Frame);
    private readonly ushort* _counts;

    public FrameSharingTests()
    {
        _counts = (ushort*)NativeMemory.Alloc((nuint)FramePool.ShareCountBytes(64));
        for (int i = 0; i < 64; i++) _counts[i] = 0xBEEF;   // AttachShareCounts must clear them
        _frames.Pool->AttachShareCounts(_counts);
    }

    public void Dispose()
    {
        NativeMemory.Free(_counts);
        _frames.Dispose();
    }

    private FramePool* Pool => _frames.Pool;

    [Fact]
    public void A_shared_frame_stays_in_use_until_every_holder_has_given_it_back()
    {
        ulong f = Pool->Take();
        ulong free = Pool->FreeFrames;
        Assert.True(Pool->Share(f));
        Assert.True(Pool->Share(f));
        Assert.Equal(2u, Pool->ExtraHoldersOf(f));

        Assert.Equal(FrameResult.Ok, Pool->Give(f));
        Assert.True(Pool->IsInUse(f));
        Assert.Equal(FrameResult.Ok, Pool->Give(f));
        Assert.True(Pool->IsInUse(f));
        Assert.Equal(free, Pool->FreeFrames);

        Assert.Equal(FrameResult.Ok, Pool->Give(f));   // the last holder frees it
        Assert.False(Pool->IsInUse(f));
        Assert.Equal(free + 1, Pool->FreeFrames);
        Assert.Equal(0u, Pool->ExtraHoldersOf(f));
        Assert.Equal(FrameResult.NotInUse, Pool->Give(f));
    }

    [Fact]
    public void A_freed_and_taken_again_frame_starts_unshared()
    {
        ulong f = Pool->Take();
        Assert.True(Pool->Share(f));
        Pool->Give(f);
        Pool->Give(f);
        ulong again = Pool->Take();
        Assert.Equal(f, again);
        Assert.Equal(0u, Pool->ExtraHoldersOf(again));
        Assert.Equal(FrameResult.Ok, Pool->Give(again));
        Assert.False(Pool->IsInUse(again));
    }

    [Fact]
    public void Share_refuses_free_unaligned_foreign_and_zero_frames()
    {
        ulong f = Pool->Take();
        Pool->Give(f);
        Assert.False(Pool->Share(f));                  // free
        ulong g = Pool->Take();
        Assert.False(Pool->Share(g + 8));              // not a frame address
        Assert.False(Pool->Share(64 * Frame));         // beyond physical memory
        Assert.False(Pool->Share(0));                  // frame 0 is never handed out
        Assert.Equal(0u, Pool->ExtraHoldersOf(g));
    }

    [Fact]
    public void Share_stops_at_the_counters_limit_instead_of_wrapping()
    {
        ulong f = Pool->Take();
        for (int i = 0; i < FramePool.MaxShares; i++) Assert.True(Pool->Share(f));
        Assert.False(Pool->Share(f));
        Assert.Equal((uint)FramePool.MaxShares, Pool->ExtraHoldersOf(f));
    }

    [Fact]
    public void Without_share_counts_a_pool_refuses_to_share_and_gives_frames_back_at_once()
    {
        using var plain = new FakeFrames(32 * Frame, firstFree: 8 * Frame);
        ulong f = plain.Pool->Take();
        Assert.False(plain.Pool->Share(f));
        Assert.Equal(FrameResult.Ok, plain.Pool->Give(f));
        Assert.False(plain.Pool->IsInUse(f));
    }
}
