// What posix keeps of one socket so that it can make it again on a restarted net server (issue 9
// item 3, DESIGN.md §7): how it was created, the options set on it, where it was bound, whether it
// listens (and its backlog), a UDP socket's fixed peer. A socket whose whole state is this recipe —
// not yet connected, bound, listening, or UDP — is re-created on the new net instance. A TCP socket
// that connected or was accepted is not: its state (sequence numbers, windows, queued bytes) lived
// only in the dead net, so it is reset (`Reset`): its calls then fail as Linux's do after an RST.
// Guarded by RestartableNetwork's gate; NetId is the id on the net instance posix last knew.
namespace Biscuit.Posix;

internal sealed class SocketRecipe
{
    public required int Type;                       // SOCK_STREAM or SOCK_DGRAM, flags removed
    public required int Protocol;
    public long NetId;                              // the id on the current net instance; 0 once reset
    public readonly List<(int Level, int Name, byte[] Value)> Options = [];   // in the order set, latest per option
    public Ipv4Endpoint? Bound;                     // the address bound (the port net chose, for port 0)
    public int? Backlog;                            // listening, with this backlog
    public Ipv4Endpoint? DatagramPeer;              // a UDP socket's connect(2) target
    public bool Connection;                         // a TCP socket that connected or was accepted
    public bool Reset;                              // its net died while it was a connection
    public long PendingError;                       // ECONNRESET until a call reports it (then 0)

    public bool CanBeRemade => !Connection;

    /// <summary>A copy to read without the gate (RestartableNetwork.Remake).</summary>
    public SocketRecipe Copy()
    {
        var copy = new SocketRecipe { Type = Type, Protocol = Protocol, NetId = NetId, Bound = Bound, Backlog = Backlog,
            DatagramPeer = DatagramPeer, Connection = Connection, Reset = Reset, PendingError = PendingError };
        copy.Options.AddRange(Options);
        return copy;
    }

    public void RecordOption(int level, int name, ReadOnlySpan<byte> value)
    {
        Options.RemoveAll(o => o.Level == level && o.Name == name);
        Options.Add((level, name, value.ToArray()));
    }
}
