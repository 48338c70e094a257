// EpollRegistration: one (fd, target) pair inside an epoll instance, Linux's "epitem" (fs/eventpoll.c).
// It observes its target; a wake-up from the target puts it on the owner's ready list. The owner decides
// what is reported, at harvest time, from the target's CurrentReadiness() (level state), never from the
// hint a wake-up carried.
// Invariants (all mutable fields guarded by Owner.Gate; ReportMask and Data also only change under the
// owner's scan lock, so a harvest holding it may read them without the gate):
//   - Queued: exactly when the registration is linked on the owner's ready list.
//   - Scanning: taken off the ready list by the harvest in progress; never Queued at the same time.
//   - ReportMask == 0 exactly while an EPOLLONESHOT registration is disabled (epoll_ctl(2)).
//   - Removed registrations are never queued again and ignore wake-ups.
namespace Biscuit.Posix.Events;

internal sealed class EpollRegistration : IReadinessObserver
{
    public readonly EpollInstance Owner;
    public readonly int Fd;
    public readonly IPollable Target;

    public uint Flags;            // the EPOLLET/EPOLLONESHOT/EPOLLEXCLUSIVE/EPOLLWAKEUP bits as given (Owner.Gate)
    public uint ReportMask;       // events the caller asked for plus EPOLLERR|EPOLLHUP; 0 = disabled oneshot (Owner.Gate)
    public ulong Data;            // returned with every event (Owner.Gate)
    public bool Queued;           // on the ready list (Owner.Gate)
    public bool Scanning;         // held by a harvest in progress (Owner.Gate)
    public bool WokenDuringScan;  // a wake-up arrived while Scanning: queue again after the harvest (Owner.Gate)
    public bool Removed;          // deleted, forgotten or the owner disposed (Owner.Gate)
    public EpollRegistration? Previous, Next; // ready-list links (Owner.Gate)
    public EpollRegistration? SameTargetNext; // the next registration of the same target in the owner (Owner.Gate)

    public EpollRegistration(EpollInstance owner, int fd, IPollable target, uint events, ulong data)
    {
        Owner = owner;
        Fd = fd;
        Target = target;
        SetInterest(events, data);
    }

    public bool EdgeTriggered => (Flags & EpollConstants.EPOLLET) != 0;
    public bool OneShot => (Flags & EpollConstants.EPOLLONESHOT) != 0;
    public bool Exclusive => (Flags & EpollConstants.EPOLLEXCLUSIVE) != 0;

    /// <summary>ADD and MOD: what to report from now on (ERR and HUP always, epoll_ctl(2)); re-arms a oneshot.</summary>
    public void SetInterest(uint events, ulong data)
    {
        Flags = events & EpollConstants.ControlFlags;
        ReportMask = (events & ~EpollConstants.ControlFlags) | PollBits.AlwaysReported;
        Data = data;
    }

    public void ReadinessChanged(IPollable source, Readiness now) => Owner.OnTargetWoke(this, now);
}
