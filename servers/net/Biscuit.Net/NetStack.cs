// The stack as one object, for a single-threaded event loop. Four things drive it:
//   Receive(frame)     - a frame arrived from the NIC,
//   DeliverLoopback()  - datagrams the stack sent to itself (127.0.0.0/8, its own address) are due,
//   Tick(now)          - the clock advanced (the stack never reads a clock of its own, so tests are exact),
//   socket calls       - on TcpSocket and UdpSocket objects it created.
// It answers by calling ILinkLayer.Transmit, or by queueing to its own loopback queue. Invariants: no
// method is re-entered (Transmit must not call back into the stack, and a send to a local address only
// queues: the loop delivers it later); every buffer and queue inside has a bound from NetStackOptions;
// bad input is dropped and counted in Stats, never thrown.
namespace Biscuit.Net;

public sealed class NetStack
{
    public NetStackOptions Options { get; }
    public NetStats Stats { get; } = new();
    public ILinkLayer Link { get; }

    /// <summary>The time (ms) given by the last Tick; timers are set relative to it.</summary>
    public long Now { get; private set; }

    internal readonly ArpLayer Arp;
    internal readonly Ipv4Layer Ip;
    internal readonly IcmpLayer Icmp;
    internal readonly UdpLayer Udp;
    internal readonly TcpLayer Tcp;

    // Sockets whose readiness may have changed since the event loop last asked (owner: event loop).
    readonly List<IPollable> readinessChanged = new();
    readonly HashSet<IPollable> readinessChangedSet = new(ReferenceEqualityComparer.Instance);

    // The loopback interface (owner: event loop): its queue and the one buffer a datagram is taken into.
    readonly LoopbackQueue loopback;
    readonly byte[] loopbackDatagram;

    public NetStack(ILinkLayer link, NetStackOptions options, long now = 0)
    {
        if (link.Mtu < 576 || link.Mtu > 9000) throw new ArgumentException("MTU must be within 576..9000", nameof(link));
        Link = link;
        Options = options;
        Now = now;
        Arp = new ArpLayer(this);
        Ip = new Ipv4Layer(this);
        Icmp = new IcmpLayer(this);
        Udp = new UdpLayer(this);
        Tcp = new TcpLayer(this);
        loopback = new LoopbackQueue(options.LoopbackQueueBytes);
        loopbackDatagram = new byte[link.Mtu];
    }

    public Ipv4Address Address => Options.Address;

    /// <summary>True for the interface's address and 127.0.0.0/8: the addresses a socket may bind.</summary>
    public bool IsLocalAddress(Ipv4Address address) => Ip.IsLocal(address);

    /// <summary>Datagrams waiting in the loopback queue: the loop should call DeliverLoopback soon.</summary>
    public int LoopbackPending => loopback.Count;

    /// <summary>Delivers the datagrams that were in the loopback queue when it was called (those their
    /// processing sends wait for the next call, so one call always ends) and returns how many.</summary>
    public int DeliverLoopback()
    {
        int due = loopback.Count;
        for (int i = 0; i < due; i++)
        {
            int length = loopback.Dequeue(loopbackDatagram);
            Ip.Input(loopbackDatagram.AsSpan(0, length), fromLoopback: true);
        }
        return due;
    }

    internal void SendToLoopback(ReadOnlySpan<byte> datagram)
    {
        if (!loopback.TryEnqueue(datagram)) { Stats.Drop(DropReason.LoopbackQueueFull); return; }
        Stats.LoopbackDatagrams++;
        Stats.LoopbackBytes += datagram.Length;
    }

    /// <summary>Handles one received Ethernet frame (without FCS). Never throws on bad input.</summary>
    public void Receive(ReadOnlySpan<byte> frame)
    {
        Stats.FramesIn++;
        Stats.BytesIn += frame.Length;
        if (frame.Length < Ethernet.HeaderLength) { Stats.Drop(DropReason.FrameTooShort); return; }
        if (frame.Length > Ethernet.HeaderLength + Link.Mtu) { Stats.Drop(DropReason.FrameTooLong); return; }
        var destination = Ethernet.Destination(frame);
        if (destination != Link.Mac && destination != MacAddress.Broadcast) { Stats.Drop(DropReason.FrameNotForUs); return; }
        var payload = frame.Slice(Ethernet.HeaderLength);
        switch (Ethernet.EtherType(frame))
        {
            case Ethernet.TypeIpv4: Ip.Input(payload); break;
            case Ethernet.TypeArp: Arp.Input(payload); break;
            default: Stats.Drop(DropReason.UnknownEtherType); break;
        }
    }

    /// <summary>Advances the clock to now (ms, monotonic) and runs every timer that is due.</summary>
    public void Tick(long now)
    {
        if (now > Now) Now = now;
        Arp.Tick();
        Ip.Tick();
        Tcp.Tick();
    }

    /// <summary>The earliest time at which Tick or DeliverLoopback has work to do (long.MaxValue if
    /// none), for the loop's sleep: now while loopback datagrams wait.</summary>
    public long NextDeadline() => loopback.Count > 0 ? Now
        : Math.Min(Math.Min(Arp.NextDeadline(), Ip.NextDeadline()), Tcp.NextDeadline());

    public TcpSocket CreateTcpSocket() => new(this);
    public UdpSocket CreateUdpSocket() => new(this);

    /// <summary>Counts of TCP connections in each state (for Stats).</summary>
    public IReadOnlyDictionary<TcpState, int> ConnectionsByState() => Tcp.CountByState();

    /// <summary>Every counter for the server's Stats request, with the connections in each TCP state
    /// as "tcp.state.&lt;State&gt;".</summary>
    public List<(string Name, long Value)> StatsSnapshot()
    {
        var all = Stats.Snapshot();
        foreach (var (state, count) in ConnectionsByState()) all.Add(("tcp.state." + state, count));
        return all;
    }

    /// <summary>Moves the sockets whose readiness may have changed into the list (for edge-triggered epoll).</summary>
    public int TakeReadinessChanges(List<IPollable> into)
    {
        int n = readinessChanged.Count;
        into.AddRange(readinessChanged);
        readinessChanged.Clear();
        readinessChangedSet.Clear();
        return n;
    }

    internal void NoteReadinessChanged(IPollable? socket)
    {
        if (socket != null && readinessChangedSet.Add(socket)) readinessChanged.Add(socket);
    }

    internal void Transmit(ReadOnlySpan<byte> frame)
    {
        Stats.FramesOut++;
        Stats.BytesOut += frame.Length;
        Link.Transmit(frame);
    }
}
