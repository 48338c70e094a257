// Configuration of the stack: the interface's static address, and every bound on memory and time.
// Every queue in the stack has a limit here, so the server can tie them to its heap budget.
// Times are in milliseconds of the injected clock.
namespace Biscuit.Net;

public sealed class NetStackOptions
{
    // --- Addressing (static configuration from the boot manifest; DHCP is not implemented) ---
    public Ipv4Address Address = Ipv4Address.Parse("10.0.2.15");
    public int PrefixLength = 24;
    public Ipv4Address Gateway = Ipv4Address.Parse("10.0.2.2");

    // --- IPv4 (RFC 791, RFC 1122 3.2.1.7) ---
    public byte DefaultTtl = 64;

    // --- Loopback (RFC 1122 3.2.1.3): datagrams to 127.0.0.0/8 or our own address wait in one ring of
    // this many bytes (allocated with the stack, part of the server's fixed heap) until the event loop
    // delivers them. Twice the default TCP receive buffer: one connection sending a full window never
    // overflows it; beyond, datagrams are dropped and counted (dropped.LoopbackQueueFull).
    public int LoopbackQueueBytes = 512 * 1024;

    // --- ARP (RFC 826, RFC 1122 2.3.2.1) ---
    public long ArpEntryLifetimeMs = 60_000;
    public long ArpRetryIntervalMs = 1_000;
    public int ArpMaxRequests = 3;
    public int ArpCacheCapacity = 256;
    public int ArpPendingPacketsPerAddress = 8;
    public int ArpPendingPacketsTotal = 64;

    // --- Fragment reassembly (RFC 791 section 3.2, RFC 815) ---
    public int ReassemblyMaxDatagrams = 16;
    public int ReassemblyMaxBytes = 256 * 1024;
    public long ReassemblyTimeoutMs = 30_000;
    public int ReassemblyMaxHoles = 32;

    // --- ICMP (RFC 792, RFC 1122 3.2.2: error rate limiting) ---
    public int IcmpErrorsPerSecond = 100;

    // --- UDP (RFC 768) ---
    public int UdpDefaultReceiveBuffer = 256 * 1024;
    public int UdpMaxQueuedDatagrams = 256;

    // --- TCP (RFC 9293 and friends) ---
    public int TcpDefaultSendBuffer = 256 * 1024;
    public int TcpDefaultReceiveBuffer = 256 * 1024;
    public int TcpMaxBuffer = 4 * 1024 * 1024;
    public int TcpMinBuffer = 2048;
    public int TcpMaxConnections = 4096;
    public int TcpMaxBacklog = 1024;
    /// <summary>Offer SACK (RFC 2018). We report out-of-order data in SACK blocks as a receiver; as a
    /// sender we ignore received SACK blocks and recover with NewReno.</summary>
    public bool TcpSack = true;
    /// <summary>Out-of-order ranges kept per connection; a segment that would need more is dropped.</summary>
    public int TcpMaxOutOfOrderRanges = 32;
    /// <summary>RFC 6298 (2.1): the RTO before any RTT sample.</summary>
    public long TcpInitialRtoMs = 1_000;
    /// <summary>RFC 6298 (2.4) says SHOULD 1 s; Linux uses 200 ms, which works better with Linux peers.</summary>
    public long TcpMinRtoMs = 200;
    /// <summary>RFC 6298 (2.5): a maximum may be placed on the RTO provided it is at least 60 s.</summary>
    public long TcpMaxRtoMs = 60_000;
    /// <summary>Retransmissions of one segment before the connection is dropped (Linux tcp_retries2).</summary>
    public int TcpMaxRetransmissions = 15;
    /// <summary>SYN retransmissions before connect fails with ETIMEDOUT (Linux tcp_syn_retries).</summary>
    public int TcpMaxSynRetransmissions = 6;
    /// <summary>RFC 9293 3.8.6.3: an ACK MUST NOT be delayed more than 0.5 s.</summary>
    public long TcpDelayedAckMs = 40;
    /// <summary>Maximum segment lifetime; TIME-WAIT lasts 2*MSL (RFC 9293 3.4.2).</summary>
    public long TcpMslMs = 30_000;
    /// <summary>How long an orphaned (closed by the user) connection may sit in FIN-WAIT-2.</summary>
    public long TcpFinWait2TimeoutMs = 60_000;
    /// <summary>At most one ACK per this interval answers unacceptable segments without data (Linux's
    /// tcp_invalid_ratelimit), which ends any ACK exchange that could otherwise loop.</summary>
    public long TcpOutOfWindowAckIntervalMs = 500;
    public long TcpPersistMinMs = 200;
    public long TcpPersistMaxMs = 60_000;
    /// <summary>RFC 1122 4.2.3.6: keep-alive idle time MUST default to no less than two hours.</summary>
    public long TcpKeepAliveIdleMs = 2 * 60 * 60 * 1000;
    public long TcpKeepAliveIntervalMs = 75_000;
    public int TcpKeepAliveProbes = 9;
    /// <summary>Secret mixed into initial sequence numbers (RFC 6528). The server seeds it from getrandom.</summary>
    public ulong TcpIssSecret = 0x9E37_79B9_7F4A_7C15;
    /// <summary>For tests: chooses the initial sequence number instead of the RFC 6528 generator.</summary>
    public Func<uint>? TcpIssOverride;
    public ushort EphemeralPortFirst = 49152;
    public ushort EphemeralPortLast = 65535;

    internal uint NetworkMask => PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);
    internal bool IsOnLink(Ipv4Address a) => (a.Value & NetworkMask) == (Address.Value & NetworkMask);
    internal Ipv4Address SubnetBroadcast => new(Address.Value | ~NetworkMask);
}
