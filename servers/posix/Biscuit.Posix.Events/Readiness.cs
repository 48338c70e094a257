// Readiness: the vocabulary every pollable object of the posix server speaks (epoll(7), poll(2)).
// The bit values are Linux's EPOLL*/POLL* values, so a mask can be handed to an application as is.
// Contract of a source (IPollable):
//   - CurrentReadiness() is the level state now; it takes at most the source's own lock.
//   - After every state change a waiter could care about (data arrived, space freed, a peer closed)
//     the source calls ReadinessChanged(source, now) on each subscribed observer. It may do so from
//     any thread and while holding its own lock: observers only take leaf locks and never call back
//     into a source from ReadinessChanged.
//   - Observers treat `now` as a hint; they re-read CurrentReadiness() before reporting anything.
namespace Biscuit.Posix.Events;

/// <summary>Readiness bits, with Linux's EPOLL*/POLL* values (include/uapi/linux/eventpoll.h, poll.h).</summary>
[Flags]
public enum Readiness : uint
{
    None = 0,
    /// <summary>EPOLLIN/POLLIN: a read would not block.</summary>
    In = 0x001,
    /// <summary>EPOLLPRI/POLLPRI: exceptional (urgent) data.</summary>
    Pri = 0x002,
    /// <summary>EPOLLOUT/POLLOUT: a write would not block.</summary>
    Out = 0x004,
    /// <summary>EPOLLERR/POLLERR: an error condition; always reported, even if not asked for.</summary>
    Err = 0x008,
    /// <summary>EPOLLHUP/POLLHUP: hang up; always reported, even if not asked for.</summary>
    Hup = 0x010,
    /// <summary>EPOLLRDHUP/POLLRDHUP: the peer shut down its writing half (stream sockets).</summary>
    RdHup = 0x2000,
}

/// <summary>Told of readiness changes of the sources it subscribed to (epoll registrations, poll waiters).</summary>
public interface IReadinessObserver
{
    /// <summary>The source's readiness may have changed; <paramref name="now"/> was its state at the change.</summary>
    void ReadinessChanged(IPollable source, Readiness now);
}

/// <summary>Anything an application can wait on: sockets, pipes, eventfds, files, an epoll instance itself.</summary>
public interface IPollable
{
    /// <summary>The level state now.</summary>
    Readiness CurrentReadiness();

    /// <summary>From now on the observer is told of every change (edges).</summary>
    void Subscribe(IReadinessObserver observer);

    /// <summary>Stops telling the observer; unknown observers are ignored.</summary>
    void Unsubscribe(IReadinessObserver observer);
}
