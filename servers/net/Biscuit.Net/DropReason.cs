// Why an input frame (or an output packet) was dropped. Every drop in the stack names one reason,
// and NetStats counts drops per reason for the server's Stats request.
namespace Biscuit.Net;

public enum DropReason
{
    FrameTooShort,
    FrameTooLong,
    FrameNotForUs,
    UnknownEtherType,
    ArpMalformed,
    ArpPendingQueueFull,
    ArpUnresolved,
    IpMalformed,
    IpBadChecksum,
    IpNotForUs,
    /// <summary>A 127.0.0.0/8 source or destination arrived from the link (RFC 1122 3.2.1.3 (g)).</summary>
    IpLoopbackOnLink,
    IpUnknownProtocol,
    FragmentLimit,
    FragmentTimeout,
    FragmentMalformed,
    IcmpMalformed,
    IcmpBadChecksum,
    IcmpUnhandledType,
    IcmpRateLimited,
    UdpMalformed,
    UdpBadChecksum,
    UdpNoSocket,
    UdpQueueFull,
    TcpMalformed,
    TcpBadChecksum,
    TcpNoConnection,
    TcpOutOfWindow,
    TcpBadAck,
    TcpBacklogFull,
    TcpOutOfOrderLimit,
    TcpInvalidInState,
    TcpRstIgnored,
    NoRoute,
    PacketTooLarge,
    /// <summary>A datagram to a local address found the loopback queue full (NetStackOptions.LoopbackQueueBytes).</summary>
    LoopbackQueueFull,
}
