// A fake net server that can die and restart (issue 9 item 3): each instance is a fresh
// LoopbackNetwork (no sockets; ids from another range, so a dead instance's ids are unknown to the
// next one and get EBADF, as the real net's generations make them) with its own instance number.
// While down every call answers EIO, as posix's net client does when the server died. It counts
// the Instance questions and readiness subscriptions posix makes.
namespace Biscuit.Posix.Tests;

public sealed class RestartingNetServer : ISocketNetwork
{
    private ISocketReadinessSink? sink;
    private int restarts;

    public LoopbackNetwork Current { get; private set; } = new(firstId: 100);
    public long InstanceNumber { get; private set; } = 7001;
    public bool Down { get; private set; }
    public int InstanceQuestions { get; private set; }
    public int Subscriptions { get; private set; }

    /// <summary>The server dies: calls fail with EIO until Restart.</summary>
    public void Die() => Down = true;

    /// <summary>A new instance: no sockets, a new instance number, nobody subscribed.</summary>
    public void Restart()
    {
        restarts++;
        Current = new LoopbackNetwork(firstId: 100 + 10_000 * restarts);
        if (sink != null) Current.Attach(sink);
        InstanceNumber += 1000;
        Down = false;
    }

    public long Instance()
    {
        InstanceQuestions++;
        return Down ? -Errno.EIO : InstanceNumber;
    }

    public long Resubscribe()
    {
        if (Down) return -Errno.EIO;
        Subscriptions++;
        return 0;
    }

    public void Attach(ISocketReadinessSink readinessSink)
    {
        sink = readinessSink;
        Current.Attach(readinessSink);
    }

    public long Create(int type, int protocol) => Down ? -Errno.EIO : Current.Create(type, protocol);
    public long Bind(long socket, Ipv4Endpoint local) => Down ? -Errno.EIO : Current.Bind(socket, local);
    public long Listen(long socket, int backlog) => Down ? -Errno.EIO : Current.Listen(socket, backlog);
    public long Accept(long socket, out Ipv4Endpoint peer) { peer = default; return Down ? -Errno.EIO : Current.Accept(socket, out peer); }
    public long Connect(long socket, Ipv4Endpoint remote) => Down ? -Errno.EIO : Current.Connect(socket, remote);
    public long Send(long socket, ReadOnlySpan<byte> data, Ipv4Endpoint? to) => Down ? -Errno.EIO : Current.Send(socket, data, to);
    public long Receive(long socket, Span<byte> into, bool peek, out Ipv4Endpoint from) { from = default; return Down ? -Errno.EIO : Current.Receive(socket, into, peek, out from); }
    public long Shutdown(long socket, int how) => Down ? -Errno.EIO : Current.Shutdown(socket, how);
    public long Close(long socket) => Down ? -Errno.EIO : Current.Close(socket);
    public long SetOption(long socket, int level, int name, ReadOnlySpan<byte> value) => Down ? -Errno.EIO : Current.SetOption(socket, level, name, value);
    public long GetOption(long socket, int level, int name, Span<byte> value) => Down ? -Errno.EIO : Current.GetOption(socket, level, name, value);
    public long LocalAddress(long socket, out Ipv4Endpoint local) { local = default; return Down ? -Errno.EIO : Current.LocalAddress(socket, out local); }
    public long PeerAddress(long socket, out Ipv4Endpoint peer) { peer = default; return Down ? -Errno.EIO : Current.PeerAddress(socket, out peer); }
    public uint Readiness(long socket) => Down ? 0x008u : Current.Readiness(socket);
}
