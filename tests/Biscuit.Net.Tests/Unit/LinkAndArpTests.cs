// Ethernet framing checks and ARP (RFC 826): answers, learning, resolution with a bounded queue,
// retries and giving up, and malformed input.
using Biscuit.Net.Tests.Harness;

namespace Biscuit.Net.Tests.Unit;

public sealed class LinkAndArpTests
{
    static readonly Ipv4Address Other = Ipv4Address.Parse("10.0.0.77");

    [Fact]
    public void An_arp_request_for_our_address_is_answered_with_our_mac()
    {
        var p = new ScriptedPeer(resolveArp: false);
        p.Stack.Receive(FrameBuilder.Ethernet(MacAddress.Broadcast, ScriptedPeer.PeerMac, Ethernet.TypeArp,
            FrameBuilder.Arp(1, ScriptedPeer.PeerMac, ScriptedPeer.PeerIp, MacAddress.Zero, ScriptedPeer.StackIp)));
        var reply = Assert.Single(p.Link.Take());
        Assert.Equal(ScriptedPeer.PeerMac, Ethernet.Destination(reply));
        Assert.Equal(Ethernet.TypeArp, Ethernet.EtherType(reply));
        Assert.Equal(2, reply[14 + 7]);                                       // op = reply
        Assert.Equal(ScriptedPeer.StackMac, MacAddress.Read(reply.AsSpan(14 + 8)));
        Assert.Equal(ScriptedPeer.StackIp, Ipv4Address.Read(reply.AsSpan(14 + 14)));
    }

    [Fact]
    public void An_arp_request_for_another_address_is_not_answered_and_not_learned()
    {
        var p = new ScriptedPeer(resolveArp: false);
        p.Stack.Receive(FrameBuilder.Ethernet(MacAddress.Broadcast, ScriptedPeer.PeerMac, Ethernet.TypeArp,
            FrameBuilder.Arp(1, ScriptedPeer.PeerMac, ScriptedPeer.PeerIp, MacAddress.Zero, Other)));
        Assert.Empty(p.Link.Take());
        Assert.False(p.Stack.Arp.TryLookup(ScriptedPeer.PeerIp, out _));
    }

    [Fact]
    public void Packets_to_an_unresolved_address_wait_for_the_arp_reply_then_go_out()
    {
        var p = new ScriptedPeer();
        var u = p.Stack.CreateUdpSocket();
        Assert.Equal(5, u.SendTo("hello"u8, Other, 9));
        var request = Assert.Single(p.Link.Take());
        Assert.Equal(MacAddress.Broadcast, Ethernet.Destination(request));
        Assert.Equal(Other, Ipv4Address.Read(request.AsSpan(14 + 24)));
        var otherMac = MacAddress.Parse("02:00:00:00:00:77");
        p.Stack.Receive(FrameBuilder.Ethernet(ScriptedPeer.StackMac, otherMac, Ethernet.TypeArp,
            FrameBuilder.Arp(2, otherMac, Other, ScriptedPeer.StackMac, ScriptedPeer.StackIp)));
        var sent = Assert.Single(p.Link.Take());
        Assert.Equal(otherMac, Ethernet.Destination(sent));
        Assert.Equal(Other, FrameBuilder.ParseIpv4(sent)!.Value.Dst);
    }

    [Fact]
    public void The_pending_queue_is_bounded_and_unresolved_packets_are_dropped_after_the_retries()
    {
        var p = new ScriptedPeer(o => { o.ArpPendingPacketsPerAddress = 4; o.ArpMaxRequests = 3; o.ArpRetryIntervalMs = 1000; });
        var u = p.Stack.CreateUdpSocket();
        for (int i = 0; i < 10; i++) u.SendTo("x"u8, Other, 9);
        Assert.Equal(4, p.Stack.Arp.PendingPackets);
        Assert.Equal(6, p.Stack.Stats.Dropped(DropReason.ArpPendingQueueFull));
        Assert.Single(p.Link.Take());                                          // one request, not ten
        p.Advance(1000); p.Advance(1000);
        Assert.Equal(2, p.Link.Take().Count);                                  // two retries, one a second
        p.Advance(1000);
        Assert.Empty(p.Link.Take());
        Assert.Equal(0, p.Stack.Arp.PendingPackets);
        Assert.Equal(4, p.Stack.Stats.Dropped(DropReason.ArpUnresolved));
    }

