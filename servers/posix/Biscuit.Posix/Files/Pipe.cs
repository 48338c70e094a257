// pipe(7): a 64 KiB byte ring shared by a read end and a write end (pipe2 gives one descriptor each).
// Semantics kept (pipe(7)): read of an empty pipe is EAGAIN while a writer exists and 0 (end of file)
// once none does; write with no reader is EPIPE (posix cannot raise SIGPIPE: see README); writes of
// at most PIPE_BUF (4096) bytes are atomic — all or EAGAIN; larger writes may be partial.
// Invariant: `buffer`, `readers`, `writers` change only under `gate`; readiness edges are sent to
// both ends after every change, outside the lock.
using Biscuit.Posix.Events;

namespace Biscuit.Posix;

public sealed class Pipe
{
    public const int Capacity = 65536, AtomicBytes = 4096;
    private static long nextInode = 1;

    private readonly object gate = new();
    private readonly byte[] ring = new byte[Capacity];   // guarded by gate
    private int head, count;                            // guarded by gate: first byte, bytes held
    private int readers = 1, writers = 1;               // guarded by gate

    public ulong Inode { get; } = (ulong)Interlocked.Increment(ref nextInode);
    public PipeEnd ReadEnd { get; }
    public PipeEnd WriteEnd { get; }

    public Pipe(int flags)
    {
        ReadEnd = new PipeEnd(this, reading: true, O.RDONLY | (flags & O.NONBLOCK));
        WriteEnd = new PipeEnd(this, reading: false, O.WRONLY | (flags & O.NONBLOCK));
    }

    internal long Read(Span<byte> into)
    {
        long n;
        lock (gate)
        {
            if (count == 0) return writers == 0 ? 0 : -Errno.EAGAIN;
            if (into.Length == 0) return 0;
            n = Math.Min(into.Length, count);
            for (int i = 0; i < n; i++) into[i] = ring[(head + i) % Capacity];
            head = (head + (int)n) % Capacity;
            count -= (int)n;
        }
        Changed();
        return n;
    }

    internal long Write(ReadOnlySpan<byte> from)
    {
        long n;
        lock (gate)
        {
            if (readers == 0) return -Errno.EPIPE;
            if (from.Length == 0) return 0;
            int room = Capacity - count;
            if (room == 0 || (from.Length <= AtomicBytes && room < from.Length)) return -Errno.EAGAIN;
            n = Math.Min(room, from.Length);
            for (int i = 0; i < n; i++) ring[(head + count + i) % Capacity] = from[i];
            count += (int)n;
        }
        Changed();
        return n;
    }

    internal int Available { get { lock (gate) return count; } }

    internal Readiness ReadinessOf(bool reading)
    {
        lock (gate)
        {
            if (reading)
                return (count > 0 ? Readiness.In : 0) | (writers == 0 ? Readiness.Hup : 0);
            return readers == 0 ? Readiness.Err | Readiness.Out : (Capacity - count >= AtomicBytes ? Readiness.Out : 0);
        }
    }

    internal void CloseEnd(bool reading)
    {
        lock (gate)
        {
            if (reading) readers--; else writers--;
        }
        Changed();
    }

    private void Changed()
    {
        ReadEnd.Changed();
        WriteEnd.Changed();
    }
}

/// <summary>One end of a pipe as an open file description.</summary>
public sealed class PipeEnd(Pipe pipe, bool reading, int statusFlags) : OpenFile(statusFlags)
{
    public bool IsReadEnd => reading;
    public override long Read(Span<byte> into) => reading ? pipe.Read(into) : -Errno.EBADF;
    public override long Write(ReadOnlySpan<byte> from) => reading ? -Errno.EBADF : pipe.Write(from);
    public override Readiness CurrentReadiness() => pipe.ReadinessOf(reading);
    public override FileStatus Status() => FileStatus.Synthetic(Mode.IFIFO | 0x180, pipe.Inode, size: pipe.Available);
    internal void Changed() => ReadinessChanged();
    protected override void Release() => pipe.CloseEnd(reading);

    public override long Control(uint request, ulong argument, UserMemory memory)
    {
        if (request != Ioctl.FIONREAD) return -Errno.ENOTTY;
        memory.WriteU32(argument, (uint)pipe.Available);
        return 0;
    }
}
