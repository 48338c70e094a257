// The receive and transmit rings of one NIC with their packet slots, for a driver whose slots are
// granted to a client (drivers/ixgbe/README.md): the descriptor-ring core that every register map
// shares. Each descriptor points at a 2 KiB slot, chosen when the descriptor is given to the device,
// so RX slots may come back from the client in any order. The layout of a descriptor is the
// device's (DescriptorFormat: LegacyDescriptors for the e1000 and e1000e, AdvancedDescriptors for
// the 82599); the bookkeeping here is the same for all: 16-byte descriptors, tail == head is an
// empty ring, the device sets DD in what it has finished.
//
// Invariants (every method is called with the owner's lock held: NicService's gate):
// * RX slot states: Free (the driver's, not in the ring), Device (in descriptor rxDescSlot[d], the
//   device may write it), Filled (a frame waits in `filled`), Client (named to the client, not yet
//   returned). The device owns descriptors rxNext .. rxTail-1; at most RxDescriptors-1 of them.
// * TX slot states: Client (the client may write it) or Device (queued in descriptor txDescSlot[d]
//   from txClean .. txNext-1). TxSlots < TxDescriptors, so the TX ring is never full.
// * A reclaimed TX slot is the client's at once and is listed in `completed` until reported.
// Pure data-structure code over memory blocks: the same code runs against device models in tests.
using Biscuit.Annotations;

namespace Biscuit.Nic;

public unsafe sealed class SlotRings
{
    public const int RxDescriptors = 128, TxDescriptors = 128, RxSlots = 256, TxSlots = 64, SlotBytes = 2048, DescriptorBytes = 16;
    public static int RingBytes => (RxDescriptors + TxDescriptors) * DescriptorBytes;

    private enum RxState : byte { Free, Device, Filled, Client }

    private readonly byte* rxRing, txRing;          // descriptor memory (virtual)
    private readonly ulong rxSlotsPhysical, txSlotsPhysical;
    private readonly RxState[] rxState = new RxState[RxSlots];
    private readonly int[] rxDescSlot = new int[RxDescriptors];
    [MaxCount(RxSlots)] private readonly Stack<int> rxFree = new(RxSlots);
    [MaxCount(RxSlots)] private readonly Queue<(int Slot, int Length)> filled = new(RxSlots);
    private int rxNext, rxTail;                     // device owns [rxNext, rxTail)
    private readonly bool[] txWithDevice = new bool[TxSlots];
    private readonly int[] txDescSlot = new int[TxDescriptors];
    [MaxCount(TxSlots)] private readonly List<int> completed = new(TxSlots);
    private readonly bool[] seen = new bool[Math.Max(RxSlots, TxSlots)];   // scratch for duplicate checks
    private int txNext, txClean;                    // device owns [txClean, txNext)

    private readonly DescriptorFormat format;      // fixed at construction: the device's descriptor layout

    public SlotRings(byte* descriptors, ulong rxSlotsPhysical, ulong txSlotsPhysical, DescriptorFormat format = DescriptorFormat.Legacy)
    {
        this.format = format;
        rxRing = descriptors;
        txRing = descriptors + RxDescriptors * DescriptorBytes;
        this.rxSlotsPhysical = rxSlotsPhysical;
        this.txSlotsPhysical = txSlotsPhysical;
        new Span<byte>(descriptors, RingBytes).Clear();
        for (int s = RxSlots - 1; s >= 0; s--) rxFree.Push(s);
    }

    public int RxTail => rxTail;
    public int TxTail => txNext;
    public int RxWithDevice => (rxTail - rxNext + RxDescriptors) % RxDescriptors;
    public int RxWithClient { get; private set; }
    public int FilledWaiting => filled.Count;
    public int TxWithDevice => (txNext - txClean + TxDescriptors) % TxDescriptors;

    private byte* RxDescriptor(int d) => rxRing + d * DescriptorBytes;
    private byte* TxDescriptor(int d) => txRing + d * DescriptorBytes;

