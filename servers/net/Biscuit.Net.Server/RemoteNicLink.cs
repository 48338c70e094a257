// The stack's link layer when the NIC driver is its own server (nic-server, drivers/ixgbe): frames
// travel through the driver's slots, granted into this process at WindowAddress (RX slots read-only,
// TX slots writable after them), and only slot numbers travel in messages (Biscuit.Nic.Protocol).
//
// Threads, each with its own ServiceClient (a client's buffer is its thread's):
// * the stack (event loop or a request worker, StackHost.Gate held) calls Transmit: it copies the
//   frame into a free TX slot and queues the slot — no IPC under the Gate (StackHost's rule);
// * the transmitter sends the queued slots in one Transmit call (several frames per call when the
//   stack is quicker than the driver) and takes back the slots the driver reports completed;
// * the event loop calls ReceiveBatch when the driver signalled (bit FramesWaitingBit): one Receive
//   call returns the slots it is done with and names the filled ones, which it copies out;
// * the keeper attaches, then waits in Hold (the driver's lease on us); when the driver dies Hold
//   fails (EOWNERDEAD) and the keeper attaches to the restarted driver: a new grant at the same
//   address, a new session, all TX slots free. Frames lost meanwhile are TCP's to retransmit.
// Invariants: `gate` guards session, attached, freeTx, pending, rxDone and the counters; the window
// is touched only under `gate`, while `attached`, right after WindowIsMapped said the grant is there
// (a vanished page would kill net; the window left is microseconds: drivers/ixgbe/README.md).
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Net;
using Biscuit.Nic.Protocol;

sealed unsafe class RemoteNicLink : ILinkLayer
{
    public const long WindowAddress = 0x7000_0000;
    private const ulong AttachTimeoutMs = 5_000;

    private readonly Endpoint endpoint;
    private readonly Notification events;            // the event loop's; the driver signals FramesWaiting on it
    private readonly object gate = new();
    private long session;                            // guarded by gate
    private bool attached;                           // guarded by gate
    private int rxSlots, slotBytes;                  // guarded by gate (fixed per driver build)
    private readonly Stack<int> freeTx = new();      // guarded by gate
    private readonly List<int> pendingSlots = new(), pendingLengths = new();   // guarded by gate
    private readonly List<int> rxDone = new();       // guarded by gate: RX slots to give back
    private readonly byte[][] rxCopies = new byte[NicLimits.MaxFramesPerReceive][];   // owner: the event loop
    private readonly ServiceClient receiver;         // owner: the event loop
    public long FramesIn, FramesOut, TxDropped, RxLost, Attaches, DriverInstance;   // guarded by gate

    public MacAddress Mac { get; private set; }
    public int Mtu => 1500;

    private RemoteNicLink(Endpoint endpoint, Notification events)
    {
        this.endpoint = endpoint;
        this.events = events;
        receiver = NewClient();
        for (int i = 0; i < rxCopies.Length; i++) rxCopies[i] = new byte[NicLimits.SlotBytes];
    }

    private ServiceClient NewClient() => new(new KernelClientTransport(endpoint));

    /// <summary>Attaches to the driver (waiting for it if it is not up yet) and starts the keeper and
    /// the transmitter. Null with a reason if the endpoint is not a NIC driver's.</summary>
    public static RemoteNicLink? Connect(Endpoint endpoint, Notification events, out string reason)
    {
        var link = new RemoteNicLink(endpoint, events);
        var keeperClient = link.NewClient();
        if (!link.Attach(keeperClient, out reason)) return null;
        new Thread(() => link.Keep(keeperClient)) { IsBackground = true, Name = "nic keeper" }.Start();
        new Thread(link.SendLoop) { IsBackground = true, Name = "nic transmitter" }.Start();
        return link;
    }

    // One Attach, retried while the driver is busy with a dead predecessor's session or not up.
    private bool Attach(ServiceClient client, out string reason)
    {
        var give = events.Duplicate(Rights.Signal | Rights.Transfer);
        if (!give.IsOk) { reason = $"handle_dup of the notification: {give.Error.Symbol()}"; return false; }
        var handles = new HandleList();
        handles.Add(give.Value.Handle);
        try
        {
            for (int attempt = 0; ; attempt++)
            {
                var r = client.Call(NicContracts.Attach, new AttachRequest(WindowAddress), handles, AttachTimeoutMs);
                if (r.IsOk && r.Value!.IsOk)
                {
                    Attached(r.Value);
                    reason = "";
                    return true;
                }
                if (r.Outcome == CallOutcome.ServerError) { reason = $"Attach: {r}"; return false; }   // not a NIC driver
                if (attempt % 50 == 0) Console.WriteLine($"net: attaching to the NIC driver: {(r.IsOk ? r.Value!.Message : r.ToString())}; trying again");
                Syscalls.Sleep(100);
            }
        }
        finally { give.Value.Close(); }
    }

    private void Attached(AttachReply reply)
    {
        lock (gate)
        {
            session = reply.Session;
            rxSlots = reply.RxSlots;
            slotBytes = reply.SlotBytes;
            freeTx.Clear();
            for (int s = reply.TxSlots - 1; s >= 0; s--) if (Array.IndexOf(reply.TxBusy, s) < 0) freeTx.Push(s);
            pendingSlots.Clear();
            pendingLengths.Clear();
            rxDone.Clear();
            attached = true;
            Attaches++;
            DriverInstance = reply.Instance;
            ulong mac = (ulong)reply.Mac;
            Mac = new MacAddress(Enumerable.Range(0, 6).Aggregate(0UL, (v, i) => v | ((mac >> (8 * i)) & 0xFF) << (40 - 8 * i)));
        }
        events.Signal(FramesWaitingBit);              // look for frames that waited while we were away
    }

