// Specification of the physical frame allocator (microkernel/Kernel/Memory/FramePool.cs).
using Biscuit.Kernel.Memory;

namespace Biscuit.Kernel.Tests;

public unsafe class FramePoolTests
{
    private const ulong Frame = FramePool.FrameSize;

    [Fact]
    public void Frames_start_in_use_and_only_freed_ranges_become_available()
    {
        using var f = new FakeFrames(64 * Frame, firstFree: 16 * Frame);
        Assert.Equal(64UL, f.Pool->TotalFrames);
        Assert.Equal(48UL, f.Pool->FreeFrames);
        Assert.True(f.Pool->IsInUse(15 * Frame));
        Assert.False(f.Pool->IsInUse(16 * Frame));
    }

    [Fact]
    public void Take_hands_out_each_free_frame_exactly_once_then_reports_empty_with_zero()
    {
        using var f = new FakeFrames(32 * Frame, firstFree: 8 * Frame);
        var seen = new HashSet<ulong>();
        for (int i = 0; i < 24; i++)
        {
            ulong p = f.Pool->Take();
            Assert.NotEqual(0UL, p);
            Assert.Equal(0UL, p % Frame);
            Assert.InRange(p, 8 * Frame, 31 * Frame);
            Assert.True(seen.Add(p), $"frame {p:x} handed out twice");
        }
        Assert.Equal(0UL, f.Pool->FreeFrames);
        Assert.Equal(0UL, f.Pool->Take());
        Assert.Equal(0UL, f.Pool->Take());
    }

    [Fact]
    public void Frame_zero_is_never_free_even_when_a_range_covering_it_is_freed()
    {
        using var f = new FakeFrames(8 * Frame, firstFree: 0);
        Assert.Equal(7UL, f.Pool->FreeFrames);
        for (int i = 0; i < 7; i++) Assert.NotEqual(0UL, f.Pool->Take());
        Assert.Equal(0UL, f.Pool->Take());
    }

    [Fact]
    public void Partial_frames_are_not_freed_but_reservations_round_outward()
    {
        using var f = new FakeFrames(16 * Frame, firstFree: 16 * Frame);
        f.Pool->Free(Frame + 1, 4 * Frame - 1);          // frames 1 and 3 are cut: only frame 2 is whole
        Assert.Equal(1UL, f.Pool->FreeFrames);
        Assert.False(f.Pool->IsInUse(2 * Frame));
        f.Pool->Reserve(2 * Frame + 4095, 2 * Frame + 4096); // one byte of frame 2 reserves all of it
        Assert.Equal(0UL, f.Pool->FreeFrames);
    }

    [Fact]
    public void Give_returns_a_frame_and_refuses_double_frees_misalignment_and_foreign_addresses()
    {
        using var f = new FakeFrames(16 * Frame);
        ulong p = f.Pool->Take();
        ulong before = f.Pool->FreeFrames;
        Assert.Equal(FrameResult.Ok, f.Pool->Give(p));
        Assert.Equal(before + 1, f.Pool->FreeFrames);
        Assert.Equal(FrameResult.NotInUse, f.Pool->Give(p));
        Assert.Equal(FrameResult.NotAligned, f.Pool->Give(p + 1));
        Assert.Equal(FrameResult.OutOfRange, f.Pool->Give(16 * Frame));
        Assert.Equal(FrameResult.OutOfRange, f.Pool->Give(0));
        Assert.Equal(before + 1, f.Pool->FreeFrames);
    }

    [Fact]
    public void A_given_back_frame_is_handed_out_again()
    {
        using var f = new FakeFrames(16 * Frame);
        ulong a = f.Pool->Take();
        f.Pool->Take();
        Assert.Equal(FrameResult.Ok, f.Pool->Give(a));
        Assert.Equal(a, f.Pool->Take());
    }

    [Fact]
    public void Reserve_takes_frames_out_of_circulation_and_keeps_the_free_count_exact()
    {
        using var f = new FakeFrames(32 * Frame);
        ulong free = f.Pool->FreeFrames;
        f.Pool->Reserve(4 * Frame + 100, 6 * Frame + 1);  // touches frames 4, 5, 6
        Assert.Equal(free - 3, f.Pool->FreeFrames);
        f.Pool->Reserve(4 * Frame, 5 * Frame);            // already reserved: no change
        Assert.Equal(free - 3, f.Pool->FreeFrames);
        for (ulong i = 0; i < free - 3; i++)
        {
            ulong p = f.Pool->Take();
            Assert.False(p >= 4 * Frame && p < 7 * Frame, $"reserved frame {p:x} handed out");
        }
    }

    [Fact]
    public void TakeContiguous_returns_an_aligned_run_of_free_frames()
    {
        using var f = new FakeFrames(64 * Frame);
        f.Pool->Reserve(8 * Frame, 9 * Frame);            // a hole that breaks runs
        ulong run = f.Pool->TakeContiguous(8, 8);
        Assert.Equal(0UL, run % (8 * Frame));
        Assert.True(run + 8 * Frame <= 8 * Frame || run >= 9 * Frame, "run overlaps the reserved frame");
        for (ulong i = 0; i < 8; i++) Assert.True(f.Pool->IsInUse(run + i * Frame));
    }

    [Fact]
    public void TakeContiguous_fails_cleanly_when_no_run_is_long_enough()
    {
        using var f = new FakeFrames(16 * Frame);
        for (ulong i = 2; i < 16; i += 2) f.Pool->Reserve(i * Frame, i * Frame + 1);  // no two adjacent free frames
        ulong free = f.Pool->FreeFrames;
        Assert.Equal(0UL, f.Pool->TakeContiguous(2, 1));
        Assert.Equal(free, f.Pool->FreeFrames);
        Assert.Equal(0UL, f.Pool->TakeContiguous(0, 1));
        Assert.Equal(0UL, f.Pool->TakeContiguous(1, 3));   // alignment must be a power of two
    }
}
