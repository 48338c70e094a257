// IPv4 fragment reassembly (RFC 791 3.2, RFC 815) and its limits on memory, count and time.
using Biscuit.Net.Tests.Harness;

namespace Biscuit.Net.Tests.Unit;

public sealed class ReassemblyTests
{
    static void SendFragment(ScriptedPeer p, byte[] whole, int offset, int length, bool more, ushort id = 42)
    {
        var ip = FrameBuilder.Ipv4(ScriptedPeer.PeerIp, ScriptedPeer.StackIp, 1, whole.AsSpan(offset, length), id: id,
            moreFragments: more, fragmentOffset: offset);
        p.Stack.Receive(FrameBuilder.Ethernet(ScriptedPeer.StackMac, ScriptedPeer.PeerMac, Ethernet.TypeIpv4, ip));
    }

    static byte[] BigEcho(int dataLength)
    {
        var data = new byte[dataLength];
        new Random(dataLength).NextBytes(data);
        return FrameBuilder.IcmpEcho(9, 9, data);
    }

    [Fact]
    public void Fragments_arriving_out_of_order_and_overlapping_are_reassembled()
    {
        var p = new ScriptedPeer(mtu: 4000);
        var echo = BigEcho(3000);
        SendFragment(p, echo, 2400, echo.Length - 2400, more: false);
        SendFragment(p, echo, 0, 1200, more: true);
        SendFragment(p, echo, 800, 1600, more: true);                        // overlaps the first
        var reply = FrameBuilder.ParseIpv4(Assert.Single(p.Link.Take()))!.Value;
        Assert.Equal(0, reply.Payload[0]);
        Assert.Equal(echo.AsSpan(8).ToArray(), reply.Payload.AsSpan(8).ToArray());
        Assert.Equal(1, p.Stack.Stats.FragmentsReassembled);
        Assert.Equal(0, p.Stack.Ip.ReassemblyBytesInUse);
    }

    [Fact]
    public void An_incomplete_datagram_is_abandoned_after_the_timeout()
    {
        var p = new ScriptedPeer(o => o.ReassemblyTimeoutMs = 30_000);
        var echo = BigEcho(2000);
        SendFragment(p, echo, 0, 1000, more: true);
        Assert.True(p.Stack.Ip.ReassemblyBytesInUse > 0);
        p.Advance(30_000);
        Assert.Equal(0, p.Stack.Ip.ReassemblyBytesInUse);
        Assert.Equal(1, p.Stack.Stats.Dropped(DropReason.FragmentTimeout));
        SendFragment(p, echo, 1000, echo.Length - 1000, more: false);        // the rest, too late: nothing completes
        Assert.Empty(p.Link.Take());
    }

    [Fact]
    public void Memory_used_by_reassembly_never_exceeds_its_limit()
    {
        var p = new ScriptedPeer(o => { o.ReassemblyMaxBytes = 16 * 1024; o.ReassemblyMaxDatagrams = 100; });
        var chunk = new byte[1024];
        for (ushort id = 0; id < 200; id++)
        {
            // Each datagram claims bytes near the 64 KiB end: a memory attack.
            var ip = FrameBuilder.Ipv4(ScriptedPeer.PeerIp, ScriptedPeer.StackIp, 17, chunk, id: id, moreFragments: true, fragmentOffset: 60_000);
            p.Stack.Receive(FrameBuilder.Ethernet(ScriptedPeer.StackMac, ScriptedPeer.PeerMac, Ethernet.TypeIpv4, ip));
            Assert.True(p.Stack.Ip.ReassemblyBytesInUse <= 16 * 1024);
        }
        Assert.True(p.Stack.Stats.Dropped(DropReason.FragmentLimit) > 0);
    }

    [Fact]
    public void The_number_of_datagrams_in_reassembly_is_bounded_by_evicting_the_oldest()
    {
        var p = new ScriptedPeer(o => o.ReassemblyMaxDatagrams = 4);
        var echo = BigEcho(100);
        for (ushort id = 0; id < 10; id++) SendFragment(p, echo, 0, 64, more: true, id: id);
        Assert.Equal(6, p.Stack.Stats.Dropped(DropReason.FragmentLimit));
        // The newest datagrams survived and can complete.
        SendFragment(p, echo, 64, echo.Length - 64, more: false, id: 9);
        Assert.Single(p.Link.Take());
    }

    [Fact]
    public void A_non_final_fragment_whose_length_is_not_a_multiple_of_8_is_dropped()
    {
        var p = new ScriptedPeer();
        var echo = BigEcho(100);
        SendFragment(p, echo, 0, 60, more: true);
        Assert.Equal(1, p.Stack.Stats.Dropped(DropReason.FragmentMalformed));
    }

    [Fact]
    public void Fragments_disagreeing_about_the_end_drop_the_datagram()
    {
        var p = new ScriptedPeer();
        var echo = BigEcho(200);
        SendFragment(p, echo, 64, 64, more: false);
        SendFragment(p, echo, 0, 160, more: true);                           // runs past the announced end
        Assert.Equal(1, p.Stack.Stats.Dropped(DropReason.FragmentMalformed));
        Assert.Equal(0, p.Stack.Ip.ReassemblyBytesInUse);
    }
}
