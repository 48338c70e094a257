// The IPv4 header (RFC 791 section 3.1): parsing with every check a host must make (RFC 1122 3.2.1),
// and writing. Options are skipped by honouring the header length (IHL); none are interpreted,
// which RFC 1122 3.2.1.8 permits for a host that does not source-route or record routes.
using System.Buffers.Binary;

namespace Biscuit.Net;

/// <summary>The fields of a parsed IPv4 header. Payload is the datagram's data, trimmed to TotalLength.</summary>
public readonly ref struct Ipv4Packet
{
    public const int MinHeaderLength = 20;
    public const byte ProtocolIcmp = 1;
    public const byte ProtocolTcp = 6;
    public const byte ProtocolUdp = 17;
    public const ushort FlagDontFragment = 0x4000;
    public const ushort FlagMoreFragments = 0x2000;

    public readonly ReadOnlySpan<byte> Whole;     // header + payload, exactly TotalLength bytes
    public readonly int HeaderLength;
    public readonly ushort Identification;
    public readonly bool MoreFragments;
    public readonly int FragmentOffset;           // in bytes
    public readonly byte Ttl;
    public readonly byte Protocol;
    public readonly Ipv4Address Source;
    public readonly Ipv4Address Destination;

    public ReadOnlySpan<byte> Header => Whole.Slice(0, HeaderLength);
    public ReadOnlySpan<byte> Payload => Whole.Slice(HeaderLength);
    public bool IsFragment => MoreFragments || FragmentOffset != 0;

    Ipv4Packet(ReadOnlySpan<byte> whole, int headerLength, ushort id, bool mf, int offset, byte ttl, byte proto,
        Ipv4Address src, Ipv4Address dst)
    {
        Whole = whole; HeaderLength = headerLength; Identification = id; MoreFragments = mf;
        FragmentOffset = offset; Ttl = ttl; Protocol = proto; Source = src; Destination = dst;
    }

    /// <summary>Parses and validates; on failure returns false and says why.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out Ipv4Packet packet, out DropReason why)
    {
        packet = default;
        why = DropReason.IpMalformed;
        if (data.Length < MinHeaderLength) return false;
        int version = data[0] >> 4;
        int headerLength = (data[0] & 0xF) * 4;
        if (version != 4 || headerLength < MinHeaderLength || headerLength > data.Length) return false;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(2));
        // The link may pad short frames, so data can be longer than the datagram; never shorter.
        if (totalLength < headerLength || totalLength > data.Length) return false;
        if (InternetChecksum.Compute(data.Slice(0, headerLength)) != 0) { why = DropReason.IpBadChecksum; return false; }
        ushort flagsAndOffset = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(6));
        int offset = (flagsAndOffset & 0x1FFF) * 8;
        bool mf = (flagsAndOffset & FlagMoreFragments) != 0;
        if ((flagsAndOffset & 0x8000) != 0) return false; // reserved bit must be zero
        if (offset + (totalLength - headerLength) > 65535) { why = DropReason.FragmentMalformed; return false; }
        packet = new Ipv4Packet(data.Slice(0, totalLength), headerLength,
            BinaryPrimitives.ReadUInt16BigEndian(data.Slice(4)), mf, offset, data[8], data[9],
            Ipv4Address.Read(data.Slice(12)), Ipv4Address.Read(data.Slice(16)));
        return true;
    }

    /// <summary>Writes a 20-byte header without options, checksum included.</summary>
    public static void WriteHeader(Span<byte> header, int payloadLength, ushort id, bool dontFragment, byte ttl,
        byte protocol, Ipv4Address source, Ipv4Address destination)
    {
        header[0] = 0x45;
        header[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(header.Slice(2), (ushort)(MinHeaderLength + payloadLength));
        BinaryPrimitives.WriteUInt16BigEndian(header.Slice(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(header.Slice(6), dontFragment ? FlagDontFragment : (ushort)0);
        header[8] = ttl;
        header[9] = protocol;
        header[10] = 0; header[11] = 0;
        source.Write(header.Slice(12));
        destination.Write(header.Slice(16));
        BinaryPrimitives.WriteUInt16BigEndian(header.Slice(10), InternetChecksum.Compute(header.Slice(0, MinHeaderLength)));
    }
}
