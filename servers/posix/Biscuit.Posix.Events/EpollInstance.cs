// EpollInstance: one epoll file (epoll(7), epoll_ctl(2), epoll_wait(2)), following fs/eventpoll.c.
// Registrations observe their targets; a wake-up queues a registration on the ready list; epoll_wait
// harvests the list, asking each target its level state, and reports what the registration asked for
// plus EPOLLERR/EPOLLHUP. Level-triggered registrations go back at the tail (round robin, so a busy fd
// cannot starve the others), edge-triggered ones only when woken again, oneshot ones are disabled.
//
// Locks (order: EpollNesting.Lock -> _scanLock -> a target's own lock; _gate is a leaf):
//   _scanLock serialises everything that calls into targets (Control, Forget, harvests, CurrentReadiness,
//             Dispose), like Linux's ep->mtx; registrations are only removed under it.
//   _gate     guards the registration table, the ready list and every registration's flags; it is taken
//             by targets' wake-ups (from any thread, maybe holding the target's lock), so nothing that
//             calls out is ever done while holding it. Waiters sleep on _gate's monitor.
// The posix server must not call Control, Forget or Wait while holding a target's own lock.
namespace Biscuit.Posix.Events;

/// <summary>An epoll instance; itself pollable (readable while some registration has an event to report).</summary>
public sealed class EpollInstance : IPollable, IDisposable
{
    private readonly object _scanLock = new();
    private readonly object _gate = new();
    private readonly Dictionary<int, EpollRegistration> _byFd = new(); // _gate (changed only under _scanLock too)
    private readonly Dictionary<IPollable, EpollRegistration> _byTarget = new(ReferenceEqualityComparer.Instance); // _gate: first of each target's chain
    private readonly EpollReadyList _ready = new();                    // _gate
    private readonly ReadinessObservers _observers = new();           // its own lock
    private bool _disposed;                                            // _gate

    internal readonly List<EpollInstance> NestedChildren = new(); // EpollNesting.Lock
    internal readonly List<EpollInstance> NestedParents = new();  // EpollNesting.Lock

    /// <summary>How many fds are registered (for the server's leak counters).</summary>
    public int RegistrationCount { get { lock (_gate) return _byFd.Count; } }

    /// <summary>epoll_ctl(2): EPOLL_CTL_ADD/DEL/MOD. Returns 0 or -EEXIST, -ENOENT, -EINVAL, -ELOOP, -EBADF.</summary>
    public int Control(int op, int fd, IPollable target, uint events, ulong data)
    {
        if (op is not (EpollConstants.EPOLL_CTL_ADD or EpollConstants.EPOLL_CTL_DEL or EpollConstants.EPOLL_CTL_MOD))
            return -LinuxErrno.EINVAL;
        if (target is null) return -LinuxErrno.EBADF;
        if (ReferenceEquals(target, this)) return -LinuxErrno.EINVAL; // an epoll inside itself
        return op switch
        {
            EpollConstants.EPOLL_CTL_ADD => Add(fd, target, events, data),
            EpollConstants.EPOLL_CTL_DEL => Delete(fd, target),
            _ => Modify(fd, target, events, data),
        };
    }

    /// <summary>epoll_wait(2): fills <paramref name="events"/> (maxevents = its length) and returns the count,
    /// 0 when the timeout passes (0 = do not block, negative = forever), -EINTR when cancelled while
    /// blocked, -EINVAL when maxevents &lt;= 0, -EBADF once disposed.</summary>
    public int Wait(Span<EpollEvent> events, int timeoutMs, IWaitCancellation cancel)
    {
        if (events.Length <= 0) return -LinuxErrno.EINVAL;
        cancel = WaitCancellation.OrNever(cancel);
        var deadline = WaitDeadline.After(timeoutMs);
        while (true)
        {
            int count;
            lock (_scanLock)
            {
                if (IsDisposed()) return -LinuxErrno.EBADF;
                count = Harvest(events);
            }
            if (count > 0) return count;
            if (timeoutMs == 0 || deadline.HasPassed) return 0;
            if (cancel.IsCancelled) return -LinuxErrno.EINTR;
            lock (_gate)
            {
                if (_ready.IsEmpty && !_disposed) Monitor.Wait(_gate, deadline.NextSliceMilliseconds());
            }
        }
    }

    /// <summary>The fd was closed: drop its registration, if any (epoll(7): closing removes it).</summary>
    public void Forget(int fd) => Remove(fd, expectedTarget: null);

