// The one lock around the TCP/IP stack, and what lives under it. The stack, the NIC driver's loop
// and the request handlers run in one process: every touch of the stack, the socket table or the
// readiness queue happens with Gate held. Rules (DESIGN.md §4): nothing under Gate waits for memory
// (admission control reserved the request's budget before the handler took the lock) or for IPC
// (the readiness signal is sent after the lock is released, and it never blocks anyway).
// Loopback: a socket call that sends to a local address only queues the datagram in the stack; the
// event loop delivers it (NetStack.DeliverLoopback), so that frames and loopback datagrams are handled
// alike, outside requests. Wake therefore also wakes the event loop when datagrams wait.
using Biscuit.Annotations;

namespace Biscuit.Net.Service;

public sealed class StackHost
{
    /// <summary>The lock. Held briefly: one stack call, one batch of received frames, one Tick.</summary>
    public readonly object Gate = new();

    private readonly Func<long> clockMs;                 // monotonic milliseconds; read under Gate
    private readonly List<IPollable> changed;            // scratch for TakeReadinessChanges; guarded by Gate
    private IReadinessSignal? subscriber;                // guarded by Gate
    private bool wakePending;                            // a NoteLocked made the queue non-empty; guarded by Gate
    private readonly Action? wakeEventLoop;              // makes the event loop run now (it delivers loopback datagrams)
    private int loopbackWakePending;                     // 1: datagrams were queued; set under Gate, taken by Wake (Interlocked)

    /// <param name="instance">This server instance's number (positive; the program draws it from
    /// getrandom): the Instance request answers it, so a client learns that the server restarted,
    /// and the socket table's generations start from it, so a dead instance's ids stay invalid.</param>
    /// <param name="wakeEventLoop">Called (without Gate) after a call left loopback datagrams queued:
    /// it must make the event loop run DeliverLoopback soon (on Biscuit: a notification bit).</param>
    public StackHost(NetStack stack, Func<long> clockMs, int maxSockets = SocketBudgets.MaxSockets, long instance = 1, Action? wakeEventLoop = null)
    {
        if (instance <= 0) throw new ArgumentOutOfRangeException(nameof(instance), "an instance number is positive");
        this.wakeEventLoop = wakeEventLoop;
        Stack = stack;
        this.clockMs = clockMs;
        Instance = instance;
        Table = new SocketTable(maxSockets, instance & SocketTable.MaxFirstGeneration);
        Events = new ReadinessQueue(maxSockets);
        changed = new List<IPollable>(maxSockets);
    }

    /// <summary>This instance's number (immutable).</summary>
    public long Instance { get; }

    /// <summary>Guarded by Gate.</summary>
    public NetStack Stack { get; }
    /// <summary>Guarded by Gate.</summary>
    public SocketTable Table { get; }
    /// <summary>Guarded by Gate.</summary>
    public ReadinessQueue Events { get; }

    /// <summary>For the event loop (frames from the NIC, timers) and tests: runs `work` on the stack
    /// under the lock, queues the readiness changes it caused, and wakes the subscriber afterwards.</summary>
    public void Run(Action<NetStack> work)
    {
        IReadinessSignal? wake;
        lock (Gate)
        {
            work(Stack);
            wake = PublishLocked();
        }
        Wake(wake);
    }

    /// <summary>For the event loop: delivers the loopback datagrams queued (and those their processing
    /// queues, up to `rounds` rounds), under the lock; returns how many are still waiting.</summary>
    public int DeliverLoopback(int rounds)
    {
        int left = 0;
        Run(s =>
        {
            for (int i = 0; i < rounds && s.LoopbackPending > 0; i++) s.DeliverLoopback();
            left = s.LoopbackPending;
        });
        return left;
    }

    /// <summary>Brings the stack's clock up to now and runs the timers that are due. Gate held.</summary>
    [AssumeAllocation(SocketBudgets.TickBytes)]
    public void TickLocked() => Stack.Tick(clockMs());

    /// <summary>Moves the stack's readiness changes of our sockets into the queue (the stack also
    /// reports sockets that are not in the table, e.g. the built-in echo's: they are skipped).
    /// Returns the subscriber to wake if the queue was empty before, else null. Gate held.</summary>
    [AssumeAllocation(SocketBudgets.PublishBytes)]
    public IReadinessSignal? PublishLocked()
    {
        Stack.TakeReadinessChanges(changed);
        if (Stack.LoopbackPending > 0) Volatile.Write(ref loopbackWakePending, 1);
        bool wake = wakePending;
        wakePending = false;
        foreach (var socket in changed)
        {
            int slot = Table.SlotOf(socket);
            if (slot >= 0 && Events.Note(slot)) wake = true;
        }
        changed.Clear();
        return wake ? subscriber : null;
    }

    /// <summary>Queues a socket the stack did not report (one just accepted, whose data may have
    /// arrived before it had an id); the next PublishLocked wakes the subscriber if needed. Gate held.</summary>
    public void NoteLocked(int slot)
    {
        if (Events.Note(slot)) wakePending = true;
    }

    /// <summary>Replaces the subscriber; returns the one replaced (to release outside the lock) and
    /// whether events are already waiting (then wake the new one). Gate held.</summary>
    public IReadinessSignal? SubscribeLocked(IReadinessSignal signal, out bool eventsWaiting)
    {
        var old = subscriber;
        subscriber = signal;
        eventsWaiting = Events.Pending > 0;
        return old;
    }

    /// <summary>Forgets the subscriber (ResetClient: its client is gone); returns it, to release
    /// outside the lock. Gate held.</summary>
    public IReadinessSignal? UnsubscribeLocked()
    {
        var old = subscriber;
        subscriber = null;
        wakePending = false;
        return old;
    }

    /// <summary>Signals the subscriber, and the event loop if loopback datagrams wait; call without
    /// Gate. A notify_signal never blocks.</summary>
    [AssumeAllocation(0)]
    public void Wake(IReadinessSignal? signal)
    {
        signal?.Signal();
        if (Interlocked.Exchange(ref loopbackWakePending, 0) != 0) wakeEventLoop?.Invoke();
    }

    /// <summary>Releases a replaced subscriber's handle; call without Gate.</summary>
    [AssumeAllocation(0)]
    public static void Release(IReadinessSignal? signal) => signal?.Release();
}
