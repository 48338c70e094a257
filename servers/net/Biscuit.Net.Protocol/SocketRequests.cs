// The request types the net server answers on its endpoint (ids from 16; lib's Stats is 1).
// Every socket call is non-blocking: posix does the waiting, woken by the readiness notification
// (Subscribe) and told what changed by PollEvents. Only requests that change nothing are marked
// idempotent (lib's client resends those after a server restart; the others fail with EIO).
using Biscuit.Lib.Messages;

namespace Biscuit.Net.Protocol;

public static class SocketRequests
{
    /// <summary>The stack's and the NIC's counters, one "name value" per line.</summary>
    public static readonly RequestType<Empty, string> NetCounters = new(16, "NetCounters", idempotent: true, Codecs.Empty, Codecs.String);

    /// <summary>socket(2): a new socket's id, or -EAFNOSUPPORT / -ESOCKTNOSUPPORT / -EPROTONOSUPPORT / -ENFILE.</summary>
    public static readonly RequestType<SocketCreate, long> Socket = new(17, "Socket", idempotent: false, SocketCodecs.Create, Codecs.Int64);
    /// <summary>bind(2): 0 or -errno (EADDRINUSE, EINVAL, EADDRNOTAVAIL for an address not ours).</summary>
    public static readonly RequestType<SocketAddressRequest, long> Bind = new(18, "Bind", idempotent: false, SocketCodecs.AddressRequest, Codecs.Int64);
    /// <summary>listen(2): 0 or -errno.</summary>
    public static readonly RequestType<SocketArgument, long> Listen = new(19, "Listen", idempotent: false, SocketCodecs.Argument, Codecs.Int64);
    /// <summary>accept(2): the new socket's id and the peer's address, or -EAGAIN.</summary>
    public static readonly RequestType<SocketArgument, AddressReply> Accept = new(20, "Accept", idempotent: false, SocketCodecs.Argument, SocketCodecs.AddressReply);
    /// <summary>connect(2): -EINPROGRESS for TCP (EPOLLOUT or EPOLLERR reports the outcome), 0 for UDP, or -errno.</summary>
    public static readonly RequestType<SocketAddressRequest, long> Connect = new(21, "Connect", idempotent: false, SocketCodecs.AddressRequest, Codecs.Int64);
    /// <summary>send(2)/sendto(2): bytes accepted (a prefix of the data), -EAGAIN when none fit, or -EPIPE, -ECONNRESET...</summary>
    public static readonly RequestType<SendRequest, long> Send = new(22, "Send", idempotent: false, SocketCodecs.Send, Codecs.Int64);
    /// <summary>Send as the client writes it (SendSlice: the same id and wire format; the server decodes SendRequest).</summary>
    public static readonly RequestType<SendSlice, long> SendFromBuffer = new(22, "Send", idempotent: false, SocketCodecs.SendSlice, Codecs.Int64);
    /// <summary>recv(2)/recvfrom(2): at most Max bytes (and at most MaxTransferBytes); empty = end of file; or -EAGAIN.
    /// With MSG_PEEK the bytes stay queued.</summary>
    public static readonly RequestType<ReceiveRequest, ReceiveReply> Receive = new(23, "Receive", idempotent: false, SocketCodecs.ReceiveRequest, SocketCodecs.Receive);
    /// <summary>shutdown(2): 0 or -errno.</summary>
    public static readonly RequestType<SocketArgument, long> Shutdown = new(24, "Shutdown", idempotent: false, SocketCodecs.Argument, Codecs.Int64);
    /// <summary>close(2): 0, or -EBADF; the id is free afterwards.</summary>
    public static readonly RequestType<SocketArgument, long> Close = new(25, "Close", idempotent: false, SocketCodecs.Argument, Codecs.Int64);
    /// <summary>setsockopt(2): 0 or -ENOPROTOOPT / -EINVAL.</summary>
    public static readonly RequestType<OptionRequest, long> SetOption = new(26, "SetOption", idempotent: false, SocketCodecs.Option, Codecs.Int64);
    /// <summary>getsockopt(2) (the request's Value is unused). SO_ERROR clears the pending error.</summary>
    public static readonly RequestType<OptionRequest, OptionReply> GetOption = new(27, "GetOption", idempotent: false, SocketCodecs.Option, SocketCodecs.OptionReply);
    /// <summary>getsockname(2).</summary>
    public static readonly RequestType<SocketArgument, AddressReply> GetName = new(28, "GetName", idempotent: true, SocketCodecs.Argument, SocketCodecs.AddressReply);
    /// <summary>getpeername(2): -ENOTCONN when not connected.</summary>
    public static readonly RequestType<SocketArgument, AddressReply> GetPeer = new(29, "GetPeer", idempotent: true, SocketCodecs.Argument, SocketCodecs.AddressReply);
    /// <summary>Gives the server a notification (the request's one handle, with the Signal right) that it
    /// signals whenever some socket's readiness changes; replaces an earlier one. 0 or -EINVAL (no handle).</summary>
    public static readonly RequestType<Empty, long> Subscribe = new(30, "Subscribe", idempotent: true, Codecs.Empty, Codecs.Int64);
    /// <summary>The sockets whose readiness changed since the last PollEvents (at most the number asked
    /// for, at most MaxEventsPerBatch), each with its readiness now.</summary>
    public static readonly RequestType<long, EventBatch> PollEvents = new(31, "PollEvents", idempotent: false, Codecs.Int64, SocketCodecs.Events);

