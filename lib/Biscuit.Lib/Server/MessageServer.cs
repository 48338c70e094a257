// The server loop every Biscuit server runs (issue 4 item 2): receive, decode, admit, dispatch to
// the handler registered for the request type, encode, reply_recv. Guarantees:
//  * every request that reaches a worker gets exactly one reply, Ok or an error status with a
//    message: a malformed message, an unknown request type, a wrong version, a refused admission,
//    a too-large response or a throwing handler never stop the loop (a throwing handler also
//    writes one log line);
//  * a request starts only after admission control reserved its MAXLIVE budget (AdmissionControl);
//  * Stats (StandardRequests.Stats) is always registered and reports GcTelemetry, RequestCounters,
//    the admission counters and RequestGc (the GC pause that fell inside each request, from its
//    arrival to its reply; posix's forwarded-call workers add theirs through RequestGcWatch);
//  * Shrink (StandardRequests.Shrink) is always registered: it runs the callbacks registered with
//    RegisterShrinkCallback, then a full compacting collection (Shrinker.cs);
//  * Incarnation (StandardRequests.Incarnation) is always registered: init's account of this
//    server's restarts, kept and reported in every Stats reply (Telemetry/Incarnation.cs).
// Run(transport) is one worker: call it from as many threads as the server wants concurrent
// requests, each with its own transport on the same endpoint. Register every handler before the
// first Run; the handler table is read-only afterwards, so workers share it without a lock.
using Biscuit.Annotations;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Telemetry;
using MessagePack;

namespace Biscuit.Lib.Server;

public sealed class MessageServer
{
    private readonly Dictionary<uint, HandlerEntry> handlers = [];   // written before the first Run, then read-only
    private readonly ServerOptions options;
    private volatile bool running;                                      // set by the first Run: registration closes

    public MessageServer(ServerOptions options)
    {
        this.options = options;
        Admission = new AdmissionControl(options.HeapGauge, options.AdmissionQueueCapacity, options.AdmissionMaxWait, options.HeadroomForSmallRequestsBytes);
        Shrinker = new Shrinker(options.Log);
        Register(StandardRequests.Stats, (ref RequestContext _, Empty _) => CollectStats());
        Register(StandardRequests.Shrink, (ref RequestContext _, Empty _) => Shrinker.ShrinkNow());
        Register(StandardRequests.Incarnation, (ref RequestContext _, Incarnation told) => { History = told; return default(Empty); });
    }

    public string Name => options.Name;
    public RequestCounters Counters { get; } = new();
    public AdmissionControl Admission { get; }
    public GcTelemetry Telemetry { get; } = new();
    public RequestGcMeter RequestGc { get; } = new();
    public Shrinker Shrinker { get; }
    /// <summary>This server's restart history as init last told it (First until then). Written by the
    /// worker serving Incarnation, read by Stats: a reference swap, no lock needed.</summary>
    public Incarnation History { get => history; private set => history = value; }
    private volatile Incarnation history = Incarnation.First;

    /// <summary>What this server can drop when asked to Shrink (a cache): `drop` lets it go and returns
    /// the bytes dropped. It runs on a request worker: it must take the locks its data needs.</summary>
    public void RegisterShrinkCallback(string name, Func<long> drop) => Shrinker.Register(name, drop);

    public void Register<TRequest, TResponse>(RequestType<TRequest, TResponse> type, Func<TRequest, TResponse> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Register(type, (ref RequestContext _, TRequest request) => handler(request));
    }

