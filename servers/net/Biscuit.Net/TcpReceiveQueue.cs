// The receive side of a connection's data: in-order bytes the application has not read yet, followed
// in the same ring by out-of-order bytes held until the gap before them fills (RFC 9293 3.10.7.4,
// "segments with higher beginning sequence numbers may be held"). Out-of-order data is tracked as
// ranges of offsets counted from the next expected byte (RCV.NXT). Invariants: ranges are sorted,
// disjoint, start above 0, and end within Free; there are at most maxRanges of them.
namespace Biscuit.Net;

internal sealed class TcpReceiveQueue
{
    readonly ByteRing ring;
    readonly List<(int Start, int End)> outOfOrder = new();
    readonly int maxRanges;
    int lastOutOfOrderOffset = -1;   // where the most recent out-of-order data started (-1: none), for SACK

    public TcpReceiveQueue(int capacity, int maxRanges) { ring = new ByteRing(capacity); this.maxRanges = maxRanges; }

    /// <summary>Bytes ready for the application.</summary>
    public int Readable => ring.Count;
    /// <summary>Room past the readable bytes: the receive window we can offer.</summary>
    public int Free => ring.Free;
    public int Capacity => ring.Capacity;
    public bool HasOutOfOrder => outOfOrder.Count > 0;
    public int StorageBytes => ring.StorageBytes;
    public void SetCapacity(int c) => ring.SetCapacity(c);

    /// <summary>Stores data that starts offset bytes after RCV.NXT (caller trimmed it to Free).
    /// Returns how far RCV.NXT advances (0 when the data is out of order), or -1 if it had to be
    /// dropped because too many out-of-order ranges exist.</summary>
    public int Store(int offset, ReadOnlySpan<byte> data)
    {
        if (data.Length == 0) return 0;
        if (offset > 0)
        {
            if (!AddRange(offset, offset + data.Length)) return -1;
            ring.WriteAt(ring.Count + offset, data);
            lastOutOfOrderOffset = offset;
            return 0;
        }
        ring.WriteAt(ring.Count, data);
        int advance = data.Length;
        // Absorb out-of-order ranges that now touch the in-order data.
        while (outOfOrder.Count > 0 && outOfOrder[0].Start <= advance)
        {
            advance = Math.Max(advance, outOfOrder[0].End);
            outOfOrder.RemoveAt(0);
        }
        for (int i = 0; i < outOfOrder.Count; i++)
            outOfOrder[i] = (outOfOrder[i].Start - advance, outOfOrder[i].End - advance);
        lastOutOfOrderOffset = lastOutOfOrderOffset - advance > 0 ? lastOutOfOrderOffset - advance : -1;
        ring.Extend(advance);
        return advance;
    }

    bool AddRange(int start, int end)
    {
        int i = 0;
        while (i < outOfOrder.Count && outOfOrder[i].End < start) i++;
        int j = i;
        while (j < outOfOrder.Count && outOfOrder[j].Start <= end)
        {
            start = Math.Min(start, outOfOrder[j].Start);
            end = Math.Max(end, outOfOrder[j].End);
            j++;
        }
        if (i == j && outOfOrder.Count >= maxRanges) return false;
        outOfOrder.RemoveRange(i, j - i);
        outOfOrder.Insert(i, (start, end));
        return true;
    }

    /// <summary>Writes up to edges.Length/2 out-of-order ranges as (start, end) offsets from RCV.NXT: first
    /// the one holding the most recently received segment (RFC 2018 section 4), then the others in order.
    /// Returns the number of ranges written.</summary>
    public int SackRanges(Span<int> edges)
    {
        int max = edges.Length / 2, n = 0;
        int first = -1;
        for (int i = 0; i < outOfOrder.Count; i++)
            if (outOfOrder[i].Start <= lastOutOfOrderOffset && lastOutOfOrderOffset < outOfOrder[i].End) first = i;
        if (first >= 0 && n < max) { edges[0] = outOfOrder[first].Start; edges[1] = outOfOrder[first].End; n++; }
        for (int i = 0; i < outOfOrder.Count && n < max; i++)
        {
            if (i == first) continue;
            edges[2 * n] = outOfOrder[i].Start;
            edges[2 * n + 1] = outOfOrder[i].End;
            n++;
        }
        return n;
    }

    public int Read(Span<byte> dst) => ring.Read(dst);
    public int Peek(Span<byte> dst) => ring.Peek(dst);

    public void Clear() { ring.Clear(); outOfOrder.Clear(); lastOutOfOrderOffset = -1; }
}