    /// <summary>A socket's readiness now (EpollEvents bits), or -EBADF: for a level-triggered poll of one socket.</summary>
    public static readonly RequestType<SocketArgument, long> Readiness = new(32, "Readiness", idempotent: true, SocketCodecs.Argument, Codecs.Int64);

    /// <summary>The client starts afresh (issue 9: a restarted posix, whose predecessor's sockets nobody
    /// holds any more): every socket is dropped — connections reset (their peers get an RST),
    /// listeners closed, their ports free — and the readiness subscription is forgotten. The number
    /// of sockets dropped. Resending it is harmless (a second reset finds nothing), so it is idempotent.</summary>
    public static readonly RequestType<Empty, long> ResetClient = new(33, "ResetClient", idempotent: true, Codecs.Empty, Codecs.Int64);

    /// <summary>This server instance's number (positive, drawn at start): it changes when net restarts,
    /// which is how posix learns that its sockets are gone and its listeners must be made again.</summary>
    public static readonly RequestType<Empty, long> Instance = new(34, "Instance", idempotent: true, Codecs.Empty, Codecs.Int64);

    /// <summary>Grants the caller net's socket data window at the page-aligned address given
    /// (SocketWindow.cs): the layout, or -EINVAL (address), -EBUSY (granted already), -EOPNOTSUPP
    /// (no window in this server), or the kernel's grant error (EEXIST: the caller uses that range).</summary>
    public static readonly RequestType<long, SocketWindowLayout> MapWindow = new(35, "MapWindow", idempotent: false, Codecs.Int64, SocketWindowCodecs.Layout);
    /// <summary>Send with the bytes in a window slot: as Send, or -ESTALE / -EACCES / -ERANGE for a bad window, caller or range.</summary>
    public static readonly RequestType<WindowSend, long> SendFromWindow = new(36, "SendFromWindow", idempotent: false, SocketWindowCodecs.Send, Codecs.Int64);
    /// <summary>Receive into a window slot: as Receive (the count, the sender, the readiness after), or -ESTALE / -EACCES / -ERANGE.</summary>
    public static readonly RequestType<WindowReceive, WindowReceiveReply> ReceiveToWindow = new(37, "ReceiveToWindow", idempotent: false, SocketWindowCodecs.Receive, SocketWindowCodecs.ReceiveReply);

    /// <summary>The bit the server signals on the subscribed notification.</summary>
    public const ulong ReadinessSignalBit = 1;
}
