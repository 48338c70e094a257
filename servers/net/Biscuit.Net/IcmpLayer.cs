// ICMP for a host (RFC 792, RFC 1122 3.2.2): answers echo requests (3.2.2.6), sends destination
// unreachable errors for UDP ports and IP protocols nobody serves, and counts received errors.
// Errors are never sent about ICMP errors, broadcasts, non-initial fragments or from invalid
// sources (RFC 1122 3.2.2), and are rate limited by a token bucket (IcmpErrorsPerSecond).
using System.Buffers.Binary;

namespace Biscuit.Net;

internal sealed class IcmpLayer
{
    public const byte TypeEchoReply = 0;
    public const byte TypeDestinationUnreachable = 3;
    public const byte TypeEchoRequest = 8;
    public const byte TypeTimeExceeded = 11;
    public const byte CodeProtocolUnreachable = 2;
    public const byte CodePortUnreachable = 3;
    const int HeaderLength = 8;

    readonly NetStack stack;
    double tokens;          // error-rate bucket (owner: event loop)
    long tokensUpdatedAt;

    public IcmpLayer(NetStack stack)
    {
        this.stack = stack;
        tokens = stack.Options.IcmpErrorsPerSecond;
        tokensUpdatedAt = stack.Now;
    }

    public void Input(Ipv4Packet packet)
    {
        var m = packet.Payload;
        if (m.Length < HeaderLength) { stack.Stats.Drop(DropReason.IcmpMalformed); return; }
        if (InternetChecksum.Compute(m) != 0) { stack.Stats.Drop(DropReason.IcmpBadChecksum); return; }
        switch (m[0])
        {
            case TypeEchoRequest:
                // RFC 1122 3.2.2.6: an echo request to a broadcast address MAY be silently discarded.
                if (!stack.Ip.IsLocal(packet.Destination)) { stack.Stats.Drop(DropReason.IpNotForUs); return; }
                if (m.Length > stack.Ip.MaxPayload) { stack.Stats.Drop(DropReason.PacketTooLarge); return; }
                var reply = stack.Ip.PayloadBuffer;
                m.CopyTo(reply);
                reply[0] = TypeEchoReply;
                reply[1] = 0;
                reply[2] = 0; reply[3] = 0;
                BinaryPrimitives.WriteUInt16BigEndian(reply.Slice(2), InternetChecksum.Compute(reply.Slice(0, m.Length)));
                if (stack.Ip.Send(packet.Destination, packet.Source, Ipv4Packet.ProtocolIcmp, m.Length)) stack.Stats.IcmpEchoReplies++;
                break;
            case TypeDestinationUnreachable:
                stack.Stats.IcmpErrorsReceived++;
                ReportUnreachable(m);
                break;
            case TypeTimeExceeded:
            case 4: case 5: case 12:
                // Soft errors: counted only (RFC 1122 4.2.3.9: they must not abort a connection).
                stack.Stats.IcmpErrorsReceived++;
                break;
            default:
                stack.Stats.Drop(DropReason.IcmpUnhandledType);
                break;
        }
    }

    /// <summary>Hands a destination unreachable about one of our TCP segments to TCP. The message quotes
    /// the IP header and at least 8 bytes of our segment: ports and sequence number (RFC 792).</summary>
    void ReportUnreachable(ReadOnlySpan<byte> message)
    {
        var quoted = message.Slice(HeaderLength);
        if (quoted.Length < Ipv4Packet.MinHeaderLength) return;
        int ihl = (quoted[0] & 0xF) * 4;
        if ((quoted[0] >> 4) != 4 || ihl < Ipv4Packet.MinHeaderLength || quoted.Length < ihl + 8) return;
        var ourAddress = Ipv4Address.Read(quoted.Slice(12));
        if (quoted[9] != Ipv4Packet.ProtocolTcp || !stack.Ip.IsLocal(ourAddress)) return;
        var tcp = quoted.Slice(ihl);
        stack.Tcp.OnDestinationUnreachable(ourAddress, Ipv4Address.Read(quoted.Slice(16)),
            BinaryPrimitives.ReadUInt16BigEndian(tcp), BinaryPrimitives.ReadUInt16BigEndian(tcp.Slice(2)),
            BinaryPrimitives.ReadUInt32BigEndian(tcp.Slice(4)), message[1]);
    }

    /// <summary>Sends an ICMP error quoting the offending datagram's header and first 8 data bytes (RFC 792).</summary>
    public void SendError(byte type, byte code, Ipv4Packet offending)
    {
        if (offending.FragmentOffset != 0) return;
        if (stack.Ip.IsBroadcastOrMulticast(offending.Destination) || stack.Ip.IsBroadcastOrMulticast(offending.Source)
            || offending.Source == Ipv4Address.Any) return;
        if (offending.Protocol == Ipv4Packet.ProtocolIcmp)
        {
            var p = offending.Payload;
            if (p.Length < 1 || p[0] is not (TypeEchoRequest or TypeEchoReply)) return; // never an error about an error
        }
        if (!TakeToken()) { stack.Stats.Drop(DropReason.IcmpRateLimited); return; }
        int quoted = Math.Min(offending.Whole.Length, offending.HeaderLength + 8);
        var m = stack.Ip.PayloadBuffer;
        m.Slice(0, HeaderLength).Clear();
        m[0] = type;
        m[1] = code;
        offending.Whole.Slice(0, quoted).CopyTo(m.Slice(HeaderLength));
        int length = HeaderLength + quoted;
        BinaryPrimitives.WriteUInt16BigEndian(m.Slice(2), InternetChecksum.Compute(m.Slice(0, length)));
        // From the address the offending datagram was sent to when it is one of ours (a loopback
        // datagram is answered from 127.x), else from the interface's.
        var source = stack.Ip.IsLocal(offending.Destination) ? offending.Destination : stack.Ip.SourceFor(offending.Source);
        if (stack.Ip.Send(source, offending.Source, Ipv4Packet.ProtocolIcmp, length)) stack.Stats.IcmpErrorsSent++;
    }

    bool TakeToken()
    {
        double rate = stack.Options.IcmpErrorsPerSecond;
        tokens = Math.Min(rate, tokens + (stack.Now - tokensUpdatedAt) * rate / 1000.0);
        tokensUpdatedAt = stack.Now;
        if (tokens < 1) return false;
        tokens -= 1;
        return true;
    }
}
