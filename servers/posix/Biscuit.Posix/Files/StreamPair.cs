// socketpair(AF_UNIX, SOCK_STREAM): two connected ends, each reading what the other writes, built
// from two pipes (one per direction). Closing one end gives the other end of file on read and
// EPIPE on write, as unix(7) stream sockets do. sendmsg/recvmsg carry bytes (Calls/SocketCalls.cs);
// ancillary data (SCM_RIGHTS) is not carried (EOPNOTSUPP).
using Biscuit.Posix.Events;

namespace Biscuit.Posix;

public sealed class StreamPair : OpenFile, IReadinessObserver
{
    private readonly PipeEnd incoming, outgoing;
    private static long nextInode = 1;
    private readonly ulong inode = (ulong)Interlocked.Increment(ref nextInode);

    private StreamPair(PipeEnd incoming, PipeEnd outgoing, int flags) : base(O.RDWR | flags)
    {
        this.incoming = incoming;
        this.outgoing = outgoing;
        incoming.Subscribe(this);
        outgoing.Subscribe(this);
    }

    public static (StreamPair, StreamPair) Create(int flags)
    {
        var aToB = new Pipe(0);
        var bToA = new Pipe(0);
        return (new StreamPair(bToA.ReadEnd, aToB.WriteEnd, flags), new StreamPair(aToB.ReadEnd, bToA.WriteEnd, flags));
    }

    public override long Read(Span<byte> into) => incoming.Read(into);
    public override long Write(ReadOnlySpan<byte> from) => outgoing.Write(from);

    public override Readiness CurrentReadiness()
    {
        var r = incoming.CurrentReadiness() & (Readiness.In | Readiness.Hup);
        var w = outgoing.CurrentReadiness();
        if ((r & Readiness.Hup) != 0) r |= Readiness.RdHup;
        return r | (w & Readiness.Out) | ((w & Readiness.Err) != 0 ? Readiness.Hup : 0);
    }

    public void ReadinessChanged(IPollable source, Readiness now) => ReadinessChanged();

    public override FileStatus Status() => FileStatus.Synthetic(Mode.IFSOCK | 0x1FF, 0x20000 + inode);

    protected override void Release()
    {
        incoming.Unsubscribe(this);
        outgoing.Unsubscribe(this);
        incoming.DropReference();
        outgoing.DropReference();
    }
}
