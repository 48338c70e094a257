// The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of
// 16-bit big-endian words. Used by IPv4 (RFC 791), ICMP (RFC 792), UDP (RFC 768) and TCP (RFC 9293 3.1),
// the last two over a pseudo-header. Invariant: Add() may be chained only on even-length pieces,
// except the last piece, whose odd final byte is padded with zero.
using System.Buffers.Binary;

namespace Biscuit.Net;

public static class InternetChecksum
{
    /// <summary>Adds the bytes to a running 32-bit partial sum (not yet folded).</summary>
    public static ulong Add(ulong sum, ReadOnlySpan<byte> data)
    {
        int i = 0;
        // Sum 32-bit big-endian words into a 64-bit accumulator; folding later gives the same result
        // as summing 16-bit words (one's complement addition is associative, RFC 1071 section 2).
        for (; i + 4 <= data.Length; i += 4) sum += BinaryPrimitives.ReadUInt32BigEndian(data.Slice(i));
        for (; i + 2 <= data.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i));
        if (i < data.Length) sum += (uint)data[i] << 8;
        return sum;
    }

    /// <summary>Folds a partial sum to 16 bits and complements it: the value to put in a header.</summary>
    public static ushort Finish(ulong sum)
    {
        while ((sum >> 16) != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    public static ushort Compute(ReadOnlySpan<byte> data) => Finish(Add(0, data));

    /// <summary>The partial sum of the IPv4 pseudo-header (RFC 9293 section 3.1, RFC 768).</summary>
    public static ulong PseudoHeader(Ipv4Address source, Ipv4Address destination, byte protocol, int length)
        => (ulong)source.Value + destination.Value + protocol + (uint)length;
}
