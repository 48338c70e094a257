// An in-memory stand-in for a kernel endpoint, for host tests of clients and server loops. It keeps
// the kernel's rendezvous semantics (microkernel/Kernel/Ipc/Endpoint.cs):
//  * a call made while a server thread waits in receive is handed to that thread at once (the
//    oldest waiting receiver); otherwise it waits in a FIFO of senders. Either way it then waits for
//    its reply; its timeout covers the whole call;
//  * a receive takes the oldest queued call, or waits; the server thread then owes exactly one
//    reply; receiving again without replying fails that caller with ECANCELED;
//  * the message is copied buffer to buffer (label, length, handles, payload), the receiver's badge
//    set from the caller's capability, as MessageTransfer.Copy does; a header over the limits is
//    refused to its sender (EMSGSIZE / EINVAL) and nothing moves;
//  * ServerDied() is the server process's death: every queued caller and every caller handed to one
//    of its threads fails with EOWNERDEAD; the dead threads' transports answer EBADF from then on;
//    the endpoint survives, later calls queue until a restarted server (a transport made after the
//    death) receives;
//  * Close() is the last handle going: queued callers and waiting receivers fail with EBADF.
// Handles in messages are copied as numbers (there is no handle table here).
// Locking: one monitor (`Gate`) guards every field of the endpoint, of its pending calls and of its
// server transports; waits are Monitor.Wait on it, wake-ups PulseAll.
using System.Diagnostics;
using Biscuit.Lib.Kernel;

namespace Biscuit.Lib.Ipc;

public sealed class InMemoryEndpoint
{
    internal readonly object Gate = new();
    private readonly LinkedList<PendingCall> senders = new();                  // guarded by Gate: calls no server has taken, oldest first
    private readonly LinkedList<InMemoryServerTransport> receivers = new();    // guarded by Gate: server threads waiting in receive, oldest first
    private readonly List<PendingCall> inService = [];                          // guarded by Gate: calls handed to a server thread, not yet answered
    private int serverGeneration;                                                // guarded by Gate: bumped by each ServerDied
    private bool closed;                                                         // guarded by Gate

    public InMemoryClientTransport CreateClient(ulong badge = 0) => new(this, badge);

    /// <summary>A transport for one thread of the current (live) server process.</summary>
    public InMemoryServerTransport CreateServer()
    {
        lock (Gate) return new InMemoryServerTransport(this, serverGeneration);
    }

    /// <summary>The server process died: its callers get EOWNERDEAD, its transports EBADF.</summary>
    public void ServerDied()
    {
        lock (Gate)
        {
            serverGeneration++;
            foreach (var call in inService.ToArray()) call.Finish(KernelError.OwnerDead);
            inService.Clear();
            FailQueuedCallers(KernelError.OwnerDead);
            receivers.Clear();   // every waiting receiver belonged to the dead process
            Monitor.PulseAll(Gate);
        }
    }

    /// <summary>The last handle closed: queued callers and waiting receivers fail with EBADF.</summary>
    public void Close()
    {
        lock (Gate)
        {
            closed = true;
            FailQueuedCallers(KernelError.BadHandle);
            receivers.Clear();
            Monitor.PulseAll(Gate);
        }
    }

    /// <summary>Calls queued and not yet received (for tests that wait for a state, not a time).</summary>
    public int QueuedCalls
    {
        get { lock (Gate) return senders.Count; }
    }

    /// <summary>Server threads waiting in receive (for tests that wait for a state, not a time).</summary>
    public int WaitingReceivers
    {
        get { lock (Gate) return receivers.Count; }
    }

    internal static KernelError Validate(IpcBuffer message)
    {
        if (message.Length > IpcBuffer.MaxPayload) return KernelError.MessageTooLong;
        if (message.HandleCount > IpcBuffer.MaxHandles) return KernelError.InvalidArgument;
        return KernelError.None;
    }

    // Gate held.
    private void FailQueuedCallers(KernelError error)
    {
        while (senders.First is { } node)
        {
            senders.RemoveFirst();
            node.Value.Finish(error);
        }
    }

