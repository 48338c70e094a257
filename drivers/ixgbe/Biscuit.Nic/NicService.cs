// The NIC driver's request handlers (drivers/ixgbe/README.md): Attach grants the slot window to
// the one client, Hold is that client's lease (it waits while the client lives), Receive hands over
// filled RX slots and takes back those the client is done with, Transmit queues TX slots the client
// filled, NicStats counts. Service() runs after each interrupt. Bad input is an error reply, never
// an exception: an unknown slot, a slot the client does not hold, a slot named twice or a length
// beyond an Ethernet frame is EINVAL (nothing in the batch is done); a request of another session
// ENOTCONN; an Attach while another client holds its session EBUSY.
//
// Invariants: `rings`, `session`, `holding`, `client` and the device's tails change only under
// `gate`; a client signal is sent after the gate is let go. The client owns its session from Attach
// until another Attach replaces it (allowed only while no Hold of it waits) or its Hold sees it gone.
using Biscuit.Annotations;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Server;
using Biscuit.Nic.Protocol;

namespace Biscuit.Nic;

public sealed class NicService(SlotRings rings, INicHardware device, ISlotWindow window, Func<Handle, IClientSignal> signalFor,
    Func<bool> callerStillWaits, long instance, int holdPollMs = 50)
{
    private readonly object gate = new();
    private long session;                       // guarded by gate: the current client's session, 0: none
    private bool holding;                       // guarded by gate: a Hold of `session` waits
    private IClientSignal? client;              // guarded by gate
    private long attaches, framesIn, bytesIn, framesOut, bytesOut, rxDropped, interrupts, badRequests, signals;   // guarded by gate
    private readonly int[] scratch = new int[SlotRings.TxSlots];   // guarded by gate

    public long Instance => instance;

    public void RegisterOn(MessageServer server)
    {
        server.Register(NicContracts.Attach, Attach);
        server.Register(NicContracts.Hold, Hold);
        server.Register(NicContracts.Receive, Receive);
        server.Register(NicContracts.Transmit, Transmit);
        server.Register(NicContracts.NicStats, Stats);
    }

    /// <summary>Starts the device: every free RX slot to the ring.</summary>
    public void Start()
    {
        lock (gate) if (rings.Refill()) device.WriteRxTail(rings.RxTail);
    }

    [RequestHandler("Attach")]
    public AttachReply Attach(ref RequestContext context, AttachRequest request)
    {
        IClientSignal? old, wake = null;
        AttachReply reply;
        lock (gate)
        {
            if (HandleCount(ref context) != 1) return Refused(NicErrno.Invalid, NicMessages.NoNotification);
            if (request.WindowAddress == 0 || request.WindowAddress % 4096 != 0)
                return Refused(NicErrno.Invalid, NicMessages.BadWindow(request.WindowAddress), ref context);
            if (session != 0 && holding) return Refused(NicErrno.Busy, NicMessages.SecondClient, ref context);
            int error = GrantWindow(request.WindowAddress);
            if (error != 0) return Refused(error, NicMessages.GrantFailed(error), ref context);
            old = client;
            client = SignalFor(FirstHandle(ref context));
            attaches++;
            session = instance * 1_000_003 + attaches;
            holding = false;
            int busy = rings.NewClient(scratch);
            if (rings.Refill()) device.WriteRxTail(rings.RxTail);
            if (rings.FilledWaiting > 0) wake = client;
            reply = new AttachReply(NicErrno.None, "", (long)device.Mac, NicLimits.MaxFrameBytes - 14, SlotRings.RxSlots, SlotRings.TxSlots,
                SlotRings.SlotBytes, instance, session, device.LinkUp, Copy(scratch, busy));
        }
        old?.Release();
        wake?.Signal();
        return reply;
    }

    /// <summary>The client's lease: answered only when the session ends (another Attach, or the
    /// client gone). While it waits the session cannot be taken; when the caller no longer waits
    /// (its process died) the session ends and a new client may attach.</summary>
    [RequestHandler("Hold")]
    public NicStatus Hold(SessionRequest request)
    {
        lock (gate)
        {
            if (session == 0) return Bad(NicErrno.NotConnected, NicMessages.NotAttached);
            if (request.Session != session) return Bad(NicErrno.NotConnected, NicMessages.StaleSession);
            holding = true;
        }
        while (true)
        {
            bool waits = CallerStillWaits();
            IClientSignal? gone = null;
            lock (gate)
            {
                if (session != request.Session) return new NicStatus(NicErrno.NotConnected, NicMessages.StaleSession);
                if (!waits)
                {
                    session = 0;
                    holding = false;
                    gone = client;
                    client = null;
                }
            }
            if (gone != null)
            {
                gone.Release();
                return new NicStatus(NicErrno.NotConnected, NicMessages.NotAttached);
            }
            Pause(holdPollMs);
        }
    }

    [RequestHandler("Receive")]
    public ReceiveReply Receive(ReceiveRequest request)
    {
        lock (gate)
        {
            string? problem = SessionProblem(request.Session);
            if (problem != null) return NoFrames(NicErrno.NotConnected, problem);
            problem = rings.CheckReturnable(request.Returned);
            if (problem != null) return NoFrames(NicErrno.Invalid, problem);
            rings.Return(request.Returned);
            HarvestLocked();
            int n = Math.Min(rings.FilledWaiting, NicLimits.MaxFramesPerReceive);
            int[] slots = NewInts(n), lengths = NewInts(n);
            rings.TakeFilled(n, slots, lengths);
            if (rings.Refill()) device.WriteRxTail(rings.RxTail);
            return new ReceiveReply(NicErrno.None, "", slots, lengths, rings.FilledWaiting > 0);
        }
    }

    [RequestHandler("Transmit")]
    public TransmitReply Transmit(TransmitRequest request)
    {
        lock (gate)
        {
            string? problem = SessionProblem(request.Session);
            if (problem != null) return new TransmitReply(NicErrno.NotConnected, problem, 0, []);
            problem = rings.CheckTransmittable(request.Slots, request.Lengths, NicLimits.MinFrameBytes, NicLimits.MaxFrameBytes);
            if (problem != null)
            {
                badRequests++;
                return new TransmitReply(NicErrno.Invalid, problem, 0, []);
            }
            if (request.Slots.Length > 0)
            {
                rings.Queue(request.Slots, request.Lengths);
                device.WriteTxTail(rings.TxTail);
                framesOut += request.Slots.Length;
                foreach (int length in request.Lengths) bytesOut += length;
            }
            rings.Reclaim();
            int n = rings.TakeCompleted(scratch);
            return new TransmitReply(NicErrno.None, "", request.Slots.Length, Copy(scratch, n));
        }
    }

    [RequestHandler("NicStats")]
    public NicStats Stats(Empty request)
    {
        lock (gate)
            return new NicStats(framesIn, bytesIn, framesOut, bytesOut, rxDropped, interrupts, attaches, badRequests,
                signals, rings.RxWithDevice, rings.RxWithClient);
    }

    /// <summary>After an interrupt (or a poll): acknowledge the cause, take the finished frames,
    /// reclaim TX, refill RX, and tell the client if frames wait. Returns the frames taken.</summary>
    public int Service(bool interrupted)
    {
        IClientSignal? wake = null;
        int frames;
        lock (gate)
        {
            _ = device.ReadCause();
            if (interrupted) interrupts++;
            frames = HarvestLocked();
            rings.Reclaim();
            if (rings.Refill()) device.WriteRxTail(rings.RxTail);
            if (frames > 0 && client != null) { wake = client; signals++; }
        }
        wake?.Signal();
        return frames;
    }

    private int HarvestLocked()
    {
        int frames = rings.Harvest(out int dropped, out long bytes);
        rxDropped += dropped;
        framesIn += frames;
        bytesIn += bytes;
        return frames;
    }

    private string? SessionProblem(long requested)
    {
        if (session == 0) { badRequests++; return NicMessages.NotAttached; }
        if (requested != session) { badRequests++; return NicMessages.StaleSession; }
        return null;
    }

    private ReceiveReply NoFrames(int errno, string message)
    {
        if (errno == NicErrno.Invalid) badRequests++;
        return new ReceiveReply(errno, message, [], [], false);
    }

    private NicStatus Bad(int errno, string message)
    {
        badRequests++;
        return new NicStatus(errno, message);
    }

    // A refused Attach lets the notification it brought go (a client retrying must not fill our table).
    private AttachReply Refused(int errno, string message, ref RequestContext context)
    {
        SignalFor(FirstHandle(ref context)).Release();
        return Refused(errno, message);
    }

    private AttachReply Refused(int errno, string message)
    {
        badRequests++;
        return new AttachReply(errno, message, 0, 0, 0, 0, 0, instance, 0, false, []);
    }

    // Calls MAXLIVE cannot follow (interfaces and the kernel): they allocate nothing per request but
    // a client signal object at Attach, and the slot lists (at most MaxFramesPerReceive ints each).
    [AssumeAllocation(NicLimits.MaxFramesPerReceive * 4 + 64)]
    private static int[] NewInts(int n) => n == 0 ? [] : new int[n];

    [AssumeAllocation(0)]
    private int GrantWindow(long address) => window.GrantToCaller(address);

    [AssumeAllocation(128)]
    private IClientSignal SignalFor(Handle handle) => signalFor(handle);

    [AssumeAllocation(0)]
    private bool CallerStillWaits() => callerStillWaits();

    [AssumeAllocation(SlotRings.TxSlots * 4 + 64)]
    private static int[] Copy(int[] from, int n) => n == 0 ? [] : from.AsSpan(0, n).ToArray();

    [AssumeAllocation(0)]
    private static void Pause(int ms) => Thread.Sleep(ms);

    [AssumeAllocation(0)]
    private static int HandleCount(ref RequestContext context) => context.HandleCount;

    [AssumeAllocation(0)]
    private static Handle FirstHandle(ref RequestContext context) => context.GetHandle(0);
}