    [Fact]
    public void Arp_entries_expire_and_are_resolved_again()
    {
        var p = new ScriptedPeer(o => o.ArpEntryLifetimeMs = 5000);
        Assert.True(p.Stack.Arp.TryLookup(ScriptedPeer.PeerIp, out _));
        p.Advance(5000);
        Assert.False(p.Stack.Arp.TryLookup(ScriptedPeer.PeerIp, out _));
        p.Stack.CreateUdpSocket().SendTo("x"u8, ScriptedPeer.PeerIp, 9);
        Assert.Equal(MacAddress.Broadcast, Ethernet.Destination(Assert.Single(p.Link.Take())));
    }

    [Fact]
    public void The_arp_cache_never_grows_past_its_capacity()
    {
        var p = new ScriptedPeer(o => o.ArpCacheCapacity = 8);
        for (int i = 0; i < 50; i++)
        {
            var ip = new Ipv4Address(ScriptedPeer.StackIp.Value & 0xFFFFFF00 | (uint)(100 + i));
            var mac = new MacAddress(0x020000000100UL + (ulong)i);
            p.Stack.Receive(FrameBuilder.Ethernet(MacAddress.Broadcast, mac, Ethernet.TypeArp, FrameBuilder.Arp(1, mac, ip, MacAddress.Zero, ScriptedPeer.StackIp)));
        }
        Assert.True(p.Stack.Arp.CacheEntries <= 8);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(13)]
    public void Truncated_frames_are_dropped_and_counted(int length)
    {
        var p = new ScriptedPeer();
        p.Stack.Receive(new byte[length]);
        Assert.Equal(1, p.Stack.Stats.Dropped(DropReason.FrameTooShort));
        Assert.Empty(p.Link.Take());
    }

    [Fact]
    public void Oversized_frames_are_dropped_and_counted()
    {
        var p = new ScriptedPeer();
        var big = FrameBuilder.Ethernet(ScriptedPeer.StackMac, ScriptedPeer.PeerMac, Ethernet.TypeIpv4, new byte[1501]);
        p.Stack.Receive(big);
        Assert.Equal(1, p.Stack.Stats.Dropped(DropReason.FrameTooLong));
    }

    [Fact]
    public void Frames_for_other_macs_and_unknown_ethertypes_are_dropped_and_counted()
    {
        var p = new ScriptedPeer();
        p.Stack.Receive(FrameBuilder.Ethernet(MacAddress.Parse("02:11:11:11:11:11"), ScriptedPeer.PeerMac, Ethernet.TypeIpv4, new byte[46]));
        p.Stack.Receive(FrameBuilder.Ethernet(ScriptedPeer.StackMac, ScriptedPeer.PeerMac, 0x86DD, new byte[46]));
        Assert.Equal(1, p.Stack.Stats.Dropped(DropReason.FrameNotForUs));
        Assert.Equal(1, p.Stack.Stats.Dropped(DropReason.UnknownEtherType));
    }

    [Fact]
    public void Malformed_arp_is_dropped_and_counted()
    {
        var p = new ScriptedPeer();
        var arp = FrameBuilder.Arp(1, ScriptedPeer.PeerMac, ScriptedPeer.PeerIp, MacAddress.Zero, ScriptedPeer.StackIp);
        p.Stack.Receive(FrameBuilder.Ethernet(MacAddress.Broadcast, ScriptedPeer.PeerMac, Ethernet.TypeArp, arp.AsSpan(0, 20)));
        arp[5] = 16;                                                            // protocol address length 16: not IPv4
        p.Stack.Receive(FrameBuilder.Ethernet(MacAddress.Broadcast, ScriptedPeer.PeerMac, Ethernet.TypeArp, arp));
        Assert.Equal(2, p.Stack.Stats.Dropped(DropReason.ArpMalformed));
        Assert.Empty(p.Link.Take());
    }
}
