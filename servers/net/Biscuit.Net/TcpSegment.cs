// The TCP header (RFC 9293 section 3.1) and the options this stack understands: MSS (kind 2,
// RFC 9293 3.7.1) and window scale (kind 3, RFC 7323 section 2). Other options are skipped by their
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
    public readonly ReadOnlySpan<byte> Payload;

    TcpSegment(ushort sp, ushort dp, uint seq, uint ack, TcpFlags flags, ushort window, int mss, int wscale, ReadOnlySpan<byte> payload)
    {
        SourcePort = sp; DestinationPort = dp; Seq = seq; Ack = ack; Flags = flags; Window = window;
        Mss = mss; WindowScale = wscale; Payload = payload;
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
            i += len;
        }
        segment = new TcpSegment(
            BinaryPrimitives.ReadUInt16BigEndian(d), BinaryPrimitives.ReadUInt16BigEndian(d.Slice(2)),
            BinaryPrimitives.ReadUInt32BigEndian(d.Slice(4)), BinaryPrimitives.ReadUInt32BigEndian(d.Slice(8)),
            (TcpFlags)d[13], BinaryPrimitives.ReadUInt16BigEndian(d.Slice(14)), mss, wscale, d.Slice(dataOffset));
        return true;
    }

    /// <summary>Writes a segment header (options MSS and window scale only on SYNs) and the checksum over
    /// header + payload, where payload is already in place right after the header. Returns the header length.</summary>
    public static int HeaderLengthFor(bool withMss, bool withWindowScale) =>
        MinHeaderLength + (withMss ? 4 : 0) + (withWindowScale ? 4 : 0);

    public static void Write(Span<byte> d, ushort sourcePort, ushort destinationPort, uint seq, uint ack, TcpFlags flags,
        ushort window, int mss, int windowScale, int payloadLength, Ipv4Address source, Ipv4Address destination)
    {
        int headerLength = HeaderLengthFor(mss > 0, windowScale >= 0);
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
        int length = headerLength + payloadLength;
        ulong sum = InternetChecksum.PseudoHeader(source, destination, Ipv4Packet.ProtocolTcp, length);
        BinaryPrimitives.WriteUInt16BigEndian(d.Slice(16), InternetChecksum.Finish(InternetChecksum.Add(sum, d.Slice(0, length))));
    }
}
