// PipeBuffer: the byte queue behind pipe2(2) (pipe(7), fs/pipe.c), also usable for a local socket's
// one-way queue. Capacity 65536 bytes; a write of at most PIPE_BUF (4096) bytes is atomic (all or
// nothing, never interleaved); larger writes may be partial when non-blocking. Reading an empty pipe whose
// writers are all closed returns 0 (EOF); writing when all readers are closed fails with EPIPE (the posix
// server also raises SIGPIPE). Each end is an IPollable: the read end is readable while bytes are queued
// and reports POLLHUP once every writer closed; the write end is writable while PIPE_BUF bytes fit and
// reports POLLERR once every reader closed.
// Invariants (all guarded by _gate): 0 <= _count <= Capacity; the bytes live in _ring from _head, wrapping;
// _readers and _writers count open descriptions of each end and never go below 0 (too many closes are
// -EBADF). Waiters sleep on _gate's monitor and re-check cancellation at least every 10 ms.
// Wake-ups, as Linux: the read end's observers after every write that queued bytes and when the last
// writer closes; the write end's observers when a read makes it writable and when the last reader closes.
namespace Biscuit.Posix.Events;

/// <summary>A pipe's byte queue with reader and writer counts.</summary>
public sealed class PipeBuffer
{
    /// <summary>Linux's default pipe capacity (16 pages).</summary>
    public const int Capacity = 65536;
    /// <summary>PIPE_BUF: writes of at most this many bytes are atomic.</summary>
    public const int AtomicWriteLimit = 4096;

    private readonly object _gate = new();
    private byte[]? _ring;   // _gate; allocated at the first write (many pipes never carry data)
    private int _head;       // _gate: index of the oldest byte
    private int _count;      // _gate: bytes queued
    private int _readers = 1; // _gate
    private int _writers = 1; // _gate

    public PipeBuffer()
    {
        ReadEnd = new PipeBufferEnd(this, isReadEnd: true);
        WriteEnd = new PipeBufferEnd(this, isReadEnd: false);
    }

    /// <summary>The end pipe2's fd[0] refers to.</summary>
    public PipeBufferEnd ReadEnd { get; }
    /// <summary>The end pipe2's fd[1] refers to.</summary>
    public PipeBufferEnd WriteEnd { get; }

    /// <summary>Bytes queued now (FIONREAD).</summary>
    public int BytesAvailable { get { lock (_gate) return _count; } }
    public int OpenReaders { get { lock (_gate) return _readers; } }
    public int OpenWriters { get { lock (_gate) return _writers; } }

    /// <summary>read(2): bytes read (at most destination.Length); 0 at end of file (empty, no writers) or for an
    /// empty destination; -EAGAIN when empty and non-blocking; blocks while empty; -EINTR if cancelled while blocked.</summary>
    public int Read(Span<byte> destination, bool nonBlocking, IWaitCancellation cancel)
    {
        if (destination.IsEmpty) return 0;
        cancel = WaitCancellation.OrNever(cancel);
        int taken;
        bool writerWoke;
        Readiness writerNow;
        lock (_gate)
        {
            while (_count == 0)
            {
                if (_writers == 0) return 0;
                if (nonBlocking) return -LinuxErrno.EAGAIN;
                if (cancel.IsCancelled) return -LinuxErrno.EINTR;
                Monitor.Wait(_gate, WaitDeadline.SliceMilliseconds);
            }
            bool wasWritable = HasRoomForAtomicWrite();
            taken = Math.Min(destination.Length, _count);
            CopyOut(destination[..taken]);
            Monitor.PulseAll(_gate);
            writerWoke = !wasWritable && HasRoomForAtomicWrite();
            writerNow = WriterReadinessLocked();
        }
        if (writerWoke) WriteEnd.Observers.Notify(WriteEnd, writerNow);
        return taken;
    }

