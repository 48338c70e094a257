// An epoll instance (epoll_create1(2)) as an open file description: the events library's
// EpollInstance does the work; this file object makes it a descriptor that is itself pollable
// (nested epoll) and registers it with its process, so that releasing any description removes
// that description from the instance (PosixProcess.ForgetInEpolls).
using Biscuit.Posix.Events;

namespace Biscuit.Posix;

public sealed class EpollFile : OpenFile
{
    private readonly PosixProcess owner;
    private static long nextInode = 1;
    private readonly ulong inode = (ulong)Interlocked.Increment(ref nextInode);

    public EpollInstance Instance { get; } = new();

    public EpollFile(PosixProcess owner) : base(O.RDWR)
    {
        this.owner = owner;
        owner.AddEpoll(this);
    }

    public override Readiness CurrentReadiness() => Instance.CurrentReadiness();
    public override void Subscribe(IReadinessObserver observer) => Instance.Subscribe(observer);
    public override void Unsubscribe(IReadinessObserver observer) => Instance.Unsubscribe(observer);
    public override FileStatus Status() => FileStatus.Synthetic(0x180, 0x30000 + inode);

    protected override void Release()
    {
        owner.RemoveEpoll(this);
        Instance.Dispose();
    }
}

/// <summary>An eventfd (eventfd2(2)) as an open file description over the events library's EventFd.
/// Blocking is posix's (Calls/Blocking.cs): the EventFd itself always answers EAGAIN instead of waiting.</summary>
public sealed class EventFdFile : OpenFile
{
    private readonly EventFd counter;
    private static long nextInode = 1;
    private readonly ulong inode = (ulong)Interlocked.Increment(ref nextInode);

    public EventFdFile(EventFd counter, int flags) : base(O.RDWR | (flags & O.NONBLOCK))
    {
        this.counter = counter;
        counter.NonBlocking = true;
    }

    public override long Read(Span<byte> into) => counter.ReadInto(into, WaitCancellation.Never);
    public override long Write(ReadOnlySpan<byte> from) => counter.WriteFrom(from, WaitCancellation.Never);
    public override Readiness CurrentReadiness() => counter.CurrentReadiness();
    public override void Subscribe(IReadinessObserver observer) => counter.Subscribe(observer);
    public override void Unsubscribe(IReadinessObserver observer) => counter.Unsubscribe(observer);
    public override FileStatus Status() => FileStatus.Synthetic(0x180, 0x40000 + inode);
}