    public void Register<TRequest, TResponse>(RequestType<TRequest, TResponse> type, RequestHandler<TRequest, TResponse> handler)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(handler);
        if (running) throw new InvalidOperationException("register every handler before the server loop runs");
        if (!handlers.TryAdd(type.Id, new HandlerEntry<TRequest, TResponse>(type, BudgetOf(type), handler)))
            throw new InvalidOperationException($"request id {type.Id} is registered twice ({handlers[type.Id].Type.Name} and {type.Name})");
    }

    /// <summary>The admission budget a request type was given (for tests and diagnostics).</summary>
    public long BudgetOf(RequestTypeInfo type)
    {
        if (options.Budgets is null) return 0;
        return options.Budgets.TryGetValue(type.Name, out long bytes) ? bytes + options.MessageOverheadBytes : options.UnlistedBudgetBytes;
    }

    /// <summary>One worker's loop. Returns only when the transport fails for good (BadHandle: the
    /// endpoint is gone or this server was killed) or with an error it cannot reply past.</summary>
    public KernelError Run(IServerTransport transport)
    {
        running = true;
        var output = new MessageBuilder();
        var input = new byte[IpcBuffer.MaxPayload];
        KernelError error = transport.Receive(Syscalls.Forever);
        bool fromReply = false;        // `error` came from a ReplyReceive, whose reply half may have failed
        bool replacedReply = false;    // the refused reply was already replaced by an error reply once
        while (true)
        {
            if (error == KernelError.None)
            {
                RequestGcMark gcMark = RequestGc.Begin();
                Serve(transport.Buffer, input, output);
                RequestGc.End(gcMark);
                Telemetry.Sample();
                error = transport.ReplyReceive(Syscalls.Forever);
                fromReply = true;
                replacedReply = false;
                continue;
            }
            if (fromReply && !replacedReply && error is KernelError.MessageTooLong or KernelError.InvalidArgument or KernelError.NotPermitted)
            {
                // The kernel refused our reply (a handle the handler attached lacks Transfer, say) and
                // we still owe one: answer with an error reply without handles instead.
                options.Log($"{Name}: reply refused by the kernel ({error.Symbol()}); answering with an error instead");
                WriteError(transport.Buffer, output, ReplyStatus.HandlerFailed, $"reply refused by the kernel: {error.Symbol()}");
                replacedReply = true;
                error = transport.ReplyReceive(Syscalls.Forever);
                continue;
            }
            fromReply = false;
            if (error is KernelError.TimedOut or KernelError.WouldBlock or KernelError.Interrupted)
            {
                error = transport.Receive(Syscalls.Forever);
                continue;
            }
            return error;
        }
    }

    /// <summary>Turns the request in `buffer` into the reply in `buffer`. Never throws for bad input.</summary>
    internal void Serve(IpcBuffer buffer, byte[] input, MessageBuilder output)
    {
        Counters.CountReceived();
        if (!buffer.HeaderIsValid)
        {
            Counters.CountMalformed();
            WriteError(buffer, output, ReplyStatus.Malformed, $"header out of range: length {buffer.Length}, {buffer.HandleCount} handles");
            return;
        }
        var payload = buffer.PayloadSpan;
        payload.CopyTo(input);
        var memory = new ReadOnlyMemory<byte>(input, 0, payload.Length);
        if (!Envelope.TryOpen(memory, buffer.Label, out uint code, out MessagePackReader body, out ReplyStatus status, out string reason))
        {
            Counters.CountMalformed();
            WriteError(buffer, output, status, reason);
            return;
        }
        if (!handlers.TryGetValue(code, out HandlerEntry? entry))
        {
            Counters.CountUnknown();
            WriteError(buffer, output, ReplyStatus.UnknownRequest, $"{Name} has no handler for request type {code}");
            return;
        }

        var context = new RequestContext(entry.Type, buffer);
        AdmissionOutcome admission = Admission.Admit(entry.BudgetBytes);
        if (!AdmissionControl.IsAdmitted(admission))
        {
            WriteError(buffer, output, ReplyStatus.Busy,
                $"{Name} busy: {entry.Type.Name} needs {entry.BudgetBytes} bytes of heap ({admission})");
            return;
        }
        DispatchResult result;
        string failure;
        long allocatedBefore = options.MeasureAllocations ? GC.GetAllocatedBytesForCurrentThread() : 0;
        try
        {
            result = entry.Dispatch(ref context, ref body, output, out failure);
        }
        finally
        {
            Admission.Release(entry.BudgetBytes, admission);
        }
        if (options.MeasureAllocations)
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore, seen;
            while (allocated > (seen = Volatile.Read(ref entry.MaxObservedBytes))
                   && Interlocked.CompareExchange(ref entry.MaxObservedBytes, allocated, seen) != seen) { }
        }

        switch (result)
        {
            case DispatchResult.Ok:
                Counters.CountOk();
                buffer.SetMessage((uint)ReplyStatus.Ok, output.WrittenSpan);
                context.ReplyHandles.WriteTo(buffer);
                return;
            case DispatchResult.Malformed:
                Counters.CountMalformed();
                WriteError(buffer, output, ReplyStatus.Malformed, failure);
                return;
            case DispatchResult.ReplyTooLarge:
                Counters.CountReplyTooLarge();
                WriteError(buffer, output, ReplyStatus.ReplyTooLarge, failure);
                return;
            default:
                Counters.CountHandlerFailed();
                options.Log($"{Name}: {OneLine(failure)}");
                WriteError(buffer, output, ReplyStatus.HandlerFailed, failure);
                return;
        }
    }

    private static void WriteError(IpcBuffer buffer, MessageBuilder output, ReplyStatus status, string message)
    {
        Envelope.EncodeError(output, status, message);
        buffer.SetMessage((uint)status, output.WrittenSpan);
    }

    private static string OneLine(string text) => text.Replace('\n', ' ').Replace('\r', ' ');

    /// <summary>The Stats reply: this server's GC, request and admission figures now.</summary>
    [RequestHandler("Stats")]
    public StatsReport CollectStats()
    {
        GcFigures gc = Telemetry.Snapshot(options.HeapGauge);
        RequestGcFigures inRequests = RequestGc.Snapshot();
        return new StatsReport
        {
            Server = Name,
            UptimeMs = (long)gc.Uptime.TotalMilliseconds,
            Gen0Collections = gc.Gen0Collections,
            Gen1Collections = gc.Gen1Collections,
            Gen2Collections = gc.Gen2Collections,
            TotalPauseNs = gc.TotalPause.Ticks * 100,
            MaxPauseNs = gc.MaxPause.Ticks * 100,
            HistogramUpperBoundsNs = (long[])PauseHistogram.UpperBoundsNs.Clone(),
            HistogramCounts = gc.PauseHistogram,
            SampledGcs = gc.SampledGcs,
            UnsampledGcs = gc.UnsampledGcs,
            HeapSizeBytes = gc.HeapSizeBytes,
            HeapLimitBytes = gc.HeapLimitBytes,
            LiveBytesAfterLastGc = gc.LiveBytesAfterLastGc,
            CommittedBytes = gc.CommittedBytes,
            TotalAllocatedBytes = gc.TotalAllocatedBytes,
            TimeInGcFraction = gc.TimeInGcFraction,
            RequestsReceived = Counters.Received,
            RequestsOk = Counters.Ok,
            RequestsMalformed = Counters.Malformed,
            RequestsUnknown = Counters.Unknown,
            HandlerFailures = Counters.HandlerFailed,
            RepliesTooLarge = Counters.ReplyTooLarge,
            Admitted = Admission.Admitted,
            Queued = Admission.Queued,
            Refused = Admission.Refused,
            ReservedBytes = Admission.ReservedBytes,
            AdmissionCollections = Admission.Collections,
            AllocationRequests = options.MeasureAllocations ? handlers.Values.Select(h => h.Type.Name).ToArray() : [],
            AllocationBudgets = options.MeasureAllocations ? handlers.Values.Select(h => h.BudgetBytes).ToArray() : [],
            AllocationObservedMax = options.MeasureAllocations ? handlers.Values.Select(h => Volatile.Read(ref h.MaxObservedBytes)).ToArray() : [],
            RequestsMeasuredForGc = inRequests.RequestsMeasured,
            RequestsWithGc = inRequests.RequestsWithGc,
            RequestPauseSumNs = inRequests.PauseSumNs,
            RequestPauseMaxNs = inRequests.MaxPauseNs,
            RequestPauseHistogramCounts = inRequests.Histogram,
            History = History,
        };
    }
}
