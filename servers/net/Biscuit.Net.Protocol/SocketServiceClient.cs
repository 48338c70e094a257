// The client of the net server's socket service, for posix: one method per socket call, each a
// single non-blocking IPC call returning what the Linux system call would (a non-negative value or
// a negated errno). When the call itself fails (the server died, timed out, answered with an error
// status or an undecodable reply) the result is -EIO and LastFailure says why. Send and Receive
// move at most SocketLimits.MaxTransferBytes per call; posix loops. One client per calling thread
// (lib's ServiceClient owns its thread's IPC buffer).
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;

namespace Biscuit.Net.Protocol;

public sealed class SocketServiceClient(ServiceClient client, ulong timeoutMs = 10_000)
{
    private readonly byte[] sendBuffer = new byte[SocketLimits.MaxTransferBytes];   // this client's thread's: a Send's bytes

    /// <summary>Why the last call returned -EIO without the server's say (null after a call that reached it).</summary>
    public string? LastFailure { get; private set; }

    public long Socket(int family, int type, int protocol = 0) =>
        Result(client.Call(SocketRequests.Socket, new SocketCreate(family, type, protocol), timeoutMs));

    public long Bind(long id, uint address, int port) =>
        Result(client.Call(SocketRequests.Bind, new SocketAddressRequest(id, address, port), timeoutMs));

    public long Listen(long id, int backlog) =>
        Result(client.Call(SocketRequests.Listen, new SocketArgument(id, backlog), timeoutMs));

    /// <summary>The new socket's id (and the peer's address and port), or -EAGAIN / -errno.</summary>
    public long Accept(long id, out uint peerAddress, out int peerPort)
    {
        var reply = Value(client.Call(SocketRequests.Accept, new SocketArgument(id, 0), timeoutMs), new AddressReply(-LinuxErrno.EIO, 0, 0));
        peerAddress = (uint)reply.Address;
        peerPort = (int)reply.Port;
        return reply.Result;
    }

    /// <summary>-EINPROGRESS for TCP: EPOLLOUT (connected) or EPOLLERR (then SO_ERROR says why) follows.</summary>
    public long Connect(long id, uint address, int port) =>
        Result(client.Call(SocketRequests.Connect, new SocketAddressRequest(id, address, port), timeoutMs));

    /// <summary>Sends a prefix of `data` (at most MaxTransferBytes): the bytes accepted, or -EAGAIN when
    /// none fit, or -errno. For UDP, `port` 0 means the connected peer.</summary>
    public long Send(long id, ReadOnlySpan<byte> data, uint address = 0, int port = 0)
    {
        int length = Math.Min(data.Length, SocketLimits.MaxTransferBytes);
        data[..length].CopyTo(sendBuffer);
        return Result(client.Call(SocketRequests.SendFromBuffer, new SendSlice(id, sendBuffer, length, address, port), timeoutMs));
    }

    /// <summary>Reads into `destination` (at most MaxTransferBytes): the bytes read, 0 at end of file,
    /// or -EAGAIN / -errno. For UDP, the sender's address. `flags`: recv(2)'s (MSG_PEEK).</summary>
    public long Receive(long id, Span<byte> destination, out uint fromAddress, out int fromPort, int flags = 0) =>
        Receive(id, destination, out fromAddress, out fromPort, out _, flags);

    /// <summary>recv; `readinessAfter` is the socket's readiness once the call was done (-1 if unknown).</summary>
    public long Receive(long id, Span<byte> destination, out uint fromAddress, out int fromPort, out long readinessAfter, int flags = 0)
    {
        int max = Math.Min(destination.Length, SocketLimits.MaxTransferBytes);
        var reply = Value(client.Call(SocketRequests.Receive, new ReceiveRequest(id, max, flags), timeoutMs), new ReceiveReply(-LinuxErrno.EIO, [], 0, 0));
        fromAddress = (uint)reply.Address;
        fromPort = (int)reply.Port;
        readinessAfter = reply.ReadinessAfter;
        if (reply.Result < 0) return reply.Result;
        if (reply.Data.Length > max || reply.Result != reply.Data.Length)
        {
            LastFailure = $"Receive reply of {reply.Data.Length} bytes (result {reply.Result}) for at most {max}";
            return -LinuxErrno.EIO;
        }
        reply.Data.CopyTo(destination);
        return reply.Result;
    }

    public long Receive(long id, Span<byte> destination) => Receive(id, destination, out _, out _);

    /// <summary>The socket's readiness now (EpollEvents bits), or -errno.</summary>
    public long Readiness(long id) =>
        Result(client.Call(SocketRequests.Readiness, new SocketArgument(id, 0), timeoutMs));

