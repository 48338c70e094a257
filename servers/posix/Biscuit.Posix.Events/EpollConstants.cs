// EpollConstants: epoll_ctl(2) operations and the input flags that are not readiness bits, with their
// Linux values (include/uapi/linux/eventpoll.h), and the limits Linux enforces (fs/eventpoll.c).
namespace Biscuit.Posix.Events;

/// <summary>epoll_ctl operations, flags and limits.</summary>
public static class EpollConstants
{
    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const int EPOLL_CTL_MOD = 3;

    /// <summary>Wake one or more of several epoll instances waiting on the same target (thundering herd).</summary>
    public const uint EPOLLEXCLUSIVE = 1u << 28;
    /// <summary>Keep the system awake while events are pending; power management is not modelled, so ignored.</summary>
    public const uint EPOLLWAKEUP = 1u << 29;
    /// <summary>Report once, then disable the registration until EPOLL_CTL_MOD re-arms it.</summary>
    public const uint EPOLLONESHOT = 1u << 30;
    /// <summary>Edge-triggered: report once per wake-up of the source, not while the level stays.</summary>
    public const uint EPOLLET = 1u << 31;

    /// <summary>The input flags that only steer the registration and are never reported.</summary>
    public const uint ControlFlags = EPOLLEXCLUSIVE | EPOLLWAKEUP | EPOLLONESHOT | EPOLLET;

    /// <summary>The only bits EPOLLEXCLUSIVE may be combined with (fs/eventpoll.c EPOLLEXCLUSIVE_OK_BITS).</summary>
    public const uint ExclusiveAllowedBits =
        PollBits.POLLIN | PollBits.POLLOUT | PollBits.POLLERR | PollBits.POLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;

    /// <summary>Longest chain of epoll instances inside each other, counted in edges (fs/eventpoll.c EPOLL_MAX_NESTS).</summary>
    public const int MaxNesting = 4;
}
