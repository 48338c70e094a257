// PipeBufferEnd: one end of a PipeBuffer as something an application can poll (pipe(7), fs/pipe.c pipe_poll).
// The read end reports POLLIN while bytes are queued and POLLHUP once every writer is closed; the write
// end reports POLLOUT while PIPE_BUF bytes fit and POLLERR once every reader is closed. Each end has its
// own observers, woken by the buffer as described there.
namespace Biscuit.Posix.Events;

/// <summary>The read or the write end of a pipe, pollable.</summary>
public sealed class PipeBufferEnd : IPollable
{
    internal readonly ReadinessObservers Observers = new();

    internal PipeBufferEnd(PipeBuffer pipe, bool isReadEnd)
    {
        Pipe = pipe;
        IsReadEnd = isReadEnd;
    }

    public PipeBuffer Pipe { get; }
    public bool IsReadEnd { get; }

    public Readiness CurrentReadiness() => IsReadEnd ? Pipe.ReaderReadiness() : Pipe.WriterReadiness();
    public void Subscribe(IReadinessObserver observer) => Observers.Add(observer);
    public void Unsubscribe(IReadinessObserver observer) => Observers.Remove(observer);
}