    public long Shutdown(long id, int how) =>
        Result(client.Call(SocketRequests.Shutdown, new SocketArgument(id, how), timeoutMs));

    public long Close(long id) =>
        Result(client.Call(SocketRequests.Close, new SocketArgument(id, 0), timeoutMs));

    public long SetOption(long id, int level, int name, long value) =>
        Result(client.Call(SocketRequests.SetOption, new OptionRequest(id, level, name, value), timeoutMs));

    /// <summary>0 and the option's value, or -errno.</summary>
    public long GetOption(long id, int level, int name, out long value)
    {
        var reply = Value(client.Call(SocketRequests.GetOption, new OptionRequest(id, level, name, 0), timeoutMs), new OptionReply(-LinuxErrno.EIO, 0));
        value = reply.Value;
        return reply.Result;
    }

    public long GetName(long id, out uint address, out int port) => AddressCall(SocketRequests.GetName, id, out address, out port);
    public long GetPeer(long id, out uint address, out int port) => AddressCall(SocketRequests.GetPeer, id, out address, out port);

    /// <summary>Hands the server `notification` (the handle needs the Transfer and Signal rights); the
    /// server signals SocketRequests.ReadinessSignalBit on it when readiness changes.</summary>
    public long Subscribe(Handle notification)
    {
        var handles = new HandleList();
        handles.Add(notification);
        return Result(client.Call(SocketRequests.Subscribe, default(Empty), handles, timeoutMs));
    }

    /// <summary>The sockets whose readiness changed since the last call (at most `max`), with their
    /// readiness now; `more` when others wait. Empty (and LastFailure set) if the call failed.</summary>
    public SocketEvent[] PollEvents(int max, out bool more)
    {
        var batch = Value(client.Call(SocketRequests.PollEvents, max, timeoutMs), new EventBatch([], false));
        more = batch.More;
        return batch.Events;
    }

    /// <summary>Drops every socket the server holds and its readiness subscription (ResetClient): the
    /// number dropped, or -EIO.</summary>
    public long ResetClient() => Result(client.Call(SocketRequests.ResetClient, default(Empty), timeoutMs));

    /// <summary>The server instance's number (positive), or -EIO when the call failed.</summary>
    public long Instance() => Result(client.Call(SocketRequests.Instance, default(Empty), timeoutMs));

    /// <summary>Asks for the socket data window at `address` (page aligned): the layout, Result &lt; 0 if refused.</summary>
    public SocketWindowLayout MapWindow(long address) =>
        Value(client.Call(SocketRequests.MapWindow, address, timeoutMs), new SocketWindowLayout(-LinuxErrno.EIO, 0, 0, 0));

    /// <summary>Sends `count` bytes at `offset` of window slot `slot`: the bytes accepted, or -errno.</summary>
    public long SendFromWindow(ulong windowId, long id, int slot, int offset, int count, uint address = 0, int port = 0) =>
        Result(client.Call(SocketRequests.SendFromWindow, new WindowSend(windowId, id, slot, offset, count, address, port), timeoutMs));

    /// <summary>Receives at most `max` bytes into window slot `slot` at `offset`: the count (0 at end of file), or -errno.</summary>
    public WindowReceiveReply ReceiveToWindow(ulong windowId, long id, int slot, int offset, int max, int flags = 0) =>
        Value(client.Call(SocketRequests.ReceiveToWindow, new WindowReceive(windowId, id, slot, offset, max, flags), timeoutMs),
            new WindowReceiveReply(-LinuxErrno.EIO, 0, 0, -1));

    /// <summary>The server's counters ("name value" lines), or null (LastFailure says why).</summary>
    public string? Counters()
    {
        var call = client.Call(SocketRequests.NetCounters, default(Empty), timeoutMs);
        return Value(call, "") is { Length: > 0 } text ? text : null;
    }

    private long AddressCall(RequestType<SocketArgument, AddressReply> type, long id, out uint address, out int port)
    {
        var reply = Value(client.Call(type, new SocketArgument(id, 0), timeoutMs), new AddressReply(-LinuxErrno.EIO, 0, 0));
        address = (uint)reply.Address;
        port = (int)reply.Port;
        return reply.Result;
    }

    private long Result(CallResult<long> call) => Value(call, -LinuxErrno.EIO);

    private T Value<T>(CallResult<T> call, T failed)
    {
        if (call.IsOk)
        {
            LastFailure = null;
            return call.Value!;
        }
        LastFailure = call.ToString();
        return failed;
    }
}
