// Counts of what the server loop did with the requests it received, for Stats. Every field is
// updated with Interlocked by the worker that handled the request and read without a lock (each
// figure is exact on its own; a Stats reply taken while requests run may see them a request apart).
namespace Biscuit.Lib.Server;

public sealed class RequestCounters
{
    private long received, ok, malformed, unknown, handlerFailed, replyTooLarge;

    public long Received => Interlocked.Read(ref received);
    public long Ok => Interlocked.Read(ref ok);
    public long Malformed => Interlocked.Read(ref malformed);
    public long Unknown => Interlocked.Read(ref unknown);
    public long HandlerFailed => Interlocked.Read(ref handlerFailed);
    public long ReplyTooLarge => Interlocked.Read(ref replyTooLarge);

    internal void CountReceived() => Interlocked.Increment(ref received);
    internal void CountOk() => Interlocked.Increment(ref ok);
    internal void CountMalformed() => Interlocked.Increment(ref malformed);
    internal void CountUnknown() => Interlocked.Increment(ref unknown);
    internal void CountHandlerFailed() => Interlocked.Increment(ref handlerFailed);
    internal void CountReplyTooLarge() => Interlocked.Increment(ref replyTooLarge);
}
