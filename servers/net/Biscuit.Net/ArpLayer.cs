// ARP for IPv4 over Ethernet (RFC 826, RFC 1122 2.3.2). Keeps a bounded cache of IPv4 -> MAC entries
// that expire, and for unresolved next hops a bounded queue of waiting IP packets (RFC 1122 2.3.2.2:
// SHOULD save at least one). Requests are retried every ArpRetryIntervalMs up to ArpMaxRequests
// times (RFC 1122 2.3.2.1 flood prevention: at most one per second per address); then the queued
// packets are dropped and counted. Invariants: entries.Count <= ArpCacheCapacity; the total number of
// queued packets <= ArpPendingPacketsTotal, and per address <= ArpPendingPacketsPerAddress.
using System.Buffers.Binary;

namespace Biscuit.Net;

internal sealed class ArpLayer
{
    const int PacketLength = 28;
    const ushort OpRequest = 1, OpReply = 2;

    sealed class Entry
    {
        public MacAddress Mac;
        public bool Resolved;
        public long ExpiresAt;        // resolved: when the mapping goes stale
        public long NextRequestAt;    // unresolved: when to ask again
        public int RequestsSent;
        public readonly Queue<byte[]> Pending = new(); // IP frames waiting for Mac (owner: event loop)
    }

    readonly NetStack stack;
    readonly Dictionary<Ipv4Address, Entry> entries = new();
    readonly byte[] arpFrame = new byte[Ethernet.MinFrameWithoutFcs];
    int pendingTotal;

    public ArpLayer(NetStack stack) => this.stack = stack;

    public int PendingPackets => pendingTotal;
    public int CacheEntries => entries.Count;

    public bool TryLookup(Ipv4Address address, out MacAddress mac)
    {
        if (entries.TryGetValue(address, out var e) && e.Resolved) { mac = e.Mac; return true; }
        mac = default;
        return false;
    }

