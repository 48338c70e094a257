// An AF_INET socket as an open file description: read/write are recv/send, readiness comes from the
// net server's pushed changes (SocketTable). Blocking is done by the caller (Calls/Blocking.cs) on
// -EAGAIN, like every other description.
using Biscuit.Posix.Events;

namespace Biscuit.Posix;

public sealed class SocketFile : OpenFile
{
    private readonly ISocketNetwork net;
    private readonly SocketTable table;
    private int released;

    public long Id { get; }
    public int Type { get; }

    internal SocketFile(ISocketNetwork net, SocketTable table, long id, int type, int statusFlags) : base(O.RDWR | statusFlags)
    {
        this.net = net;
        this.table = table;
        Id = id;
        Type = type;
    }

    public override long Read(Span<byte> into) => net.Receive(Id, into, peek: false, out _);
    public override long Write(ReadOnlySpan<byte> from) => net.Send(Id, from, null);
    /// <summary>send(2) of at most `count` bytes written by `fill` where net will read them (sendfile).</summary>
    public long WriteFilled(int count, SpanFiller fill) => net.SendFilled(Id, count, fill);
    public override Readiness CurrentReadiness() => (Readiness)net.Readiness(Id);
    public override FileStatus Status() => FileStatus.Synthetic(Mode.IFSOCK | 0x1FF, 0x10000 + (ulong)Id);

    public override long Control(uint request, ulong argument, UserMemory memory)
    {
        if (request != Ioctl.FIONREAD) return -Errno.ENOTTY;
        var probe = System.Buffers.ArrayPool<byte>.Shared.Rent(65536);
        long n;
        try { n = net.Receive(Id, probe.AsSpan(0, 65536), peek: true, out _); }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(probe); }
        memory.WriteU32(argument, (uint)Math.Max(0, n));
        return 0;
    }

    internal void PushedReadiness(Readiness now) => Observers.Notify(this, now);

    protected override void Release()
    {
        if (Interlocked.Exchange(ref released, 1) != 0) return;
        table.Forget(Id);
        net.Close(Id);
    }
}

/// <summary>posix's sockets by net id: receives net's readiness pushes and hands them to the socket's
/// observers (epoll instances, blocked callers). Invariant: `sockets` holds exactly the sockets not
/// yet released, under `gate`.</summary>
public sealed class SocketTable : ISocketReadinessSink
{
    private readonly object gate = new();
    private readonly Dictionary<long, SocketFile> sockets = [];   // guarded by gate
    private readonly ISocketNetwork net;

    public SocketTable(ISocketNetwork net)
    {
        this.net = net;
        net.Attach(this);
    }

    public ISocketNetwork Network => net;
    public int Count { get { lock (gate) return sockets.Count; } }

    public SocketFile Adopt(long id, int type, int statusFlags)
    {
        var socket = new SocketFile(net, this, id, type, statusFlags);
        lock (gate) sockets[id] = socket;
        return socket;
    }

    internal void Forget(long id)
    {
        lock (gate) sockets.Remove(id);
    }

    public void ReadinessChanged(long socket, uint epollMask)
    {
        SocketFile? file;
        lock (gate) sockets.TryGetValue(socket, out file);
        file?.PushedReadiness((Readiness)epollMask);
    }
}
