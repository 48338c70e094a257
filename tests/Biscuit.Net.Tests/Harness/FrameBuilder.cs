// Builds frames as a remote host would send them (Ethernet + IPv4 + ICMP/UDP/TCP), with knobs to
// make them bad, and parses the stack's output frames back into plain records.
using System.Buffers.Binary;

namespace Biscuit.Net.Tests.Harness;

internal sealed record OutSegment(uint Seq, uint Ack, TcpFlags Flags, ushort Window, int Mss, int WindowScale, byte[] Payload,
    ushort SourcePort, ushort DestinationPort, bool SackPermitted = false, (uint Left, uint Right)[]? SackBlocks = null)
{
    public (uint Left, uint Right)[] Sack => SackBlocks ?? [];
    public bool Has(TcpFlags f) => (Flags & f) != 0;
    public override string ToString() => $"seq={Seq} ack={Ack} {Flags} win={Window} len={Payload.Length}";
}

internal static class FrameBuilder
{
    public static byte[] Ethernet(MacAddress dst, MacAddress src, ushort type, ReadOnlySpan<byte> payload)
    {
        var f = new byte[14 + payload.Length];
        Biscuit.Net.Ethernet.WriteHeader(f, dst, src, type);
        payload.CopyTo(f.AsSpan(14));
        return f;
    }

    /// <summary>An IPv4 packet; options (a multiple of 4 bytes) go after the fixed header.</summary>
    public static byte[] Ipv4(Ipv4Address src, Ipv4Address dst, byte protocol, ReadOnlySpan<byte> payload,
        ushort id = 1, bool moreFragments = false, int fragmentOffset = 0, byte[]? options = null, byte ttl = 64, bool badChecksum = false)
    {
        int hl = 20 + (options?.Length ?? 0);
        var p = new byte[hl + payload.Length];
        p[0] = (byte)(0x40 | (hl / 4));
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)p.Length);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(6), (ushort)((moreFragments ? 0x2000 : 0) | (fragmentOffset / 8)));
        p[8] = ttl;
        p[9] = protocol;
        src.Write(p.AsSpan(12));
        dst.Write(p.AsSpan(16));
        options?.CopyTo(p.AsSpan(20));
        ushort sum = InternetChecksum.Compute(p.AsSpan(0, hl));
        if (badChecksum) sum ^= 0x5555;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(10), sum);
        payload.CopyTo(p.AsSpan(hl));
        return p;
    }

    public static byte[] Tcp(Ipv4Address src, Ipv4Address dst, ushort sp, ushort dp, uint seq, uint ack, TcpFlags flags,
        ushort window, ReadOnlySpan<byte> payload, int mss = 0, int windowScale = -1, bool badChecksum = false, bool sackPermitted = false)
    {
        int hl = TcpSegment.HeaderLengthFor(mss > 0, windowScale >= 0, sackPermitted);
        var d = new byte[hl + payload.Length];
        payload.CopyTo(d.AsSpan(hl));
        TcpSegment.Write(d, sp, dp, seq, ack, flags, window, mss, windowScale, payload.Length, src, dst, sackPermitted);
        if (badChecksum) d[16] ^= 0xFF;
        return d;
    }

    public static byte[] Udp(Ipv4Address src, Ipv4Address dst, ushort sp, ushort dp, ReadOnlySpan<byte> payload, bool badChecksum = false)
    {
        var d = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(d, sp);
        BinaryPrimitives.WriteUInt16BigEndian(d.AsSpan(2), dp);
        BinaryPrimitives.WriteUInt16BigEndian(d.AsSpan(4), (ushort)d.Length);
        payload.CopyTo(d.AsSpan(8));
        ulong sum = InternetChecksum.PseudoHeader(src, dst, 17, d.Length);
        ushort c = InternetChecksum.Finish(InternetChecksum.Add(sum, d));
        if (badChecksum) c ^= 0x0F0F;
        BinaryPrimitives.WriteUInt16BigEndian(d.AsSpan(6), c == 0 ? (ushort)0xFFFF : c);
        return d;
    }

    public static byte[] IcmpEcho(ushort id, ushort seq, ReadOnlySpan<byte> data, bool badChecksum = false)
    {
        var m = new byte[8 + data.Length];
        m[0] = 8;
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(6), seq);
        data.CopyTo(m.AsSpan(8));
        ushort c = InternetChecksum.Compute(m);
        if (badChecksum) c ^= 1;
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(2), c);
        return m;
    }

    public static byte[] Arp(ushort op, MacAddress senderMac, Ipv4Address senderIp, MacAddress targetMac, Ipv4Address targetIp)
    {
        var p = new byte[28];
        BinaryPrimitives.WriteUInt16BigEndian(p, 1);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), 0x0800);
        p[4] = 6; p[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(6), op);
        senderMac.Write(p.AsSpan(8));
        senderIp.Write(p.AsSpan(14));
        targetMac.Write(p.AsSpan(18));
        targetIp.Write(p.AsSpan(24));
        return p;
    }

    /// <summary>Parses an IPv4 frame from the stack; null for other frames.</summary>
    public static (Ipv4Address Src, Ipv4Address Dst, byte Protocol, byte[] Payload, byte Ttl, bool DontFragment)? ParseIpv4(byte[] frame)
    {
        if (frame.Length < 34 || BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)) != 0x0800) return null;
        var ip = frame.AsSpan(14);
        Assert.Equal(0, InternetChecksum.Compute(ip.Slice(0, (ip[0] & 15) * 4)));
        int hl = (ip[0] & 15) * 4, total = BinaryPrimitives.ReadUInt16BigEndian(ip.Slice(2));
        return (Ipv4Address.Read(ip.Slice(12)), Ipv4Address.Read(ip.Slice(16)), ip[9], ip.Slice(hl, total - hl).ToArray(), ip[8],
            (BinaryPrimitives.ReadUInt16BigEndian(ip.Slice(6)) & 0x4000) != 0);
    }

    public static OutSegment? ParseTcp(byte[] frame)
    {
        var p = ParseIpv4(frame);
        if (p is not { Protocol: 6 } ip) return null;
        Assert.True(TcpSegment.TryParse(ip.Payload, ip.Src, ip.Dst, out var s, out var why), $"our own segment is invalid: {why}");
        var blocks = new (uint, uint)[s.SackBlocks.Length / 8];
        for (int i = 0; i < blocks.Length; i++)
            blocks[i] = (BinaryPrimitives.ReadUInt32BigEndian(s.SackBlocks.Slice(8 * i)), BinaryPrimitives.ReadUInt32BigEndian(s.SackBlocks.Slice(8 * i + 4)));
        return new OutSegment(s.Seq, s.Ack, s.Flags, s.Window, s.Mss, s.WindowScale, s.Payload.ToArray(), s.SourcePort, s.DestinationPort,
            s.SackPermitted, blocks);
    }
}
