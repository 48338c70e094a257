// The bodies of the socket protocol's requests and replies. Sockets are named by the positive id the
// server handed out; results are a non-negative value or a negated Linux errno (LinuxErrno).
// IPv4 addresses are 32-bit numbers in host order (10.0.2.15 = 0x0A00020F); ports are 0..65535.
namespace Biscuit.Net.Protocol;

/// <summary>socket(family, type, protocol).</summary>
public readonly record struct SocketCreate(long Family, long Type, long Protocol);

/// <summary>A request naming a socket and one integer: Listen (backlog), Shutdown (how), Accept /
/// Close / GetName / GetPeer / Readiness (the integer is unused, 0).</summary>
public readonly record struct SocketArgument(long Id, long Value);

/// <summary>Bind or Connect: a socket and an IPv4 address and port.</summary>
public readonly record struct SocketAddressRequest(long Id, long Address, long Port);

/// <summary>Receive: at most Max bytes; Flags are recv(2)'s (MSG_PEEK honoured, MSG_OOB refused, the
/// others — MSG_DONTWAIT, MSG_NOSIGNAL, MSG_WAITALL... — are posix's business and ignored).</summary>
public readonly record struct ReceiveRequest(long Id, long Max, long Flags);

/// <summary>Send: bytes for a socket; for UDP, a destination (Port 0: the connected peer).</summary>
public readonly record struct SendRequest(long Id, byte[] Data, long Address, long Port);

/// <summary>Send as a client writes it: the first Length bytes of Buffer (a buffer the client keeps
/// and reuses, so a send allocates no array). The same bytes on the wire as SendRequest.</summary>
public readonly record struct SendSlice(long Id, byte[] Buffer, int Length, long Address, long Port);

/// <summary>A result with an address: Accept (new id or -errno, and the peer), GetName, GetPeer (0 or -errno).</summary>
public readonly record struct AddressReply(long Result, long Address, long Port);

/// <summary>Receive: Result is the byte count (0 with no data = end of file) or -errno; for UDP the
/// sender's address. ReadinessAfter: the socket's readiness (epoll bits) when the reply was made, so
/// that a caller that caches readiness learns at once that a read emptied the socket; -1 when not
/// known (a server without the field).</summary>
public readonly record struct ReceiveReply(long Result, byte[] Data, long Address, long Port, long ReadinessAfter = -1);

/// <summary>SetOption / GetOption: a socket, an option level and name (Linux numbers), and the value
/// (integers; SO_LINGER as SocketConstants.LingerOff or seconds).</summary>
public readonly record struct OptionRequest(long Id, long Level, long Name, long Value);

/// <summary>GetOption's reply: 0 or -errno, and the value.</summary>
public readonly record struct OptionReply(long Result, long Value);

/// <summary>One socket whose readiness changed, with its current readiness (EpollEvents bits).</summary>
public readonly record struct SocketEvent(long Id, long Events);

/// <summary>PollEvents' reply: the sockets that changed since the last PollEvents (at most the number
/// asked for), and whether more are waiting.</summary>
public readonly record struct EventBatch(SocketEvent[] Events, bool More);
