// One worker thread of posix's personality endpoint: receive a forwarded call, serve it, reply,
// receive the next (ipc_reply_recv). posix runs several workers on the endpoint so that a call that
// blocks inside posix (epoll_wait, a blocking accept) holds one worker while the others serve other
// processes. Guarantees: every received message gets exactly one reply (a malformed one -EINVAL with
// a log line); a reply the kernel refuses because the caller gave up (ESRCH) is dropped quietly;
// the loop ends only when the endpoint is gone.
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

public sealed class ForwardedCallWorker(Personality posix, IForwardedCallEndpoint endpoint) : IWaitCancellation
{
    public const long EndpointGone = -Errno.EBADF;

    /// <summary>The caller of the call being served gave up (asked of the kernel; cheap).</summary>
    public bool IsCancelled => !endpoint.CallerStillWaits();

    /// <summary>Serves until the endpoint is gone; returns the error that ended the loop.</summary>
    public long Run()
    {
        long status = endpoint.Receive(out ulong label, out ulong badge, out var payload);
        while (true)
        {
            if (status == -Errno.EINTR || status == -Errno.ETIMEDOUT || status == -Errno.EAGAIN)
            {
                status = endpoint.Receive(out label, out badge, out payload);
                continue;
            }
            if (status < 0) return status;
            long result = Serve(label, badge, payload);
            status = endpoint.ReplyReceive(result, out label, out badge, out payload);
            if (status == -Errno.ESRCH)   // the caller gave up: its late reply is discarded; receive again
                status = endpoint.Receive(out label, out badge, out payload);
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
