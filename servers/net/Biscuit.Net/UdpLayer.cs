// UDP (RFC 768, RFC 1122 4.1): validates datagrams (length, optional checksum), delivers them to the
// socket bound to the destination port, and answers ports nobody listens on with ICMP port
// unreachable (RFC 1122 4.1.3.1). Invariant: at most one socket per local port, whatever address it
// is bound to (Linux allows one per address; one per port is a simplification kept here).
using System.Buffers.Binary;

namespace Biscuit.Net;

internal sealed class UdpLayer
{
    public const int HeaderLength = 8;
    readonly NetStack stack;
    readonly Dictionary<ushort, UdpSocket> bound = new();
    ushort nextEphemeral;

    public UdpLayer(NetStack stack) { this.stack = stack; nextEphemeral = stack.Options.EphemeralPortFirst; }

    public void Input(Ipv4Packet packet)
    {
        var d = packet.Payload;
        if (d.Length < HeaderLength) { stack.Stats.Drop(DropReason.UdpMalformed); return; }
        int length = BinaryPrimitives.ReadUInt16BigEndian(d.Slice(4));
        if (length < HeaderLength || length > d.Length) { stack.Stats.Drop(DropReason.UdpMalformed); return; }
        d = d.Slice(0, length);
        ushort checksum = BinaryPrimitives.ReadUInt16BigEndian(d.Slice(6));
        if (checksum != 0) // zero means the sender computed none (RFC 768)
        {
            ulong sum = InternetChecksum.PseudoHeader(packet.Source, packet.Destination, Ipv4Packet.ProtocolUdp, length);
            if (InternetChecksum.Finish(InternetChecksum.Add(sum, d)) != 0) { stack.Stats.Drop(DropReason.UdpBadChecksum); return; }
        }
        ushort sourcePort = BinaryPrimitives.ReadUInt16BigEndian(d);
        ushort destinationPort = BinaryPrimitives.ReadUInt16BigEndian(d.Slice(2));
        stack.Stats.UdpDatagramsIn++;
        if (!bound.TryGetValue(destinationPort, out var socket) || !socket.Accepts(packet.Destination, packet.Source, sourcePort))
        {
            stack.Stats.Drop(DropReason.UdpNoSocket);
            if (stack.Ip.IsLocal(packet.Destination))
                stack.Icmp.SendError(IcmpLayer.TypeDestinationUnreachable, IcmpLayer.CodePortUnreachable, packet);
            return;
        }
        if (!socket.Enqueue(packet.Source, sourcePort, d.Slice(HeaderLength))) stack.Stats.Drop(DropReason.UdpQueueFull);
    }

    public Errno Bind(UdpSocket socket, ushort port, out ushort boundPort)
    {
        boundPort = 0;
        if (port == 0)
        {
            int span = stack.Options.EphemeralPortLast - stack.Options.EphemeralPortFirst + 1;
            for (int i = 0; i < span && port == 0; i++)
            {
                ushort candidate = nextEphemeral;
                nextEphemeral = candidate >= stack.Options.EphemeralPortLast ? stack.Options.EphemeralPortFirst : (ushort)(candidate + 1);
                if (!bound.ContainsKey(candidate)) port = candidate;
            }
            if (port == 0) return Errno.EADDRINUSE;
        }
        else if (bound.ContainsKey(port)) return Errno.EADDRINUSE;
        bound[port] = socket;
        boundPort = port;
        return Errno.None;
    }

    public void Unbind(ushort port) => bound.Remove(port);

    /// <summary>Sends one datagram. Outgoing fragmentation is not done: larger payloads get EMSGSIZE.</summary>
    public int Send(Ipv4Address source, ushort sourcePort, Ipv4Address destination, ushort destinationPort, ReadOnlySpan<byte> data)
    {
        if (data.Length + HeaderLength > stack.Ip.MaxPayload) return -(int)Errno.EMSGSIZE;
        var d = stack.Ip.PayloadBuffer;
        int length = HeaderLength + data.Length;
        BinaryPrimitives.WriteUInt16BigEndian(d, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(d.Slice(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(d.Slice(4), (ushort)length);
        d[6] = 0; d[7] = 0;
        data.CopyTo(d.Slice(HeaderLength));
        ulong sum = InternetChecksum.PseudoHeader(source, destination, Ipv4Packet.ProtocolUdp, length);
        ushort checksum = InternetChecksum.Finish(InternetChecksum.Add(sum, d.Slice(0, length)));
        BinaryPrimitives.WriteUInt16BigEndian(d.Slice(6), checksum == 0 ? (ushort)0xFFFF : checksum);
        if (!stack.Ip.Send(source, destination, Ipv4Packet.ProtocolUdp, length)) return -(int)Errno.EHOSTUNREACH;
        stack.Stats.UdpDatagramsOut++;
        return data.Length;
    }
}
