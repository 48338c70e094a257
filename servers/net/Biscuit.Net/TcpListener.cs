// A listening endpoint (RFC 9293 3.10.7.2 "LISTEN state"): turns SYNs into connections in
// SYN-RECEIVED (the SYN queue) and keeps established ones until the user accepts them (the accept
// queue). Both queues are bounded by the backlog; a SYN beyond them is dropped and counted, as Linux
// does without SYN cookies, so a SYN flood costs at most backlog connections of memory.
namespace Biscuit.Net;

internal sealed class TcpListener
{
    public readonly ushort Port;
    public readonly Ipv4Address Address;                         // INADDR_ANY, or the one local address it hears
    public readonly TcpSocket Socket;
    public int Backlog;
    public readonly Queue<TcpConnection> AcceptQueue = new();   // established, not yet accepted
    public int SynReceivedCount;                                 // children still in SYN-RECEIVED
    public bool Closed;

    public TcpListener(TcpSocket socket, Ipv4Address address, ushort port, int backlog)
    {
        Socket = socket;
        Address = address;
        Port = port;
        Backlog = backlog;
    }

    public bool HasRoomForSyn => SynReceivedCount < Backlog && AcceptQueue.Count < Backlog;

    public void OnChildEstablished(TcpConnection child)
    {
        SynReceivedCount--;
        AcceptQueue.Enqueue(child);
        Socket.NotifyReadiness();
    }

    public void OnChildClosed(TcpConnection child, bool wasSynReceived)
    {
        if (wasSynReceived) { SynReceivedCount--; child.Listener = null; }
        // A child closed while in the accept queue stays there: accept() returns it and the
        // user then sees its error (reset) or end of file, as on Linux.
    }

    public TcpConnection? TakeAccepted()
    {
        if (AcceptQueue.Count == 0) return null;
        var c = AcceptQueue.Dequeue();
        c.Listener = null;
        return c;
    }
}
