// Ethernet II framing (IEEE 802.3 with a type field, RFC 894): 6-byte destination, 6-byte source,
// 2-byte EtherType, payload. Frames come without preamble or FCS. The minimum payload of 46 bytes is
// padded by the sender, so upper layers must use their own length fields, never the frame length.
using System.Buffers.Binary;

namespace Biscuit.Net;

public static class Ethernet
{
    public const int HeaderLength = 14;
    public const ushort TypeIpv4 = 0x0800;
    public const ushort TypeArp = 0x0806;
    public const int MinFrameWithoutFcs = 60;

    public static MacAddress Destination(ReadOnlySpan<byte> frame) => MacAddress.Read(frame);
    public static MacAddress Source(ReadOnlySpan<byte> frame) => MacAddress.Read(frame.Slice(6));
    public static ushort EtherType(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(12));

    /// <summary>Writes the 14-byte header at the start of frame.</summary>
    public static void WriteHeader(Span<byte> frame, MacAddress destination, MacAddress source, ushort etherType)
    {
        destination.Write(frame);
        source.Write(frame.Slice(6));
        BinaryPrimitives.WriteUInt16BigEndian(frame.Slice(12), etherType);
    }
}