    /// <summary>The notification bit the driver signals when frames wait (KernelClientSignal).</summary>
    public const ulong FramesWaitingBit = 1;

    // The keeper: the Hold lease; when it ends (the driver died, or its session was ended), attach again.
    private void Keep(ServiceClient client)
    {
        while (true)
        {
            long held;
            lock (gate) held = session;
            var r = client.Call(NicContracts.Hold, new SessionRequest(held), Syscalls.Forever);
            lock (gate) attached = false;
            Console.WriteLine($"net: the NIC driver let go of us ({(r.IsOk ? r.Value.Message : r.ToString())}); attaching again");
            if (!Attach(client, out string reason)) Console.WriteLine($"net: re-attach refused: {reason}");
            else lock (gate) Console.WriteLine($"net: attached to NIC driver instance {DriverInstance} (attach {Attaches})");
        }
    }

    private bool WindowIsMapped()
    {
        long r = Syscalls.Invoke(SyscallNumbers.MemoryMap, WindowAddress, 1, 0);
        if (r == -(long)KernelError.Exists) return true;
        if (r == 0) Syscalls.Invoke(SyscallNumbers.MemoryUnmap, WindowAddress, 1);
        return false;
    }

    /// <summary>Copies the frame into a free TX slot and queues it for the transmitter; drops it
    /// (counted) when detached or out of slots. Never blocks, never calls the driver.</summary>
    public void Transmit(ReadOnlySpan<byte> frame)
    {
        lock (gate)
        {
            if (!attached || freeTx.Count == 0 || frame.Length > NicLimits.MaxFrameBytes || !WindowIsMapped())
            {
                TxDropped++;
                Monitor.Pulse(gate);                  // a poll for completions may free slots
                return;
            }
            int slot = freeTx.Pop();
            frame.CopyTo(new Span<byte>((byte*)WindowAddress + (long)(rxSlots + slot) * slotBytes, frame.Length));
            pendingSlots.Add(slot);
            pendingLengths.Add(Math.Max(frame.Length, NicLimits.MinFrameBytes));
            Monitor.Pulse(gate);
        }
    }

    // The transmitter: sends what is queued in one call; collects completions every 50 ms anyway.
    private void SendLoop()
    {
        var client = NewClient();
        while (true)
        {
            int[] slots, lengths;
            long current;
            lock (gate)
            {
                if (pendingSlots.Count == 0) Monitor.Wait(gate, 50);
                if (!attached)
                {
                    pendingSlots.Clear();                    // their slots died with the old session
                    pendingLengths.Clear();
                    Monitor.Wait(gate, 50);
                    continue;
                }
                slots = pendingSlots.ToArray();
                lengths = pendingLengths.ToArray();
                pendingSlots.Clear();
                pendingLengths.Clear();
                current = session;
            }
            var r = client.Call(NicContracts.Transmit, new TransmitRequest(current, slots, lengths), 5_000);
            lock (gate)
            {
                if (session != current) continue;            // re-attached meanwhile: the new session owns every slot
                if (r.IsOk && r.Value!.IsOk)
                {
                    FramesOut += slots.Length;
                    foreach (int s in r.Value.Completed) freeTx.Push(s);
                }
                else
                {
                    TxDropped += slots.Length;
                    if (r.IsOk && r.Value!.Errno == NicErrno.Invalid) foreach (int s in slots) freeTx.Push(s);   // nothing was sent
                    if (r.IsOk && r.Value!.Errno == NicErrno.Invalid) Console.WriteLine($"net: Transmit refused: {r.Value.Message}");
                }
            }
        }
    }

    /// <summary>For the event loop (no lock held): gives back the RX slots of the last batch, takes the
    /// frames that wait, copies each out of its slot and hands the copies to `deliver` (which runs them
    /// through the stack under StackHost.Gate). Returns the frames delivered.</summary>
    public int ReceiveBatch(Action<byte[][], int[], int> deliver)
    {
        int total = 0;
        while (true)
        {
            int[] returned;
            long current;
            lock (gate)
            {
                if (!attached) return total;
                returned = rxDone.ToArray();
                rxDone.Clear();
                current = session;
            }
            var r = receiver.Call(NicContracts.Receive, new ReceiveRequest(current, returned), 5_000);
            if (!r.IsOk || !r.Value!.IsOk) return total;        // the keeper sees a dead driver; a stale session re-attaches there
            int n = 0;
            var lengths = r.Value.Lengths;
            lock (gate)
            {
                if (session != current || !attached || !WindowIsMapped()) { RxLost += lengths.Length; return total; }
                for (; n < r.Value.Slots.Length; n++)
                {
                    int slot = r.Value.Slots[n];
                    new ReadOnlySpan<byte>((byte*)WindowAddress + (long)slot * slotBytes, lengths[n]).CopyTo(rxCopies[n]);
                    rxDone.Add(slot);
                }
                FramesIn += n;
            }
            if (n > 0) deliver(rxCopies, lengths, n);
            total += n;
            if (!r.Value.More) return total;
        }
    }
}
