// What a FileServiceClient call returns: the value, or a Linux errno with a message. Failures of
// the call itself (lib's CallResult) become errnos too, so that the posix server has one thing to
// return to an application:
//   the request does not fit in one message (only paths can make it so)   ENAMETOOLONG
//   the server refused it for lack of heap (admission control's Busy)      ENOMEM
//   the server could not decode it, or we could not decode the reply       EPROTO
//   the server does not know the request                                   EOPNOTSUPP
//   timeout, dead server (non-idempotent request), handler crash, others   EIO
using Biscuit.Lib.Client;
using Biscuit.Lib.Messages;

namespace Biscuit.Fs.Protocol;

/// <param name="ServerDied">the server died before answering a request that is not idempotent (Errno
/// is EIO): it may or may not have acted on it, and the caller decides whether to send it again.</param>
public readonly record struct FsResult<T>(int Errno, string? Message, T? Value, bool ServerDied = false)
{
    public bool IsOk => Errno == Protocol.Errno.None;

    public static FsResult<T> Ok(T value) => new(Protocol.Errno.None, null, value);

    public static FsResult<T> Fail(int errno, string message) => new(errno, message, default);

    public override string ToString() => IsOk ? $"Ok({Value})" : $"{Protocol.Errno.Name(Errno)}: {Message}";

    internal static FsResult<T> From(CallResult<FsReply<T>> call)
    {
        if (call.IsOk)
        {
            var reply = call.Value;
            return reply.IsOk ? Ok(reply.Value!) : Fail(reply.Errno, reply.Message ?? "");
        }
        return Fail(ErrnoOf(call), call.ToString()) with { ServerDied = call.Outcome == CallOutcome.ServerDied };
    }

    internal static int ErrnoOf<TAny>(CallResult<TAny> call) => call.Outcome switch
    {
        CallOutcome.RequestTooLarge => Protocol.Errno.ENAMETOOLONG,
        CallOutcome.BadReply => Protocol.Errno.EPROTO,
        CallOutcome.ServerError => call.Status switch
        {
            ReplyStatus.Busy => Protocol.Errno.ENOMEM,
            ReplyStatus.Malformed or ReplyStatus.VersionMismatch => Protocol.Errno.EPROTO,
            ReplyStatus.UnknownRequest => Protocol.Errno.EOPNOTSUPP,
            _ => Protocol.Errno.EIO,
        },
        _ => Protocol.Errno.EIO,
    };
}
