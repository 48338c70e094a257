// The two ends of an InMemoryEndpoint: a client (a caller thread with its own IPC buffer and the
// badge of its capability) and a server transport (one server thread, its buffer and the one call
// it owes a reply). See InMemoryEndpoint.cs for the semantics; Gate guards every mutable field here.
using Biscuit.Lib.Kernel;

namespace Biscuit.Lib.Ipc;

internal enum CallState { Idle, Queued, InService, Done }

/// <summary>One client's call in flight; a client reuses the same record for every call.</summary>
internal sealed class PendingCall
{
    public readonly InMemoryClientTransport Client;
    public readonly LinkedListNode<PendingCall> Node;
    public CallState State;                    // guarded by Gate
    public KernelError Outcome;                // guarded by Gate; valid once State == Done
    public InMemoryServerTransport? Server;    // guarded by Gate; the thread serving it while InService

    public PendingCall(InMemoryClientTransport client)
    {
        Client = client;
        Node = new LinkedListNode<PendingCall>(this);
    }

    public void Begin()
    {
        State = CallState.Queued;
        Outcome = KernelError.None;
        Server = null;
    }

    public void TakenBy(InMemoryServerTransport server)
    {
        State = CallState.InService;
        Server = server;
    }

    public void Finish(KernelError outcome)
    {
        if (State == CallState.InService) Server?.Forget(this);
        State = CallState.Done;
        Outcome = outcome;
        Server = null;
    }
}

public sealed class InMemoryClientTransport : IClientTransport
{
    private readonly InMemoryEndpoint endpoint;
    private readonly byte[] buffer = new byte[IpcBuffer.Size];   // owner: the calling thread (and the endpoint under Gate during a call)
    private readonly PendingCall call;

    internal InMemoryClientTransport(InMemoryEndpoint endpoint, ulong badge)
    {
        this.endpoint = endpoint;
        Badge = badge;
        call = new PendingCall(this);
    }

    /// <summary>The badge of this client's capability: the server sees it in every request.</summary>
    public ulong Badge { get; }

    public IpcBuffer Buffer => new(buffer);

    public KernelError Call(ulong timeoutMs)
    {
        if (timeoutMs == Syscalls.NoWait) return KernelError.InvalidArgument;   // a call always waits for its reply
        var invalid = InMemoryEndpoint.Validate(Buffer);
        if (invalid != KernelError.None) return invalid;
        lock (endpoint.Gate) return endpoint.Call(call, timeoutMs);
    }
}

public sealed class InMemoryServerTransport : IServerTransport
{
    private readonly InMemoryEndpoint endpoint;
    private readonly int generation;                             // the server process incarnation this thread belongs to
    private readonly byte[] buffer = new byte[IpcBuffer.Size];   // owner: the server thread
    private PendingCall? replyTo;                                // guarded by Gate: the call this thread owes a reply

    internal InMemoryServerTransport(InMemoryEndpoint endpoint, int generation)
    {
        this.endpoint = endpoint;
        this.generation = generation;
        ReceiverNode = new LinkedListNode<InMemoryServerTransport>(this);
    }

    /// <summary>This thread's place in the endpoint's queue of waiting receivers (guarded by Gate).</summary>
    internal LinkedListNode<InMemoryServerTransport> ReceiverNode { get; }

    /// <summary>A call handed to this thread while it waited, not yet picked up by its Receive (guarded by Gate).</summary>
    internal PendingCall? Delivered { get; set; }

    public IpcBuffer Buffer => new(buffer);

    public KernelError Receive(ulong timeoutMs)
    {
        lock (endpoint.Gate)
        {
            if (replyTo is { } owed) endpoint.Cancel(owed);   // receiving again abandons the caller: ECANCELED
            var error = endpoint.Receive(this, generation, timeoutMs, out var taken);
            replyTo = taken;
            return error;
        }
    }

    public KernelError ReplyReceive(ulong timeoutMs)
    {
        lock (endpoint.Gate)
        {
            if (!endpoint.IsLive(generation)) return KernelError.BadHandle;
            if (replyTo is { } owed)
            {
                var invalid = InMemoryEndpoint.Validate(Buffer);
                if (invalid != KernelError.None) return invalid;   // as the kernel: the reply is refused, the caller keeps waiting
                endpoint.Answer(owed, Buffer);
            }
            return Receive(timeoutMs);
        }
    }

    // Gate held: the call this thread served finished without its reply (caller timed out, server
    // died, cancelled): nothing is owed any more, a later reply is dropped as the kernel drops it.
    internal void Forget(PendingCall call)
    {
        if (ReferenceEquals(replyTo, call)) replyTo = null;
        if (ReferenceEquals(Delivered, call)) Delivered = null;
    }
}
