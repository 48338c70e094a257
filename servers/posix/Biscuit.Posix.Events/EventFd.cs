// EventFd: the object behind eventfd2(2): a 64-bit counter. write(2) adds to it, read(2) takes all of it
// (or 1 with EFD_SEMAPHORE). The counter never exceeds 0xfffffffffffffffe: a write that would pass it
// blocks until a read makes room (EAGAIN when non-blocking); writing 0xffffffffffffffff is EINVAL; reading
// a zero counter blocks (EAGAIN when non-blocking). Readable while the counter is > 0; writable while a
// write of 1 would not block (fs/eventfd.c eventfd_poll).
// Invariant: _counter <= MaxCounter; all state guarded by _gate; waiters sleep on _gate's monitor and
// re-check cancellation at least every 10 ms. Observers are told after each read and write (Linux wakes
// its wait queue on both), outside _gate.
using System.Buffers.Binary;

namespace Biscuit.Posix.Events;

/// <summary>An eventfd: counter, EFD_SEMAPHORE, EFD_NONBLOCK.</summary>
public sealed class EventFd : IPollable
{
    public const int EFD_SEMAPHORE = 0x1;
    public const int EFD_NONBLOCK = 0x800;   // O_NONBLOCK
    public const int EFD_CLOEXEC = 0x80000;  // O_CLOEXEC: the descriptor table's business, accepted here
    /// <summary>The largest value the counter may hold.</summary>
    public const ulong MaxCounter = 0xffff_ffff_ffff_fffe;
    /// <summary>read(2)/write(2) move exactly this many bytes (a native-endian uint64).</summary>
    public const int ValueSize = 8;

    private readonly object _gate = new();
    private readonly ReadinessObservers _observers = new();
    private ulong _counter;          // _gate
    private volatile bool _nonBlocking; // fcntl(F_SETFL, O_NONBLOCK) may change it at any time

    /// <summary>eventfd(initval, flags) with flags already checked; see Create for checked input.</summary>
    public EventFd(uint initialValue, bool semaphore, bool nonBlocking)
    {
        _counter = initialValue;
        Semaphore = semaphore;
        _nonBlocking = nonBlocking;
    }

    /// <summary>eventfd2(2): 0 and the eventfd, or -EINVAL for flags outside EFD_SEMAPHORE|EFD_NONBLOCK|EFD_CLOEXEC.</summary>
    public static int Create(uint initialValue, int flags, out EventFd? eventFd)
    {
        eventFd = null;
        if ((flags & ~(EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC)) != 0) return -LinuxErrno.EINVAL;
        eventFd = new EventFd(initialValue, (flags & EFD_SEMAPHORE) != 0, (flags & EFD_NONBLOCK) != 0);
        return 0;
    }

    public bool Semaphore { get; }
    public bool NonBlocking { get => _nonBlocking; set => _nonBlocking = value; }

    /// <summary>The counter now (for /proc/self/fdinfo and tests).</summary>
    public ulong Counter { get { lock (_gate) return _counter; } }

    /// <summary>read(2) with no cancellation.</summary>
    public int Read(out ulong value) => Read(out value, WaitCancellation.Never);

    /// <summary>read(2): 0 and the counter (or 1 in semaphore mode); -EAGAIN if zero and non-blocking;
    /// blocks while zero; -EINTR if cancelled while blocked.</summary>
    public int Read(out ulong value, IWaitCancellation cancel)
    {
        cancel = WaitCancellation.OrNever(cancel);
        Readiness now;
        lock (_gate)
        {
            while (_counter == 0)
            {
                value = 0;
                if (_nonBlocking) return -LinuxErrno.EAGAIN;
                if (cancel.IsCancelled) return -LinuxErrno.EINTR;
                Monitor.Wait(_gate, WaitDeadline.SliceMilliseconds);
            }
            value = Semaphore ? 1 : _counter;
            _counter -= value;
            Monitor.PulseAll(_gate);
            now = ReadinessLocked();
        }
        _observers.Notify(this, now);
        return 0;
    }

    /// <summary>write(2) with no cancellation.</summary>
    public int Write(ulong value) => Write(value, WaitCancellation.Never);

    /// <summary>write(2): 0; -EINVAL for 0xffffffffffffffff; if the sum would pass MaxCounter, -EAGAIN when
    /// non-blocking, else blocks until reads make room; -EINTR if cancelled while blocked.</summary>
    public int Write(ulong value, IWaitCancellation cancel)
    {
        if (value == ulong.MaxValue) return -LinuxErrno.EINVAL;
        cancel = WaitCancellation.OrNever(cancel);
        Readiness now;
        lock (_gate)
        {
            while (MaxCounter - _counter < value)
            {
                if (_nonBlocking) return -LinuxErrno.EAGAIN;
                if (cancel.IsCancelled) return -LinuxErrno.EINTR;
                Monitor.Wait(_gate, WaitDeadline.SliceMilliseconds);
            }
            _counter += value;
            Monitor.PulseAll(_gate);
            now = ReadinessLocked();
        }
        _observers.Notify(this, now);
        return 0;
    }

    /// <summary>read(2) into the caller's buffer: 8 bytes written, or -EINVAL if it holds fewer than 8.</summary>
    public int ReadInto(Span<byte> buffer, IWaitCancellation cancel)
    {
        if (buffer.Length < ValueSize) return -LinuxErrno.EINVAL;
        int result = Read(out ulong value, cancel);
        if (result < 0) return result;
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, value);
        return ValueSize;
    }

    /// <summary>write(2) from the caller's buffer: 8 bytes consumed, or -EINVAL if it holds fewer than 8.</summary>
    public int WriteFrom(ReadOnlySpan<byte> buffer, IWaitCancellation cancel)
    {
        if (buffer.Length < ValueSize) return -LinuxErrno.EINVAL;
        int result = Write(BinaryPrimitives.ReadUInt64LittleEndian(buffer), cancel);
        return result < 0 ? result : ValueSize;
    }

    public Readiness CurrentReadiness()
    {
        lock (_gate) return ReadinessLocked();
    }

    public void Subscribe(IReadinessObserver observer) => _observers.Add(observer);
    public void Unsubscribe(IReadinessObserver observer) => _observers.Remove(observer);

    private Readiness ReadinessLocked()
    {
        var readiness = Readiness.None;
        if (_counter > 0) readiness |= Readiness.In;
        if (_counter < MaxCounter) readiness |= Readiness.Out;
        return readiness;
    }
}