    /// <summary>write(2): bytes written; -EPIPE when no reader is open (and nothing was written); a write of at most
    /// PIPE_BUF bytes goes in whole or not at all; non-blocking: -EAGAIN when nothing fits, else a possibly short
    /// count; blocking: waits until everything is written, returning the short count (or -EINTR if none) when cancelled.</summary>
    public int Write(ReadOnlySpan<byte> source, bool nonBlocking, IWaitCancellation cancel)
    {
        if (source.IsEmpty) return 0; // a null write succeeds, even with no reader (fs/pipe.c pipe_write)
        cancel = WaitCancellation.OrNever(cancel);
        bool atomic = source.Length <= AtomicWriteLimit;
        int written = 0;
        while (true)
        {
            Readiness readerNow;
            lock (_gate)
            {
                while (true)
                {
                    if (_readers == 0) return written > 0 ? written : -LinuxErrno.EPIPE;
                    if (written == source.Length) return written;
                    int room = Capacity - _count;
                    int remaining = source.Length - written;
                    if (atomic ? room >= remaining : room > 0) break;
                    if (nonBlocking) return written > 0 ? written : -LinuxErrno.EAGAIN;
                    if (cancel.IsCancelled) return written > 0 ? written : -LinuxErrno.EINTR;
                    Monitor.Wait(_gate, WaitDeadline.SliceMilliseconds);
                }
                int chunk = Math.Min(Capacity - _count, source.Length - written);
                CopyIn(source.Slice(written, chunk));
                written += chunk;
                Monitor.PulseAll(_gate);
                readerNow = ReaderReadinessLocked();
            }
            ReadEnd.Observers.Notify(ReadEnd, readerNow); // outside _gate, then go on with the rest
            if (written == source.Length || nonBlocking) return written;
        }
    }

    /// <summary>Another description of the read end exists (dup of an open file description, fork).</summary>
    public int AddReader() => Adjust(ref _readers, +1, isReadEnd: true);
    /// <summary>Another description of the write end exists.</summary>
    public int AddWriter() => Adjust(ref _writers, +1, isReadEnd: false);
    /// <summary>A description of the read end was closed; the last one makes writers fail with EPIPE. -EBADF if none is open.</summary>
    public int CloseReader() => Adjust(ref _readers, -1, isReadEnd: true);
    /// <summary>A description of the write end was closed; the last one gives readers end of file. -EBADF if none is open.</summary>
    public int CloseWriter() => Adjust(ref _writers, -1, isReadEnd: false);

    internal Readiness ReaderReadiness() { lock (_gate) return ReaderReadinessLocked(); }
    internal Readiness WriterReadiness() { lock (_gate) return WriterReadinessLocked(); }

    private int Adjust(ref int openCount, int delta, bool isReadEnd)
    {
        Readiness otherNow;
        lock (_gate)
        {
            if (openCount + delta < 0) return -LinuxErrno.EBADF;
            if (delta > 0 && openCount == 0) return -LinuxErrno.EBADF; // a closed end cannot be reopened
            openCount += delta;
            if (openCount != 0) return 0;
            Monitor.PulseAll(_gate);
            otherNow = isReadEnd ? WriterReadinessLocked() : ReaderReadinessLocked();
        }
        // The last close of one end is a change the other end's waiters care about.
        if (isReadEnd) WriteEnd.Observers.Notify(WriteEnd, otherNow);
        else ReadEnd.Observers.Notify(ReadEnd, otherNow);
        return 0;
    }

    private bool HasRoomForAtomicWrite() => Capacity - _count >= AtomicWriteLimit;

    private Readiness ReaderReadinessLocked()
    {
        var readiness = Readiness.None;
        if (_count > 0) readiness |= Readiness.In;
        if (_writers == 0) readiness |= Readiness.Hup;
        return readiness;
    }

    private Readiness WriterReadinessLocked()
    {
        var readiness = Readiness.None;
        if (HasRoomForAtomicWrite()) readiness |= Readiness.Out;
        if (_readers == 0) readiness |= Readiness.Err;
        return readiness;
    }

    private void CopyIn(ReadOnlySpan<byte> bytes)
    {
        _ring ??= new byte[Capacity];
        int tail = (_head + _count) % Capacity;
        int first = Math.Min(bytes.Length, Capacity - tail);
        bytes[..first].CopyTo(_ring.AsSpan(tail));
        bytes[first..].CopyTo(_ring.AsSpan(0));
        _count += bytes.Length;
    }

    private void CopyOut(Span<byte> destination)
    {
        var ring = _ring!; // _count > 0 implies a first write happened
        int first = Math.Min(destination.Length, Capacity - _head);
        ring.AsSpan(_head, first).CopyTo(destination);
        ring.AsSpan(0, destination.Length - first).CopyTo(destination[first..]);
        _head = (_head + destination.Length) % Capacity;
        _count -= destination.Length;
    }
}