    /// <summary>The RFC 826 "packet reception" algorithm.</summary>
    public void Input(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < PacketLength
            || BinaryPrimitives.ReadUInt16BigEndian(packet) != 1            // hardware: Ethernet
            || BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(2)) != Ethernet.TypeIpv4
            || packet[4] != 6 || packet[5] != 4)
        { stack.Stats.Drop(DropReason.ArpMalformed); return; }
        ushort op = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(6));
        var senderMac = MacAddress.Read(packet.Slice(8));
        var senderIp = Ipv4Address.Read(packet.Slice(14));
        var targetIp = Ipv4Address.Read(packet.Slice(24));
        if ((op != OpRequest && op != OpReply) || senderMac == MacAddress.Broadcast || senderMac == MacAddress.Zero)
        { stack.Stats.Drop(DropReason.ArpMalformed); return; }

        bool merged = false;
        if (senderIp != Ipv4Address.Any && entries.TryGetValue(senderIp, out var known))
        {
            Learn(senderIp, known, senderMac);
            merged = true;
        }
        if (targetIp != stack.Address) return; // not for us: only refresh an existing entry (done above)
        if (!merged && senderIp != Ipv4Address.Any) AddResolved(senderIp, senderMac);
        if (op == OpRequest) SendArp(OpReply, senderMac, senderMac, senderIp);
    }

    void AddResolved(Ipv4Address ip, MacAddress mac)
    {
        if (entries.Count >= stack.Options.ArpCacheCapacity && !EvictOne()) return;
        var e = new Entry();
        entries[ip] = e;
        Learn(ip, e, mac);
    }

    void Learn(Ipv4Address ip, Entry e, MacAddress mac)
    {
        e.Mac = mac;
        e.Resolved = true;
        e.ExpiresAt = stack.Now + stack.Options.ArpEntryLifetimeMs;
        e.RequestsSent = 0;
        while (e.Pending.Count > 0)
        {
            var frame = e.Pending.Dequeue();
            pendingTotal--;
            Ethernet.WriteHeader(frame, mac, stack.Link.Mac, Ethernet.TypeIpv4);
            stack.Transmit(frame);
        }
    }

    /// <summary>Evicts the resolved entry that expires first; false if every entry is still resolving.</summary>
    bool EvictOne()
    {
        Ipv4Address victim = default;
        long earliest = long.MaxValue;
        foreach (var (ip, e) in entries)
            if (e.Resolved && e.ExpiresAt < earliest) { earliest = e.ExpiresAt; victim = ip; }
        if (earliest == long.MaxValue) return false;
        entries.Remove(victim);
        return true;
    }

    /// <summary>Sends an IP frame (Ethernet header space at the front) to nextHop, resolving it if needed.</summary>
    public bool SendIpv4(Ipv4Address nextHop, Span<byte> frame)
    {
        if (entries.TryGetValue(nextHop, out var e) && e.Resolved && e.ExpiresAt > stack.Now)
        {
            Ethernet.WriteHeader(frame, e.Mac, stack.Link.Mac, Ethernet.TypeIpv4);
            stack.Transmit(frame);
            return true;
        }
        if (e == null)
        {
            if (entries.Count >= stack.Options.ArpCacheCapacity && !EvictOne())
            { stack.Stats.Drop(DropReason.ArpPendingQueueFull); return false; }
            e = new Entry();
            entries[nextHop] = e;
        }
        if (e.Resolved)
        {
            // Stale (RFC 1122 2.3.2.1 "cache validation" by timeout): resolve again; packets wait meanwhile.
            e.Resolved = false;
            e.RequestsSent = 0;
            e.NextRequestAt = stack.Now;
        }
        if (e.Pending.Count >= stack.Options.ArpPendingPacketsPerAddress || pendingTotal >= stack.Options.ArpPendingPacketsTotal)
        { stack.Stats.Drop(DropReason.ArpPendingQueueFull); return false; }
        e.Pending.Enqueue(frame.ToArray());
        pendingTotal++;
        if (e.RequestsSent == 0 || stack.Now >= e.NextRequestAt) Request(nextHop, e);
        return true;
    }

    void Request(Ipv4Address ip, Entry e)
    {
        e.RequestsSent++;
        e.NextRequestAt = stack.Now + stack.Options.ArpRetryIntervalMs;
        SendArp(OpRequest, MacAddress.Broadcast, MacAddress.Zero, ip);
    }

    public void Tick()
    {
        List<Ipv4Address>? dead = null;
        foreach (var (ip, e) in entries)
        {
            if (e.Resolved)
            {
                if (e.ExpiresAt <= stack.Now) (dead ??= new()).Add(ip);
            }
            else if (stack.Now >= e.NextRequestAt)
            {
                if (e.RequestsSent >= stack.Options.ArpMaxRequests)
                {
                    for (int i = 0; i < e.Pending.Count; i++) stack.Stats.Drop(DropReason.ArpUnresolved);
                    pendingTotal -= e.Pending.Count;
                    (dead ??= new()).Add(ip);
                }
                else Request(ip, e);
            }
        }
        if (dead != null) foreach (var ip in dead) entries.Remove(ip);
    }

    public long NextDeadline()
    {
        long t = long.MaxValue;
        foreach (var e in entries.Values) t = Math.Min(t, e.Resolved ? e.ExpiresAt : e.NextRequestAt);
        return t;
    }

    void SendArp(ushort op, MacAddress ethernetDestination, MacAddress targetMac, Ipv4Address targetIp)
    {
        var f = arpFrame.AsSpan();
        f.Clear();
        Ethernet.WriteHeader(f, ethernetDestination, stack.Link.Mac, Ethernet.TypeArp);
        var p = f.Slice(Ethernet.HeaderLength);
        BinaryPrimitives.WriteUInt16BigEndian(p, 1);
        BinaryPrimitives.WriteUInt16BigEndian(p.Slice(2), Ethernet.TypeIpv4);
        p[4] = 6; p[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(p.Slice(6), op);
        stack.Link.Mac.Write(p.Slice(8));
        stack.Address.Write(p.Slice(14));
        targetMac.Write(p.Slice(18));
        targetIp.Write(p.Slice(24));
        if (op == OpRequest) stack.Stats.ArpRequestsSent++; else stack.Stats.ArpRepliesSent++;
        stack.Transmit(f);
    }
}
