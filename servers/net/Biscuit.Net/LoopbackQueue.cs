// The loopback interface's queue (RFC 1122 3.2.1.3 (g): 127.0.0.0/8 never leaves the host; a
// datagram to one of the host's own addresses is delivered locally). Ipv4Layer.Send puts IP datagrams
// for 127.x.x.x or the stack's own address here instead of handing them to the link; the event loop
// takes them out with NetStack.DeliverLoopback. Sending only queues, so a send never recurses into
// the receive path.
// Invariants: storage is one ring of CapacityBytes, allocated with the stack (nothing is allocated per
// datagram, so socket calls that send over loopback allocate nothing here); each datagram is kept as
// a 2-byte big-endian length followed by its bytes; usedBytes <= CapacityBytes; a datagram that does
// not fit is refused whole (the caller counts the drop). Owner: the event loop, like the stack.
namespace Biscuit.Net;

internal sealed class LoopbackQueue
{
    const int LengthPrefix = 2;

    readonly byte[] ring;
    int head;          // offset of the oldest datagram's length prefix
    int usedBytes;     // prefixes and datagrams stored, from head onwards (wrapping)

    public LoopbackQueue(int capacityBytes)
    {
        if (capacityBytes < 2 * (LengthPrefix + 576)) throw new ArgumentException("the loopback queue must hold at least two 576-byte datagrams", nameof(capacityBytes));
        ring = new byte[capacityBytes];
    }

    public int CapacityBytes => ring.Length;
    public int UsedBytes => usedBytes;
    /// <summary>Datagrams waiting to be delivered.</summary>
    public int Count { get; private set; }

    /// <summary>Appends one datagram; false (nothing stored) if it does not fit.</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length > ushort.MaxValue || usedBytes + LengthPrefix + datagram.Length > ring.Length) return false;
        int tail = (head + usedBytes) % ring.Length;
        Span<byte> prefix = [(byte)(datagram.Length >> 8), (byte)datagram.Length];
        tail = CopyIn(prefix, tail);
        CopyIn(datagram, tail);
        usedBytes += LengthPrefix + datagram.Length;
        Count++;
        return true;
    }

    /// <summary>Removes the oldest datagram into `into` (at least as long as any datagram queued, i.e.
    /// the MTU) and returns its length; 0 when the queue is empty.</summary>
    public int Dequeue(Span<byte> into)
    {
        if (Count == 0) return 0;
        Span<byte> prefix = stackalloc byte[LengthPrefix];
        int at = CopyOut(prefix, head);
        int length = prefix[0] << 8 | prefix[1];
        if (length > into.Length) throw new ArgumentException("the buffer is shorter than the queued datagram", nameof(into));
        at = CopyOut(into.Slice(0, length), at);
        head = at;
        usedBytes -= LengthPrefix + length;
        Count--;
        if (Count == 0) head = usedBytes = 0;
        return length;
    }

    int CopyIn(ReadOnlySpan<byte> from, int at)
    {
        int first = Math.Min(from.Length, ring.Length - at);
        from.Slice(0, first).CopyTo(ring.AsSpan(at));
        from.Slice(first).CopyTo(ring);
        return (at + from.Length) % ring.Length;
    }

    int CopyOut(Span<byte> to, int at)
    {
        int first = Math.Min(to.Length, ring.Length - at);
        ring.AsSpan(at, first).CopyTo(to);
        ring.AsSpan(0, to.Length - first).CopyTo(to.Slice(first));
        return (at + to.Length) % ring.Length;
    }
}