    /// <summary>Gives free slots to the device up to a full ring (one descriptor stays empty: tail ==
    /// head means empty, §7.1.4). True if the tail moved (write RDT then).</summary>
    public bool Refill()
    {
        bool moved = false;
        while (RxWithDevice < RxDescriptors - 1 && rxFree.Count > 0)
        {
            int slot = rxFree.Pop();
            ulong address = rxSlotsPhysical + (ulong)slot * SlotBytes;
            if (format == DescriptorFormat.Advanced) AdvancedDescriptors.GiveRx(RxDescriptor(rxTail), address);
            else LegacyDescriptors.GiveRx(RxDescriptor(rxTail), address);
            rxDescSlot[rxTail] = slot;
            rxState[slot] = RxState.Device;
            rxTail = (rxTail + 1) % RxDescriptors;
            moved = true;
        }
        return moved;
    }

    /// <summary>Takes every frame the device finished (DD) into the waiting queue; frames with errors,
    /// spanning descriptors or longer than a slot are dropped and their slots freed. Returns the frames
    /// (and their bytes).</summary>
    [MaxIterations(RxDescriptors)]
    public int Harvest(out int dropped, out long bytes)
    {
        int frames = 0;
        dropped = 0;
        bytes = 0;
        while (RxWithDevice > 0)
        {
            byte* d = RxDescriptor(rxNext);
            var outcome = format == DescriptorFormat.Advanced ? AdvancedDescriptors.ReadRx(d, out int length) : LegacyDescriptors.ReadRx(d, out length);
            if (outcome == RxOutcome.Pending) break;
            int slot = rxDescSlot[rxNext];
            if (outcome == RxOutcome.Good && length > 0 && length <= SlotBytes)
            {
                rxState[slot] = RxState.Filled;
                filled.Enqueue((slot, length));
                bytes += length;
                frames++;
            }
            else
            {
                rxState[slot] = RxState.Free;
                rxFree.Push(slot);
                dropped++;
            }
            rxNext = (rxNext + 1) % RxDescriptors;
        }
        return frames;
    }

    /// <summary>Moves up to `max` waiting frames to the client, oldest first.</summary>
    public int TakeFilled(int max, Span<int> slots, Span<int> lengths)
    {
        int n = 0;
        while (n < max && filled.Count > 0)
        {
            var (slot, length) = filled.Dequeue();
            rxState[slot] = RxState.Client;
            RxWithClient++;
            slots[n] = slot;
            lengths[n] = length;
            n++;
        }
        return n;
    }

    private enum Problem { None, Unknown, NotHeld, Twice, Length }

    /// <summary>Null if every slot is an RX slot the client holds, once; else what is wrong.</summary>
    public string? CheckReturnable(ReadOnlySpan<int> slots)
    {
        Problem problem = Problem.None;
        int i = 0;
        for (; i < slots.Length && problem == Problem.None; i++)
        {
            int s = slots[i];
            if (s < 0 || s >= RxSlots) problem = Problem.Unknown;
            else if (rxState[s] != RxState.Client) problem = Problem.NotHeld;
            else if (seen[s]) problem = Problem.Twice;
            else seen[s] = true;
        }
        for (int j = 0; j < i; j++) if (slots[j] >= 0 && slots[j] < RxSlots) seen[slots[j]] = false;
        return problem == Problem.None ? null : Describe(problem, "RX", slots[i - 1], RxSlots, 0, 0, 0);
    }

    private static string Describe(Problem problem, string ring, int slot, int slots, int length, int min, int max) => problem switch
    {
        Problem.Unknown => NicMessages.UnknownSlot(ring, slot, slots),
        Problem.NotHeld => NicMessages.NotHeld(ring, slot),
        Problem.Twice => NicMessages.Twice(ring, slot),
        _ => NicMessages.BadLength(slot, length, min, max),
    };