    // Gate held: copy the call to the server thread, which now owes it a reply.
    private void HandOver(PendingCall call, InMemoryServerTransport server)
    {
        server.Buffer.CopyMessageFrom(call.Client.Buffer, call.Client.Badge);
        call.TakenBy(server);
        inService.Add(call);
    }

    // Gate held. The call's whole life (hand-over or queue, then reply) is bounded by the timeout.
    internal KernelError Call(PendingCall call, ulong timeoutMs)
    {
        if (closed) return KernelError.BadHandle;
        call.Begin();
        if (receivers.First is { } waiting)
        {
            receivers.RemoveFirst();
            HandOver(call, waiting.Value);
            waiting.Value.Delivered = call;
        }
        else senders.AddLast(call.Node);
        Monitor.PulseAll(Gate);
        long deadline = Deadline.After(timeoutMs);
        while (call.State != CallState.Done)
        {
            if (Deadline.Wait(Gate, deadline)) continue;
            if (call.State == CallState.Queued) senders.Remove(call.Node);
            else if (call.State == CallState.InService) inService.Remove(call);   // Finish makes the server forget it: its reply is dropped
            call.Finish(KernelError.TimedOut);
        }
        return call.Outcome;
    }

    // Gate held, by a server transport of generation `generation`.
    internal KernelError Receive(InMemoryServerTransport server, int generation, ulong timeoutMs, out PendingCall? taken)
    {
        taken = null;
        long deadline = Deadline.After(timeoutMs);
        try
        {
            while (true)
            {
                if (closed || generation != serverGeneration) return KernelError.BadHandle;
                if (server.Delivered is { } delivered)
                {
                    server.Delivered = null;
                    taken = delivered;
                    return KernelError.None;
                }
                if (senders.First is { } node)
                {
                    senders.RemoveFirst();
                    HandOver(node.Value, server);
                    taken = node.Value;
                    return KernelError.None;
                }
                if (timeoutMs == Syscalls.NoWait) return KernelError.WouldBlock;
                if (server.ReceiverNode.List is null) receivers.AddLast(server.ReceiverNode);
                if (!Deadline.Wait(Gate, deadline)) return KernelError.TimedOut;
            }
        }
        finally
        {
            if (server.ReceiverNode.List is not null) receivers.Remove(server.ReceiverNode);
        }
    }

    // Gate held: the server's buffer goes back to the caller as its reply.
    internal void Answer(PendingCall call, IpcBuffer reply)
    {
        inService.Remove(call);
        call.Client.Buffer.CopyMessageFrom(reply, 0);
        call.Finish(KernelError.None);
        Monitor.PulseAll(Gate);
    }

    // Gate held: the server received again without replying.
    internal void Cancel(PendingCall call)
    {
        inService.Remove(call);
        call.Finish(KernelError.Canceled);
        Monitor.PulseAll(Gate);
    }

    internal bool IsLive(int generation) => !closed && generation == serverGeneration;
}

/// <summary>Monitor waits against an absolute deadline (Stopwatch ticks; long.MaxValue = forever).</summary>
internal static class Deadline
{
    public static long After(ulong timeoutMs) =>
        timeoutMs == Syscalls.Forever || timeoutMs > (ulong)TimeSpan.FromDays(30).TotalMilliseconds
            ? long.MaxValue
            : Stopwatch.GetTimestamp() + (long)timeoutMs * Stopwatch.Frequency / 1000;

    /// <summary>Waits on `gate` (held) until pulsed or the deadline. False, without waiting, once the
    /// deadline has passed; true after a wake-up or a partial wait (the caller re-checks its condition).</summary>
    public static bool Wait(object gate, long deadline)
    {
        if (deadline == long.MaxValue)
        {
            Monitor.Wait(gate);
            return true;
        }
        long left = deadline - Stopwatch.GetTimestamp();
        if (left <= 0) return false;
        int ms = (int)Math.Min(int.MaxValue, Math.Max(1, left * 1000 / Stopwatch.Frequency));
        Monitor.Wait(gate, ms);
        return true;
    }
}
