// pipe(7) for applications: the events library's PipeBuffer (64 KiB, atomic writes up to PIPE_BUF,
// end of file, EPIPE, readiness and wake-ups as Linux) with one open file description per end.
// Blocking is posix's (Calls/Blocking.cs): the buffer is always asked non-blocking and answers
// -EAGAIN, and the caller waits for readiness unless the description is O_NONBLOCK.
// posix cannot raise SIGPIPE on EPIPE (README). Each description counts as one reader or writer of
// the buffer; releasing it closes that end once.
using Biscuit.Posix.Events;

namespace Biscuit.Posix;

public sealed class Pipe
{
    public const int Capacity = PipeBuffer.Capacity;
    private static long nextInode = 1;

    public PipeBuffer Buffer { get; } = new();
    public ulong Inode { get; } = (ulong)Interlocked.Increment(ref nextInode);
    public PipeEnd ReadEnd { get; }
    public PipeEnd WriteEnd { get; }

    public Pipe(int flags)
    {
        ReadEnd = new PipeEnd(this, Buffer.ReadEnd, O.RDONLY | (flags & O.NONBLOCK));
        WriteEnd = new PipeEnd(this, Buffer.WriteEnd, O.WRONLY | (flags & O.NONBLOCK));
    }
}

/// <summary>One end of a pipe as an open file description.</summary>
public sealed class PipeEnd(Pipe pipe, PipeBufferEnd end, int statusFlags) : OpenFile(statusFlags)
{
    private int released;

    public bool IsReadEnd => end.IsReadEnd;
    public override long Read(Span<byte> into) => end.IsReadEnd ? pipe.Buffer.Read(into, nonBlocking: true, WaitCancellation.Never) : -Errno.EBADF;
    public override long Write(ReadOnlySpan<byte> from) => end.IsReadEnd ? -Errno.EBADF : pipe.Buffer.Write(from, nonBlocking: true, WaitCancellation.Never);
    public override Readiness CurrentReadiness() => end.CurrentReadiness();
    public override void Subscribe(IReadinessObserver observer) => end.Subscribe(observer);
    public override void Unsubscribe(IReadinessObserver observer) => end.Unsubscribe(observer);
    public override FileStatus Status() => FileStatus.Synthetic(Mode.IFIFO | 0x180, pipe.Inode, size: pipe.Buffer.BytesAvailable);

    protected override void Release()
    {
        if (Interlocked.Exchange(ref released, 1) != 0) return;
        if (end.IsReadEnd) pipe.Buffer.CloseReader(); else pipe.Buffer.CloseWriter();
    }

    public override long Control(uint request, ulong argument, UserMemory memory)
    {
        if (request != Ioctl.FIONREAD) return -Errno.ENOTTY;
        memory.WriteU32(argument, (uint)pipe.Buffer.BytesAvailable);
        return 0;
    }
}
