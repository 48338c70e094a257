// WaitDeadline: the end of a wait with a timeout in milliseconds, cut into slices of at most 10 ms so
// that a blocked thread re-reads its cancellation that often (poll(2)/epoll_wait(2): 0 = do not
// block, any negative value = block forever). Uses the monotonic Environment.TickCount64.
namespace Biscuit.Posix.Events;

/// <summary>When a wait must give up; immutable.</summary>
internal readonly struct WaitDeadline
{
    /// <summary>A blocked thread wakes at least this often to re-check its cancellation.</summary>
    public const int SliceMilliseconds = 10;

    private readonly long _endTick; // Environment.TickCount64 at which the wait ends; long.MaxValue = never

    private WaitDeadline(long endTick) => _endTick = endTick;

    public static WaitDeadline Forever => new(long.MaxValue);

    /// <summary>The deadline of a timeout in milliseconds: negative means forever, 0 means now.</summary>
    public static WaitDeadline After(int timeoutMs) =>
        timeoutMs < 0 ? Forever : new WaitDeadline(Environment.TickCount64 + timeoutMs);

    public bool HasPassed => _endTick != long.MaxValue && Environment.TickCount64 >= _endTick;

    /// <summary>How long the next Monitor.Wait may sleep: at most one slice, never past the deadline.</summary>
    public int NextSliceMilliseconds()
    {
        if (_endTick == long.MaxValue) return SliceMilliseconds;
        long left = _endTick - Environment.TickCount64;
        if (left <= 0) return 0;
        return left < SliceMilliseconds ? (int)left : SliceMilliseconds;
    }
}
