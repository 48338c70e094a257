// One registered request type: its handler, its admission budget, and the typed work of serving it
// (decode the body, run the handler, encode the response). The generic subclass keeps request and
// response types statically known, so nothing is resolved by reflection (NativeAOT-safe).
using Biscuit.Lib.Messages;
using MessagePack;

namespace Biscuit.Lib.Server;

internal enum DispatchResult { Ok, Malformed, HandlerFailed, ReplyTooLarge }

internal abstract class HandlerEntry(RequestTypeInfo type, long budgetBytes)
{
    public RequestTypeInfo Type { get; } = type;
    public long BudgetBytes { get; } = budgetBytes;

    // The most bytes one request of this type allocated (ServerOptions.MeasureAllocations);
    // updated with Interlocked by the workers.
    public long MaxObservedBytes;

    /// <summary>Decodes the body, runs the handler, and encodes the Ok reply envelope into `output`.
    /// Otherwise returns what went wrong with its text in `failure`: exceptions from the handler or
    /// the response codec are caught and returned as HandlerFailed.</summary>
    public abstract DispatchResult Dispatch(ref RequestContext context, ref MessagePackReader body, MessageBuilder output, out string failure);
}

internal sealed class HandlerEntry<TRequest, TResponse>(RequestType<TRequest, TResponse> type, long budgetBytes,
    RequestHandler<TRequest, TResponse> handler) : HandlerEntry(type, budgetBytes)
{
    public override DispatchResult Dispatch(ref RequestContext context, ref MessagePackReader body, MessageBuilder output, out string failure)
    {
        if (!Envelope.TryReadBody(ref body, type.RequestCodec, out TRequest request, out string reason))
        {
            failure = $"{type.Name}: {reason}";
            return DispatchResult.Malformed;
        }
        TResponse response;
        try
        {
            response = handler(ref context, request);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            failure = $"{type.Name}: handler threw {e.GetType().Name}: {e.Message}";
            return DispatchResult.HandlerFailed;
        }
        try
        {
            if (Envelope.TryEncode(output, (uint)ReplyStatus.Ok, type.ResponseCodec, response, out string? tooLarge))
            {
                failure = "";
                return DispatchResult.Ok;
            }
            failure = $"{type.Name}: {tooLarge}";
            return DispatchResult.ReplyTooLarge;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            failure = $"{type.Name}: encoding the response threw {e.GetType().Name}: {e.Message}";
            return DispatchResult.HandlerFailed;
        }
    }
}
