// The client side of a server's protocol: typed calls with a timeout over an IClientTransport.
// Retry rule (DESIGN.md §7): when the server dies before replying (EOWNERDEAD) the call is resent
// if, and only if, its request type is idempotent, at most MaxRetries times, within the caller's
// one timeout; the endpoint survives the death, so the resent call waits until the restarted
// server receives. A non-idempotent request whose server died is reported as an I/O error (EIO):
// the server may or may not have acted on it, and only the caller can decide what to do.
// One ServiceClient per calling thread (the transport's buffer is the thread's).
using System.Diagnostics;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;
using MessagePack;

namespace Biscuit.Lib.Client;

public sealed class ServiceClient(IClientTransport transport, int maxRetries = 3)
{
    private readonly MessageBuilder output = new();                    // owner: the calling thread
    private readonly byte[] input = new byte[IpcBuffer.MaxPayload];    // owner: the calling thread

    public int MaxRetries { get; } = maxRetries >= 0 ? maxRetries : throw new ArgumentOutOfRangeException(nameof(maxRetries));

    public CallResult<TResponse> Call<TRequest, TResponse>(RequestType<TRequest, TResponse> type, TRequest request, ulong timeoutMs) =>
        Call(type, request, default, timeoutMs);

    /// <summary>A call that passes `handles` (each needs the Transfer right) with the request. They are
    /// passed again on a retry: on Biscuit passing copies a capability, the sender keeps its own.</summary>
    public CallResult<TResponse> Call<TRequest, TResponse>(RequestType<TRequest, TResponse> type, TRequest request, HandleList handles, ulong timeoutMs)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (!Envelope.TryEncode(output, type.Id, type.RequestCodec, request, out string? tooLarge))
            return new CallResult<TResponse> { Outcome = CallOutcome.RequestTooLarge, Message = tooLarge };

        long start = Stopwatch.GetTimestamp();
        int retries = 0;
        while (true)
        {
            if (!RemainingTimeout(timeoutMs, start, out ulong attemptTimeout))
                return new CallResult<TResponse> { Outcome = CallOutcome.TransportFailed, Error = KernelError.TimedOut, Retries = retries };
            IpcBuffer buffer = transport.Buffer;
            buffer.SetMessage(type.Id, output.WrittenSpan);
            handles.WriteTo(buffer);
            KernelError error = transport.Call(attemptTimeout);
            if (error == KernelError.OwnerDead)
            {
                if (type.Idempotent && retries < MaxRetries)
                {
                    retries++;
                    continue;
                }
                return new CallResult<TResponse>
                {
                    Outcome = type.Idempotent ? CallOutcome.TransportFailed : CallOutcome.ServerDied,
                    Error = type.Idempotent ? KernelError.OwnerDead : KernelError.IoError,
                    Message = type.Idempotent
                        ? $"server died {retries + 1} times; gave up after {retries} retries"
                        : $"server died before replying to {type.Name}, which is not idempotent: not retried",
                    Retries = retries,
                };
            }
            if (error != KernelError.None)
                return new CallResult<TResponse> { Outcome = CallOutcome.TransportFailed, Error = error, Retries = retries };
            return DecodeReply(type, transport.Buffer, retries);
        }
    }

    private CallResult<TResponse> DecodeReply<TRequest, TResponse>(RequestType<TRequest, TResponse> type, IpcBuffer reply, int retries)
    {
        if (!reply.HeaderIsValid)
            return new CallResult<TResponse> { Outcome = CallOutcome.BadReply, Message = "reply header out of range", Retries = retries };
        var payload = reply.PayloadSpan;
        payload.CopyTo(input);
        var memory = new ReadOnlyMemory<byte>(input, 0, payload.Length);
        if (!Envelope.TryOpen(memory, reply.Label, out uint code, out MessagePackReader body, out _, out string reason))
            return new CallResult<TResponse> { Outcome = CallOutcome.BadReply, Message = "reply: " + reason, Retries = retries };
        var status = (ReplyStatus)code;
        if (status != ReplyStatus.Ok)
        {
            string message = Envelope.TryReadBody(ref body, Codecs.String, out string text, out string why) ? text : "(undecodable error text: " + why + ")";
            return new CallResult<TResponse> { Outcome = CallOutcome.ServerError, Status = status, Message = message, Retries = retries };
        }
        if (!Envelope.TryReadBody(ref body, type.ResponseCodec, out TResponse value, out reason))
            return new CallResult<TResponse> { Outcome = CallOutcome.BadReply, Message = $"{type.Name} reply: {reason}", Retries = retries };
        return new CallResult<TResponse>
        {
            Outcome = CallOutcome.Ok, Value = value, Status = ReplyStatus.Ok, Handles = HandleList.FromMessage(reply), Retries = retries,
        };
    }

    // The caller's timeout covers every attempt. False once it has run out.
    private static bool RemainingTimeout(ulong timeoutMs, long start, out ulong remaining)
    {
        remaining = timeoutMs;
        if (timeoutMs == Syscalls.Forever) return true;
        ulong spent = (ulong)Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (spent >= timeoutMs && timeoutMs != 0) return false;
        remaining = timeoutMs == 0 ? 0 : timeoutMs - spent;
        return true;
    }
}
