// socketpair(AF_UNIX, SOCK_STREAM): two connected ends, each reading what the other writes, built
// from two pipes (one per direction). Closing one end gives the other end of file on read and
// EPIPE on write, as unix(7) stream sockets do. sendmsg/recvmsg carry bytes and open file
// descriptions (SCM_RIGHTS, Calls/SocketCalls.cs and Calls/Ancillary.cs): each direction has a
// RightsQueue that ties the descriptions to the bytes they were sent with. A plain read(2) of bytes
// that carried descriptions closes them, as Linux's recvmsg without a control buffer does.
using Biscuit.Posix.Events;

namespace Biscuit.Posix;

public sealed class StreamPair : OpenFile, IReadinessObserver
{
    private readonly PipeEnd incoming, outgoing;
    private readonly RightsQueue incomingRights, outgoingRights;   // shared with the other end, which writes/reads them
    private static long nextInode = 1;
    private readonly ulong inode = (ulong)Interlocked.Increment(ref nextInode);

    private StreamPair(PipeEnd incoming, RightsQueue incomingRights, PipeEnd outgoing, RightsQueue outgoingRights, int flags)
        : base(O.RDWR | flags)
    {
        this.incoming = incoming;
        this.outgoing = outgoing;
        this.incomingRights = incomingRights;
        this.outgoingRights = outgoingRights;
        incoming.Subscribe(this);
        outgoing.Subscribe(this);
    }

    public static (StreamPair, StreamPair) Create(int flags)
    {
        var aToB = new Pipe(0);
        var bToA = new Pipe(0);
        RightsQueue aToBRights = new(), bToARights = new();
        return (new StreamPair(bToA.ReadEnd, bToARights, aToB.WriteEnd, aToBRights, flags),
                new StreamPair(aToB.ReadEnd, aToBRights, bToA.WriteEnd, bToARights, flags));
    }

    public override long Read(Span<byte> into)
    {
        long n = ReadWithRights(into, out var files);
        RightsQueue.Drop(files);
        return n;
    }

    public override long Write(ReadOnlySpan<byte> from) => WriteWithRights(from, null);

    /// <summary>Reads bytes and the descriptions that came with them (the caller owns their references).</summary>
    public long ReadWithRights(Span<byte> into, out OpenFile[]? files) => incomingRights.Read(incoming, into, out files);

    /// <summary>Writes bytes with `files`: taken (references handed over) when a byte went, else still the caller's.</summary>
    public long WriteWithRights(ReadOnlySpan<byte> from, OpenFile[]? files) => outgoingRights.Write(outgoing, from, files);

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
        incomingRights.ReaderReleased();
        incoming.DropReference();
        outgoing.DropReference();
    }
}