    /// <summary>The target's open file description was released: drop every registration of it here
    /// (Linux's eventpoll_release). Costs one lookup when the target is not registered.</summary>
    public void ForgetTarget(IPollable target)
    {
        if (target is null) return;
        while (true)
        {
            int fd;
            lock (_gate)
            {
                if (!_byTarget.TryGetValue(target, out var first)) return;
                fd = first.Fd;
            }
            Remove(fd, target);
        }
    }

    public Readiness CurrentReadiness()
    {
        lock (_scanLock)
        {
            EpollRegistration? item;
            lock (_gate)
            {
                if (_disposed) return Readiness.None;
                item = _ready.Head;
            }
            // Removals need _scanLock, which is held; wake-ups only append, so walking by Next under _gate is safe.
            while (item is not null)
            {
                if ((PollBits.Expand(item.Target.CurrentReadiness()) & item.ReportMask) != 0) return Readiness.In;
                lock (_gate) item = item.Next;
            }
            return Readiness.None;
        }
    }

    public void Subscribe(IReadinessObserver observer) => _observers.Add(observer);
    public void Unsubscribe(IReadinessObserver observer) => _observers.Remove(observer);

    /// <summary>The epoll file was closed: every registration is dropped; later calls answer -EBADF.</summary>
    public void Dispose()
    {
        List<EpollRegistration> dropped;
        lock (_scanLock)
        {
            lock (_gate)
            {
                if (_disposed) return;
                _disposed = true;
                dropped = new List<EpollRegistration>(_byFd.Values);
                _byFd.Clear();
                _byTarget.Clear();
                foreach (var registration in dropped) { _ready.Remove(registration); registration.Removed = true; }
                Monitor.PulseAll(_gate);
            }
            foreach (var registration in dropped) registration.Target.Unsubscribe(registration);
        }
        foreach (var registration in dropped)
            if (registration.Target is EpollInstance nested) EpollNesting.Unlink(this, nested);
        // Closing an epoll file removes it from the instances that watch it, as closing any file does.
        EpollInstance[] parents;
        lock (EpollNesting.Lock) parents = NestedParents.ToArray();
        foreach (var parent in parents) parent.ForgetTarget(this);
    }

    // A target woke one of our registrations (any thread; maybe under the target's lock).
    internal void OnTargetWoke(EpollRegistration registration, Readiness now)
    {
        lock (_gate)
        {
            if (registration.Removed || _disposed) return;
            if ((PollBits.Expand(now) & registration.ReportMask) == 0) return; // not what it waits for (ep_poll_callback)
            if (registration.Scanning) registration.WokenDuringScan = true;
            else if (!registration.Queued) _ready.Append(registration);
            Monitor.PulseAll(_gate);
        }
        _observers.Notify(this, Readiness.In);
    }

    private bool IsDisposed() { lock (_gate) return _disposed; }

    private int Add(int fd, IPollable target, uint events, ulong data)
    {
        if ((events & EpollConstants.EPOLLEXCLUSIVE) != 0 &&
            ((events & ~EpollConstants.ExclusiveAllowedBits) != 0 || target is EpollInstance))
            return -LinuxErrno.EINVAL;
        var registration = new EpollRegistration(this, fd, target, events, data);
        if (target is not EpollInstance nested) return Insert(registration);
        lock (EpollNesting.Lock)
        {
            if (EpollNesting.WouldLoopOrNestTooDeep(this, nested)) return -LinuxErrno.ELOOP;
            int result = Insert(registration);
            if (result == 0) EpollNesting.Link(this, nested);
            return result;
        }
    }

    private int Insert(EpollRegistration registration)
    {
        bool queued;
        lock (_scanLock)
        {
            lock (_gate)
            {
                if (_disposed) return -LinuxErrno.EBADF;
                if (!_byFd.TryAdd(registration.Fd, registration)) return -LinuxErrno.EEXIST;
                LinkSameTarget(registration);
            }
            registration.Target.Subscribe(registration); // subscribe first, then look: no wake-up is lost
            queued = QueueIfReady(registration);
        }
        if (queued) _observers.Notify(this, Readiness.In);
        return 0;
    }

