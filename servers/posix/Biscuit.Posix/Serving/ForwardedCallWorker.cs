// One worker thread of posix's personality endpoint: receive a forwarded call, serve it, reply,
// receive the next (ipc_reply_recv). posix runs several workers on the endpoint so that a call that
// blocks inside posix (epoll_wait, a blocking accept) holds one worker while the others serve other
// processes. Guarantees: every received message gets exactly one reply (a malformed one -EINVAL with
// a log line); a reply the kernel refuses (the caller gave up: ESRCH) is followed by a fresh receive;
// the loop ends only when the endpoint is gone. An optional meter is told when each call arrives and
// when its result is ready (posix-server: the GC pause that fell inside the call, lib's RequestGcMeter).
using Biscuit.Posix.Events;

namespace Biscuit.Posix;

/// <summary>The worker's side of the personality endpoint (kernel IPC on Biscuit, in memory in tests).</summary>
public interface IForwardedCallEndpoint
{
    /// <summary>Waits for the next message: 0, or a negative errno (EBADF: the endpoint is gone).</summary>
    long Receive(out ulong label, out ulong badge, out ReadOnlySpan<byte> payload);

    /// <summary>Replies `result` to the last message received and waits for the next one.</summary>
    long ReplyReceive(long result, out ulong label, out ulong badge, out ReadOnlySpan<byte> payload);

    /// <summary>ipc_reply_pending: whether the caller of the message being served still waits.</summary>
    bool CallerStillWaits();
}

/// <summary>Told, on the worker's thread, when a forwarded call arrives and when its result is ready.</summary>
public interface IServedCallMeter
{
    void Started();
    void Finished();
}

public sealed class ForwardedCallWorker(Personality posix, IForwardedCallEndpoint endpoint, IServedCallMeter? meter = null) : IWaitCancellation
{
    public const long EndpointGone = -Errno.EBADF;

    /// <summary>The caller of the call being served gave up (asked of the kernel; cheap).</summary>
    public bool IsCancelled => !endpoint.CallerStillWaits();

    /// <summary>Consecutive failed receives after which the worker gives up (a kernel that fails every receive).</summary>
    public const int MaxConsecutiveFailures = 1000;

    /// <summary>Serves until the endpoint is gone (EBADF, EPERM); returns the error that ended the loop.
    /// Any other failure (a reply the kernel refused, an interrupted receive) is followed by a fresh receive.</summary>
    public long Run()
    {
        long status = endpoint.Receive(out ulong label, out ulong badge, out var payload);
        int failures = 0;
        while (true)
        {
            if (status < 0)
            {
                if (status is -Errno.EBADF or -Errno.EPERM || ++failures > MaxConsecutiveFailures) return status;
                status = endpoint.Receive(out label, out badge, out payload);
                continue;
            }
            failures = 0;
            meter?.Started();
            long result = Serve(label, badge, payload);
            meter?.Finished();
            status = endpoint.ReplyReceive(result, out label, out badge, out payload);
        }
    }

    /// <summary>One message to its result. Never throws.</summary>
    public long Serve(ulong label, ulong badge, ReadOnlySpan<byte> payload)
    {
        if (!ForwardedCall.TryDecode(label, badge, payload, out var call, out string problem))
        {
            posix.Services.Log($"posix: malformed forwarded call from badge {badge}: {problem}");
            return -Errno.EINVAL;
        }
        return posix.Handle(call.Badge, call.Number, call.Arguments, call.ThreadId, this);
    }
}
