// The deadline behind every timeout: 0 has passed at once, a negative timeout never passes, and a blocked
// thread never sleeps longer than one 10 ms slice before it looks at its cancellation again.
namespace Biscuit.Posix.Events.Tests;

public class WaitDeadlineTests
{
    [Fact]
    public void A_zero_timeout_has_passed_at_once_and_allows_no_sleep()
    {
        var deadline = WaitDeadline.After(0);
        Assert.True(deadline.HasPassed);
        Assert.Equal(0, deadline.NextSliceMilliseconds());
    }

    [Fact]
    public void A_negative_timeout_never_passes_and_sleeps_one_slice_at_a_time()
    {
        var deadline = WaitDeadline.After(-1);
        Assert.False(deadline.HasPassed);
        Assert.Equal(WaitDeadline.SliceMilliseconds, deadline.NextSliceMilliseconds());
    }

    [Fact]
    public void A_long_timeout_is_cut_into_slices_of_at_most_10_ms()
    {
        Assert.InRange(WaitDeadline.After(int.MaxValue).NextSliceMilliseconds(), 0, 10);
        Assert.False(WaitDeadline.After(int.MaxValue).HasPassed);
    }
}