    /// <summary>The client gives RX slots back (checked by CheckReturnable).</summary>
    [MaxIterations(RxSlots)]
    public void Return(ReadOnlySpan<int> slots)
    {
        foreach (int s in slots)
        {
            rxState[s] = RxState.Free;
            rxFree.Push(s);
            RxWithClient--;
        }
    }

    /// <summary>Null if every (slot, length) is a TX slot the client holds, once, with an Ethernet
    /// frame's length; else what is wrong.</summary>
    public string? CheckTransmittable(ReadOnlySpan<int> slots, ReadOnlySpan<int> lengths, int minLength, int maxLength)
    {
        Problem problem = Problem.None;
        int i = 0;
        for (; i < slots.Length && problem == Problem.None; i++)
        {
            int s = slots[i];
            if (s < 0 || s >= TxSlots) problem = Problem.Unknown;
            else if (txWithDevice[s]) problem = Problem.NotHeld;
            else if (seen[s]) problem = Problem.Twice;
            else if (lengths[i] < minLength || lengths[i] > maxLength) problem = Problem.Length;
            else seen[s] = true;
        }
        for (int j = 0; j < i; j++) if (slots[j] >= 0 && slots[j] < TxSlots) seen[slots[j]] = false;
        return problem == Problem.None ? null : Describe(problem, "TX", slots[i - 1], TxSlots, lengths[i - 1], minLength, maxLength);
    }

    /// <summary>Queues checked frames to the device (write TDT afterwards).</summary>
    public void Queue(ReadOnlySpan<int> slots, ReadOnlySpan<int> lengths)
    {
        for (int i = 0; i < slots.Length; i++)
        {
            ulong address = txSlotsPhysical + (ulong)slots[i] * SlotBytes;
            if (format == DescriptorFormat.Advanced) AdvancedDescriptors.PutTx(TxDescriptor(txNext), address, lengths[i]);
            else LegacyDescriptors.PutTx(TxDescriptor(txNext), address, lengths[i]);
            txDescSlot[txNext] = slots[i];
            txWithDevice[slots[i]] = true;
            txNext = (txNext + 1) % TxDescriptors;
        }
    }

    /// <summary>TX completion: slots of descriptors the device marked done are the client's again.</summary>
    [MaxIterations(TxDescriptors)]
    public int Reclaim()
    {
        int n = 0;
        while (txClean != txNext && TxFinished(TxDescriptor(txClean)))
        {
            int slot = txDescSlot[txClean];
            txWithDevice[slot] = false;
            completed.Add(slot);
            txClean = (txClean + 1) % TxDescriptors;
            n++;
        }
        return n;
    }

    private bool TxFinished(byte* d) => format == DescriptorFormat.Advanced ? AdvancedDescriptors.TxFinished(d) : LegacyDescriptors.TxFinished(d);

    public int CompletedWaiting => completed.Count;

    /// <summary>Reports the completions not reported yet, into `into` (TxSlots long).</summary>
    public int TakeCompleted(Span<int> into)
    {
        int n = completed.Count;
        for (int i = 0; i < n; i++) into[i] = completed[i];
        completed.Clear();
        return n;
    }

    /// <summary>A new client: the slots the old one held come back, unreported completions are
    /// forgotten (the new client starts from "every TX slot not with the device is mine"). Returns
    /// the TX slots still with the device, into `busy` (TxSlots long).</summary>
    [MaxIterations(RxSlots, Loop = 0)]
    [MaxIterations(TxSlots, Loop = 1)]
    public int NewClient(Span<int> busy)
    {
        for (int s = 0; s < RxSlots; s++)
            if (rxState[s] == RxState.Client) { rxState[s] = RxState.Free; rxFree.Push(s); }
        RxWithClient = 0;
        completed.Clear();
        int n = 0;
        for (int s = 0; s < TxSlots; s++) if (txWithDevice[s]) busy[n++] = s;
        return n;
    }
}
