// IPv4 input checks (RFC 791, RFC 1122 3.2.1), options skipped by the header length, ICMP echo and
// errors (RFC 792, RFC 1122 3.2.2), and what we put in our own headers.
using System.Buffers.Binary;
using Biscuit.Net.Tests.Harness;

namespace Biscuit.Net.Tests.Unit;

public sealed class Ipv4AndIcmpTests
{
    static byte[] Frame(byte[] ipPacket) => FrameBuilder.Ethernet(ScriptedPeer.StackMac, ScriptedPeer.PeerMac, Ethernet.TypeIpv4, ipPacket);

    [Fact]
    public void Echo_request_gets_an_echo_reply_with_the_same_identifier_sequence_and_data()
    {
        var p = new ScriptedPeer();
        p.SendIp(1, FrameBuilder.IcmpEcho(0x1234, 7, "ping data"u8));
        var ip = FrameBuilder.ParseIpv4(Assert.Single(p.Link.Take()))!.Value;
        Assert.Equal(ScriptedPeer.PeerIp, ip.Dst);
        Assert.Equal(64, ip.Ttl);
        Assert.Equal(0, ip.Payload[0]);                                       // echo reply
        Assert.Equal(0, InternetChecksum.Compute(ip.Payload));
        Assert.Equal(0x1234, BinaryPrimitives.ReadUInt16BigEndian(ip.Payload.AsSpan(4)));
        Assert.Equal(7, BinaryPrimitives.ReadUInt16BigEndian(ip.Payload.AsSpan(6)));
        Assert.Equal("ping data"u8.ToArray(), ip.Payload.AsSpan(8).ToArray());
    }

    [Fact]
    public void Ip_options_are_skipped_using_the_header_length()
    {
        var p = new ScriptedPeer();
        byte[] options = [1, 1, 1, 0, 7, 7, 4, 0];                           // NOPs, end, then record-route-like junk
        p.Stack.Receive(Frame(FrameBuilder.Ipv4(ScriptedPeer.PeerIp, ScriptedPeer.StackIp, 1, FrameBuilder.IcmpEcho(1, 1, "x"u8), options: options)));
        var ip = FrameBuilder.ParseIpv4(Assert.Single(p.Link.Take()))!.Value;
        Assert.Equal(0, ip.Payload[0]);
        Assert.Equal("x"u8.ToArray(), ip.Payload.AsSpan(8).ToArray());
    }

    [Fact]
    public void Bad_header_checksums_are_dropped_and_counted()
    {
        var p = new ScriptedPeer();
        p.Stack.Receive(Frame(FrameBuilder.Ipv4(ScriptedPeer.PeerIp, ScriptedPeer.StackIp, 1, FrameBuilder.IcmpEcho(1, 1, []), badChecksum: true)));
        Assert.Equal(1, p.Stack.Stats.Dropped(DropReason.IpBadChecksum));
        Assert.Empty(p.Link.Take());
    }

    [Fact]
    public void Bad_icmp_checksums_are_dropped_and_counted()
    {
        var p = new ScriptedPeer();
        p.SendIp(1, FrameBuilder.IcmpEcho(1, 1, "abc"u8, badChecksum: true));
        Assert.Equal(1, p.Stack.Stats.Dropped(DropReason.IcmpBadChecksum));
        Assert.Empty(p.Link.Take());
    }

