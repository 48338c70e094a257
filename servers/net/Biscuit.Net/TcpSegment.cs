// The TCP header (RFC 9293 section 3.1) and the options this stack understands: MSS (kind 2,
// RFC 9293 3.7.1), window scale (kind 3, RFC 7323 section 2), SACK-permitted (kind 4) and SACK
// blocks (kind 5, RFC 2018; we send them as a receiver). Other options are skipped by their
// length; malformed option lists make the segment malformed (RFC 9293 3.1: a TCP MUST be prepared
// to handle an illegal option length without crashing, e.g. by resetting or dropping).
using System.Buffers.Binary;

namespace Biscuit.Net;

[Flags]
public enum TcpFlags : byte
{
    None = 0, Fin = 0x01, Syn = 0x02, Rst = 0x04, Psh = 0x08, Ack = 0x10, Urg = 0x20, Ece = 0x40, Cwr = 0x80,
}

/// <summary>A parsed, checksum-verified segment. Payload is a view into the received frame.</summary>
public readonly ref struct TcpSegment
{
    public const int MinHeaderLength = 20;
    public readonly ushort SourcePort, DestinationPort;
    public readonly uint Seq, Ack;
    public readonly TcpFlags Flags;
    public readonly ushort Window;          // unscaled, as on the wire
    public readonly int Mss;                // 0 if absent
    public readonly int WindowScale;        // -1 if absent
    public readonly bool SackPermitted;
    /// <summary>The SACK option's blocks as on the wire: pairs of 32-bit left and right edges.</summary>
    public readonly ReadOnlySpan<byte> SackBlocks;
    public readonly ReadOnlySpan<byte> Payload;

    TcpSegment(ushort sp, ushort dp, uint seq, uint ack, TcpFlags flags, ushort window, int mss, int wscale,
        bool sackPermitted, ReadOnlySpan<byte> sackBlocks, ReadOnlySpan<byte> payload)
    {
        SourcePort = sp; DestinationPort = dp; Seq = seq; Ack = ack; Flags = flags; Window = window;
        Mss = mss; WindowScale = wscale; SackPermitted = sackPermitted; SackBlocks = sackBlocks; Payload = payload;
    }

    public bool Has(TcpFlags f) => (Flags & f) != 0;
    /// <summary>SEG.LEN: data plus one for SYN and one for FIN.</summary>
    public int Length => Payload.Length + (Has(TcpFlags.Syn) ? 1 : 0) + (Has(TcpFlags.Fin) ? 1 : 0);

    public static bool TryParse(ReadOnlySpan<byte> d, Ipv4Address source, Ipv4Address destination, out TcpSegment segment, out DropReason why)
    {
        segment = default;
        why = DropReason.TcpMalformed;
        if (d.Length < MinHeaderLength) return false;
        int dataOffset = (d[12] >> 4) * 4;
        if (dataOffset < MinHeaderLength || dataOffset > d.Length) return false;
        ulong sum = InternetChecksum.PseudoHeader(source, destination, Ipv4Packet.ProtocolTcp, d.Length);
        if (InternetChecksum.Finish(InternetChecksum.Add(sum, d)) != 0) { why = DropReason.TcpBadChecksum; return false; }
        int mss = 0, wscale = -1;
        bool sackPermitted = false;
        ReadOnlySpan<byte> sackBlocks = default;
        var options = d.Slice(MinHeaderLength, dataOffset - MinHeaderLength);
        for (int i = 0; i < options.Length;)
        {
            byte kind = options[i];
            if (kind == 0) break;                     // end of option list
            if (kind == 1) { i++; continue; }         // no-operation
            if (i + 1 >= options.Length) return false;
            int len = options[i + 1];
            if (len < 2 || i + len > options.Length) return false;
            if (kind == 2 && len == 4) mss = BinaryPrimitives.ReadUInt16BigEndian(options.Slice(i + 2));
            else if (kind == 3 && len == 3) wscale = Math.Min((int)options[i + 2], 14); // RFC 7323 2.3: cap at 14
            else if (kind == 4 && len == 2) sackPermitted = true;
            else if (kind == 5 && (len - 2) % 8 == 0) sackBlocks = options.Slice(i + 2, len - 2);
            i += len;
        }
        segment = new TcpSegment(
            BinaryPrimitives.ReadUInt16BigEndian(d), BinaryPrimitives.ReadUInt16BigEndian(d.Slice(2)),
            BinaryPrimitives.ReadUInt32BigEndian(d.Slice(4)), BinaryPrimitives.ReadUInt32BigEndian(d.Slice(8)),
            (TcpFlags)d[13], BinaryPrimitives.ReadUInt16BigEndian(d.Slice(14)), mss, wscale, sackPermitted, sackBlocks,
            d.Slice(dataOffset));
        return true;
    }

    /// <summary>The header length for the given options (each padded to 4 bytes with NOPs).</summary>
    public static int HeaderLengthFor(bool withMss, bool withWindowScale, bool withSackPermitted = false, int sackBlocks = 0) =>
        MinHeaderLength + (withMss ? 4 : 0) + (withWindowScale ? 4 : 0) + (withSackPermitted ? 4 : 0)
        + (sackBlocks > 0 ? 4 + 8 * sackBlocks : 0);

    /// <summary>The most SACK blocks that fit the 40 bytes of options next to nothing else (RFC 2018 3).</summary>
    public const int MaxSackBlocks = 4;

    /// <summary>Writes a segment header and the checksum over header + payload, where the payload is
    /// already in place right after the header (at HeaderLengthFor(...) bytes). Options: MSS if mss &gt; 0,
    /// window scale if windowScale &gt;= 0, SACK-permitted, and SACK blocks given as left/right edge pairs.</summary>
    public static void Write(Span<byte> d, ushort sourcePort, ushort destinationPort, uint seq, uint ack, TcpFlags flags,
        ushort window, int mss, int windowScale, int payloadLength, Ipv4Address source, Ipv4Address destination,
        bool sackPermitted = false, ReadOnlySpan<uint> sackEdges = default)
    {
        int blocks = sackEdges.Length / 2;
        int headerLength = HeaderLengthFor(mss > 0, windowScale >= 0, sackPermitted, blocks);
        BinaryPrimitives.WriteUInt16BigEndian(d, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(d.Slice(2), destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(d.Slice(4), seq);
        BinaryPrimitives.WriteUInt32BigEndian(d.Slice(8), ack);
        d[12] = (byte)((headerLength / 4) << 4);
        d[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(d.Slice(14), window);
        d[16] = 0; d[17] = 0; d[18] = 0; d[19] = 0;            // checksum, urgent pointer
        int o = MinHeaderLength;
        if (mss > 0) { d[o] = 2; d[o + 1] = 4; BinaryPrimitives.WriteUInt16BigEndian(d.Slice(o + 2), (ushort)mss); o += 4; }
        if (windowScale >= 0) { d[o] = 1; d[o + 1] = 3; d[o + 2] = 3; d[o + 3] = (byte)windowScale; o += 4; }
        if (sackPermitted) { d[o] = 1; d[o + 1] = 1; d[o + 2] = 4; d[o + 3] = 2; o += 4; }
        if (blocks > 0)
        {
            d[o] = 1; d[o + 1] = 1; d[o + 2] = 5; d[o + 3] = (byte)(2 + 8 * blocks);
            o += 4;
            for (int i = 0; i < 2 * blocks; i++, o += 4) BinaryPrimitives.WriteUInt32BigEndian(d.Slice(o), sackEdges[i]);
        }
        int length = headerLength + payloadLength;
        ulong sum = InternetChecksum.PseudoHeader(source, destination, Ipv4Packet.ProtocolTcp, length);
        BinaryPrimitives.WriteUInt16BigEndian(d.Slice(16), InternetChecksum.Finish(InternetChecksum.Add(sum, d.Slice(0, length))));
    }
}