    private int Modify(int fd, IPollable target, uint events, ulong data)
    {
        if ((events & EpollConstants.EPOLLEXCLUSIVE) != 0) return -LinuxErrno.EINVAL;
        bool queued;
        lock (_scanLock)
        {
            EpollRegistration? found;
            lock (_gate)
            {
                if (_disposed) return -LinuxErrno.EBADF;
                if (!_byFd.TryGetValue(fd, out found) || !ReferenceEquals(found.Target, target)) return -LinuxErrno.ENOENT;
                if (found.Exclusive) return -LinuxErrno.EINVAL; // epoll_ctl(2): EPOLLEXCLUSIVE registrations cannot be modified
                found.SetInterest(events, data);
            }
            queued = QueueIfReady(found); // a re-armed oneshot or edge-triggered registration reports the level now
        }
        if (queued) _observers.Notify(this, Readiness.In);
        return 0;
    }

    private int Delete(int fd, IPollable target)
    {
        lock (_gate)
        {
            if (_disposed) return -LinuxErrno.EBADF;
            if (!_byFd.TryGetValue(fd, out var found) || !ReferenceEquals(found.Target, target)) return -LinuxErrno.ENOENT;
        }
        return Remove(fd, target) ? 0 : -LinuxErrno.ENOENT;
    }

    // Drops the registration of fd (if its target is expectedTarget, when given). True if one was dropped.
    private bool Remove(int fd, IPollable? expectedTarget)
    {
        EpollRegistration? registration;
        lock (_scanLock)
        {
            lock (_gate)
            {
                if (!_byFd.TryGetValue(fd, out registration)) return false;
                if (expectedTarget is not null && !ReferenceEquals(registration.Target, expectedTarget)) return false;
                _byFd.Remove(fd);
                UnlinkSameTarget(registration);
                _ready.Remove(registration);
                registration.Removed = true;
            }
            registration.Target.Unsubscribe(registration);
        }
        if (registration.Target is EpollInstance nested) EpollNesting.Unlink(this, nested);
        return true;
    }

    // Caller holds _gate. Puts the registration first in its target's chain.
    private void LinkSameTarget(EpollRegistration registration)
    {
        registration.SameTargetNext = _byTarget.TryGetValue(registration.Target, out var first) ? first : null;
        _byTarget[registration.Target] = registration;
    }

    // Caller holds _gate. Takes the registration out of its target's chain.
    private void UnlinkSameTarget(EpollRegistration registration)
    {
        if (!_byTarget.TryGetValue(registration.Target, out var first)) return;
        if (ReferenceEquals(first, registration))
        {
            if (registration.SameTargetNext is null) _byTarget.Remove(registration.Target);
            else _byTarget[registration.Target] = registration.SameTargetNext;
        }
        else
        {
            var before = first;
            while (before.SameTargetNext is not null && !ReferenceEquals(before.SameTargetNext, registration)) before = before.SameTargetNext;
            if (before.SameTargetNext is not null) before.SameTargetNext = registration.SameTargetNext;
        }
        registration.SameTargetNext = null;
    }

    // Caller holds _scanLock. Asks the target now and queues the registration if it has something to report.
    private bool QueueIfReady(EpollRegistration registration)
    {
        if ((PollBits.Expand(registration.Target.CurrentReadiness()) & registration.ReportMask) == 0) return false;
        lock (_gate)
        {
            if (registration.Removed || registration.Queued) return true;
            _ready.Append(registration);
            Monitor.PulseAll(_gate);
        }
        return true;
    }

    // Caller holds _scanLock (so no registration is removed or modified meanwhile). Linux's ep_send_events.
    private int Harvest(Span<EpollEvent> events)
    {
        EpollRegistration? item;
        lock (_gate)
        {
            item = _ready.DetachAll();
            for (var each = item; each is not null; each = each.Next) { each.Queued = false; each.Scanning = true; }
        }
        int count = 0;
        try
        {
            while (item is not null && count < events.Length)
            {
                var next = item.Next;
                uint revents = PollBits.Expand(item.Target.CurrentReadiness()) & item.ReportMask;
                lock (_gate)
                {
                    item.Scanning = false;
                    item.Next = item.Previous = null;
                    bool again = item.WokenDuringScan;
                    item.WokenDuringScan = false;
                    if (revents != 0)
                    {
                        events[count++] = new EpollEvent(revents, item.Data);
                        if (item.OneShot) { item.ReportMask = 0; again = false; }
                        else if (!item.EdgeTriggered) again = true;
                    }
                    if (again) _ready.Append(item);
                }
                item = next;
            }
        }
        finally
        {
            // What was not looked at (maxevents reached, or a target threw) goes back in front, in order.
            if (item is not null)
            {
                lock (_gate)
                {
                    for (var each = item; each is not null; each = each.Next) { each.Scanning = false; each.WokenDuringScan = false; }
                    _ready.PrependChain(item);
                }
            }
        }
        return count;
    }
}