    [Fact]
    public void Malformed_headers_are_dropped_and_counted_never_thrown()
    {
        var p = new ScriptedPeer();
        var good = FrameBuilder.Ipv4(ScriptedPeer.PeerIp, ScriptedPeer.StackIp, 1, FrameBuilder.IcmpEcho(1, 1, "abcdefgh"u8));
        var cases = new List<byte[]>
        {
            good.AsSpan(0, 19).ToArray(),                                      // shorter than a header
            Mutate(good, b => b[0] = 0x65),                                    // version 6
            Mutate(good, b => b[0] = 0x44),                                    // IHL 4 (< 5)
            Mutate(good, b => b[0] = 0x4F),                                    // IHL 15 > packet
            Mutate(good, b => BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), 10)),   // total length < header
            Mutate(good, b => BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), 2000)), // total length > frame
            good.AsSpan(0, good.Length - 3).ToArray(),                         // truncated payload
        };
        foreach (var c in cases) p.Stack.Receive(Frame(c));
        Assert.Equal(cases.Count, p.Stack.Stats.Dropped(DropReason.IpMalformed) + p.Stack.Stats.Dropped(DropReason.IpBadChecksum));
        Assert.Empty(p.Link.Take());
    }

    static byte[] Mutate(byte[] packet, Action<byte[]> change)
    {
        var b = (byte[])packet.Clone();
        change(b);
        b[10] = b[11] = 0;
        int hl = Math.Min((b[0] & 15) * 4, b.Length);
        if (hl >= 20) BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(10), InternetChecksum.Compute(b.AsSpan(0, hl)));
        return b;
    }

    [Fact]
    public void Ethernet_padding_after_the_datagram_is_ignored()
    {
        var p = new ScriptedPeer();
        var ip = FrameBuilder.Ipv4(ScriptedPeer.PeerIp, ScriptedPeer.StackIp, 1, FrameBuilder.IcmpEcho(1, 1, []));
        var padded = new byte[46];
        ip.CopyTo(padded, 0);
        p.Stack.Receive(Frame(padded));
        Assert.Single(p.Link.Take());
    }

    [Fact]
    public void Packets_for_other_addresses_are_dropped_and_counted()
    {
        var p = new ScriptedPeer();
        p.Stack.Receive(Frame(FrameBuilder.Ipv4(ScriptedPeer.PeerIp, Ipv4Address.Parse("10.0.0.9"), 1, FrameBuilder.IcmpEcho(1, 1, []))));
        Assert.Equal(1, p.Stack.Stats.Dropped(DropReason.IpNotForUs));
        Assert.Empty(p.Link.Take());
    }

    [Fact]
    public void An_unknown_protocol_gets_protocol_unreachable_quoting_the_header()
    {
        var p = new ScriptedPeer();
        p.SendIp(99, new byte[12]);
        var ip = FrameBuilder.ParseIpv4(Assert.Single(p.Link.Take()))!.Value;
        Assert.Equal(3, ip.Payload[0]);
        Assert.Equal(2, ip.Payload[1]);
        Assert.Equal(0x45, ip.Payload[8]);                                     // the quoted IP header
        Assert.Equal(8 + 20 + 8, ip.Payload.Length);
        Assert.Equal(1, p.Stack.Stats.Dropped(DropReason.IpUnknownProtocol));
    }

    [Fact]
    public void Icmp_errors_are_rate_limited()
    {
        var p = new ScriptedPeer(o => o.IcmpErrorsPerSecond = 5);
        for (int i = 0; i < 20; i++) p.SendIp(99, new byte[4]);
        Assert.Equal(5, p.Link.Take().Count);
        Assert.Equal(15, p.Stack.Stats.Dropped(DropReason.IcmpRateLimited));
        p.Advance(1000);
        p.SendIp(99, new byte[4]);
        Assert.Single(p.Link.Take());
    }

    [Fact]
    public void No_icmp_error_is_sent_about_an_icmp_error_or_a_broadcast()
    {
        var p = new ScriptedPeer();
        var unreachable = new byte[8 + 28];
        unreachable[0] = 3; unreachable[1] = 3;
        BinaryPrimitives.WriteUInt16BigEndian(unreachable.AsSpan(2), InternetChecksum.Compute(unreachable));
        p.SendIp(1, unreachable);
        p.Stack.Receive(Frame(FrameBuilder.Ipv4(ScriptedPeer.PeerIp, Ipv4Address.Broadcast, 17, FrameBuilder.Udp(ScriptedPeer.PeerIp, Ipv4Address.Broadcast, 1, 2, "b"u8))));
        Assert.Empty(p.Link.Take());
        Assert.Equal(1, p.Stack.Stats.IcmpErrorsReceived);
    }

    [Fact]
    public void Our_packets_carry_the_configured_ttl_and_dont_fragment()
    {
        var p = new ScriptedPeer(o => o.DefaultTtl = 33);
        p.Stack.CreateUdpSocket().SendTo("x"u8, ScriptedPeer.PeerIp, 9);
        var ip = FrameBuilder.ParseIpv4(Assert.Single(p.Link.Take()))!.Value;
        Assert.Equal(33, ip.Ttl);
        Assert.True(ip.DontFragment);
    }
}
