// PollBits: the poll(2)/epoll(7) bits that are not readiness states of a source but derived from them,
// and the one rule that derives them. Linux's pipes and sockets report EPOLLRDNORM with EPOLLIN and
// EPOLLWRNORM with EPOLLOUT (fs/pipe.c pipe_poll, net/ipv4/tcp.c tcp_poll); sources here report only
// the Readiness bits, and Expand adds the NORM twins so an application that asks for them gets them.
namespace Biscuit.Posix.Events;

/// <summary>poll(2) bit values beyond Readiness (include/uapi/asm-generic/poll.h).</summary>
public static class PollBits
{
    public const uint POLLIN = 0x001;
    public const uint POLLPRI = 0x002;
    public const uint POLLOUT = 0x004;
    public const uint POLLERR = 0x008;
    public const uint POLLHUP = 0x010;
    public const uint POLLNVAL = 0x020;
    public const uint POLLRDNORM = 0x040;
    public const uint POLLRDBAND = 0x080;
    public const uint POLLWRNORM = 0x100;
    public const uint POLLWRBAND = 0x200;
    public const uint POLLRDHUP = 0x2000;

    /// <summary>Reported whether asked for or not (poll(2), epoll_ctl(2)).</summary>
    public const uint AlwaysReported = POLLERR | POLLHUP;

    /// <summary>A source's readiness with the RDNORM/WRNORM twins of In/Out added.</summary>
    public static uint Expand(Readiness readiness)
    {
        uint bits = (uint)readiness;
        if ((bits & POLLIN) != 0) bits |= POLLRDNORM;
        if ((bits & POLLOUT) != 0) bits |= POLLWRNORM;
        return bits;
    }
}
