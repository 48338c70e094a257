// IPv4 fragment reassembly (RFC 791 section 3.2 "reassembly", with the hole bookkeeping of RFC 815).
// A datagram is identified by (source, destination, protocol, identification). Bounds, all from
// NetStackOptions: at most ReassemblyMaxDatagrams in progress (the oldest is evicted for a new one),
// at most ReassemblyMaxBytes of buffers in total, at most ReassemblyMaxHoles received ranges per
// datagram, and each is abandoned ReassemblyTimeoutMs after its first fragment (RFC 1122 3.3.2).
// Overlapping fragments are accepted and the later bytes win; inconsistent lengths drop the datagram.

namespace Biscuit.Net;

internal sealed class FragmentReassembler
{
    readonly record struct Key(Ipv4Address Source, Ipv4Address Destination, byte Protocol, ushort Id);

    sealed class Datagram
    {
        public byte[] Data = Array.Empty<byte>();           // payload bytes received so far
        public readonly List<(int Start, int End)> Ranges = new(); // sorted, disjoint, non-adjacent
        public int TotalLength = -1;                       // payload length, known once the last fragment came
        public long Deadline;
        public long Started;
        public byte Ttl;
    }

    readonly NetStackOptions options;
    readonly NetStats stats;
    readonly Dictionary<Key, Datagram> inProgress = new();
    int bytesInUse;

    public FragmentReassembler(NetStackOptions options, NetStats stats) { this.options = options; this.stats = stats; }

    public int BytesInUse => bytesInUse;
    public int DatagramsInProgress => inProgress.Count;

    /// <summary>Adds a fragment. Returns the whole datagram (header + payload) when it is complete.</summary>
    public byte[]? Add(Ipv4Packet fragment, long now)
    {
        var payload = fragment.Payload;
        int start = fragment.FragmentOffset, end = start + payload.Length;
        // RFC 791: every fragment but the last carries a multiple of 8 bytes.
        if ((fragment.MoreFragments && (payload.Length == 0 || payload.Length % 8 != 0)))
        { stats.Drop(DropReason.FragmentMalformed); return null; }

        var key = new Key(fragment.Source, fragment.Destination, fragment.Protocol, fragment.Identification);
        if (!inProgress.TryGetValue(key, out var d))
        {
            if (inProgress.Count >= options.ReassemblyMaxDatagrams) EvictOldest();
            d = new Datagram { Deadline = now + options.ReassemblyTimeoutMs, Started = now, Ttl = fragment.Ttl };
            inProgress[key] = d;
        }
        if (!fragment.MoreFragments)
        {
            if (d.TotalLength >= 0 && d.TotalLength != end) { Abandon(key, d, DropReason.FragmentMalformed); return null; }
            d.TotalLength = end;
        }
        if (d.TotalLength >= 0 && end > d.TotalLength) { Abandon(key, d, DropReason.FragmentMalformed); return null; }

        if (end > d.Data.Length)
        {
            int newSize = Math.Min(65535, Math.Max(end, Math.Min(65535, d.Data.Length * 2)));
            if (d.TotalLength >= 0) newSize = Math.Max(end, Math.Min(newSize, d.TotalLength));
            if (bytesInUse - d.Data.Length + newSize > options.ReassemblyMaxBytes)
            { Abandon(key, d, DropReason.FragmentLimit); return null; }
            bytesInUse += newSize - d.Data.Length;
            Array.Resize(ref d.Data, newSize);
        }
        if (!AddRange(d.Ranges, start, end)) { Abandon(key, d, DropReason.FragmentLimit); return null; }
        payload.CopyTo(d.Data.AsSpan(start));

        if (d.TotalLength < 0 || d.Ranges.Count != 1 || d.Ranges[0].Start != 0 || d.Ranges[0].End != d.TotalLength)
            return null;

        // Complete: build a plain header (options of the first fragment are not kept) and the payload.
        var whole = new byte[Ipv4Packet.MinHeaderLength + d.TotalLength];
        Ipv4Packet.WriteHeader(whole, d.TotalLength, key.Id, dontFragment: false, d.Ttl, key.Protocol, key.Source, key.Destination);
        d.Data.AsSpan(0, d.TotalLength).CopyTo(whole.AsSpan(Ipv4Packet.MinHeaderLength));
        Forget(key, d);
        return whole;
    }

    /// <summary>Inserts [start,end) into the sorted range list, merging; false if the list would grow past the limit.</summary>
    bool AddRange(List<(int Start, int End)> ranges, int start, int end)
    {
        if (start == end) return true;
        int i = 0;
        while (i < ranges.Count && ranges[i].End < start) i++;
        int j = i;
        while (j < ranges.Count && ranges[j].Start <= end)
        {
            start = Math.Min(start, ranges[j].Start);
            end = Math.Max(end, ranges[j].End);
            j++;
        }
        if (j == i && ranges.Count >= options.ReassemblyMaxHoles) return false;
        ranges.RemoveRange(i, j - i);
        ranges.Insert(i, (start, end));
        return true;
    }

    void EvictOldest()
    {
        Key oldest = default; long t = long.MaxValue; Datagram? victim = null;
        foreach (var (k, d) in inProgress) if (d.Started < t) { t = d.Started; oldest = k; victim = d; }
        if (victim != null) Abandon(oldest, victim, DropReason.FragmentLimit);
    }

    void Abandon(Key key, Datagram d, DropReason why) { stats.Drop(why); Forget(key, d); }

    void Forget(Key key, Datagram d)
    {
        bytesInUse -= d.Data.Length;
        inProgress.Remove(key);
    }

    public void Expire(long now)
    {
        List<Key>? dead = null;
        foreach (var (k, d) in inProgress) if (d.Deadline <= now) (dead ??= new()).Add(k);
        if (dead != null) foreach (var k in dead) Abandon(k, inProgress[k], DropReason.FragmentTimeout);
    }

    public long NextDeadline()
    {
        long t = long.MaxValue;
        foreach (var d in inProgress.Values) t = Math.Min(t, d.Deadline);
        return t;
    }
}
