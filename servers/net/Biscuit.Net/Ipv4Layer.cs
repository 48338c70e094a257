// IPv4 input and output for a host (RFC 791, RFC 1122 3.2.1). Input: validate, accept datagrams for our
// address or a broadcast, reassemble fragments, hand to ICMP/UDP/TCP, answer unknown protocols with
// ICMP protocol unreachable. Output: one reusable frame buffer; transports write their payload into
// PayloadBuffer and call Send, which adds the header (TTL from options, DF set: we never fragment
// on output, RFC 1191 style) and routes: to the loopback queue for a local address (127.0.0.0/8 or
// our own, RFC 1122 3.2.1.3), else to the next hop (on-link or the gateway) through ARP.
// Invariant: a datagram with a 127.x.x.x source or destination is only ever accepted from the
// loopback queue; from the link it is dropped (RFC 1122 3.2.1.3 (g): it must not appear outside a host).
namespace Biscuit.Net;

internal sealed class Ipv4Layer
{
    const int IpStart = Ethernet.HeaderLength;
    const int PayloadStart = Ethernet.HeaderLength + Ipv4Packet.MinHeaderLength;

    readonly NetStack stack;
    readonly FragmentReassembler reassembler;
    readonly byte[] frame;     // the one output frame under construction (owner: event loop)
    ushort nextIdentification = 1;

    public Ipv4Layer(NetStack stack)
    {
        this.stack = stack;
        reassembler = new FragmentReassembler(stack.Options, stack.Stats);
        frame = new byte[Ethernet.HeaderLength + stack.Link.Mtu];
    }

    /// <summary>Largest transport payload that fits one frame.</summary>
    public int MaxPayload => stack.Link.Mtu - Ipv4Packet.MinHeaderLength;

    /// <summary>Where a transport writes the payload of the next packet to Send.</summary>
    public Span<byte> PayloadBuffer => frame.AsSpan(PayloadStart);

    public int ReassemblyBytesInUse => reassembler.BytesInUse;

    /// <summary>A datagram from the link (fromLoopback false) or from the loopback queue.</summary>
    public void Input(ReadOnlySpan<byte> data, bool fromLoopback = false)
    {
        if (!Ipv4Packet.TryParse(data, out var packet, out var why)) { stack.Stats.Drop(why); return; }
        if (!fromLoopback && (packet.Source.IsLoopback || packet.Destination.IsLoopback))
        { stack.Stats.Drop(DropReason.IpLoopbackOnLink); return; }
        if (!(fromLoopback ? IsLocal(packet.Destination) : IsForUs(packet.Destination))) { stack.Stats.Drop(DropReason.IpNotForUs); return; }
        if (packet.IsFragment)
        {
            byte[]? whole = reassembler.Add(packet, stack.Now);
            if (whole == null) return;
            stack.Stats.FragmentsReassembled++;
            if (!Ipv4Packet.TryParse(whole, out var reassembled, out why)) { stack.Stats.Drop(why); return; }
            Deliver(reassembled);
            return;
        }
        Deliver(packet);
    }

    void Deliver(Ipv4Packet packet)
    {
        switch (packet.Protocol)
        {
            case Ipv4Packet.ProtocolIcmp: stack.Icmp.Input(packet); break;
            case Ipv4Packet.ProtocolUdp: stack.Udp.Input(packet); break;
            case Ipv4Packet.ProtocolTcp: stack.Tcp.Input(packet); break;
            default:
                stack.Stats.Drop(DropReason.IpUnknownProtocol);
                stack.Icmp.SendError(IcmpLayer.TypeDestinationUnreachable, IcmpLayer.CodeProtocolUnreachable, packet);
                break;
        }
    }

    public bool IsForUs(Ipv4Address destination) =>
        destination == stack.Address || destination == Ipv4Address.Broadcast || destination == stack.Options.SubnetBroadcast;

    /// <summary>An address of this host: the interface's, or any of 127.0.0.0/8 (RFC 1122 3.2.1.3).</summary>
    public bool IsLocal(Ipv4Address a) => a == stack.Address || a.IsLoopback;

    /// <summary>The source address for a datagram to `destination` from a socket bound to no address
    /// (RFC 1122 3.3.4.3): 127.0.0.1 toward the loopback network, as Linux's route "local
    /// 127.0.0.0/8 dev lo src 127.0.0.1" chooses; the interface's address otherwise.</summary>
    public Ipv4Address SourceFor(Ipv4Address destination) => destination.IsLoopback ? Ipv4Address.Loopback : stack.Address;

    public bool IsBroadcastOrMulticast(Ipv4Address a) =>
        a == Ipv4Address.Broadcast || a == stack.Options.SubnetBroadcast || a.IsMulticast;

    /// <summary>Sends PayloadBuffer[0..payloadLength) from `source` (one of ours, see SourceFor) to
    /// destination. Returns false if it was dropped for want of a route or an address; a datagram that
    /// a full loopback queue refuses counts as sent and lost (as a full transmit ring would).</summary>
    public bool Send(Ipv4Address source, Ipv4Address destination, byte protocol, int payloadLength)
    {
        if (payloadLength > MaxPayload) { stack.Stats.Drop(DropReason.PacketTooLarge); return false; }
        Ipv4Packet.WriteHeader(frame.AsSpan(IpStart), payloadLength, nextIdentification++, dontFragment: true,
            stack.Options.DefaultTtl, protocol, source, destination);
        int frameLength = PayloadStart + payloadLength;
        if (IsLocal(destination))
        {
            stack.SendToLoopback(frame.AsSpan(IpStart, Ipv4Packet.MinHeaderLength + payloadLength));
            return true;
        }
        if (source.IsLoopback) { stack.Stats.Drop(DropReason.NoRoute); return false; }   // 3.2.1.3 (g): never on the link
        if (IsBroadcastOrMulticast(destination))
        {
            Ethernet.WriteHeader(frame, MacAddress.Broadcast, stack.Link.Mac, Ethernet.TypeIpv4);
            stack.Transmit(frame.AsSpan(0, frameLength));
            return true;
        }
        var nextHop = stack.Options.IsOnLink(destination) ? destination : stack.Options.Gateway;
        if (nextHop == Ipv4Address.Any) { stack.Stats.Drop(DropReason.NoRoute); return false; }
        return stack.Arp.SendIpv4(nextHop, frame.AsSpan(0, frameLength));
    }

    public void Tick() => reassembler.Expire(stack.Now);
    public long NextDeadline() => reassembler.NextDeadline();
}
