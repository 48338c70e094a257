// The sockets whose readiness changed since the subscriber last asked (PollEvents), in the order
// the changes happened, each at most once. A ring of slot numbers with a "queued" flag per slot, both
// sized to the socket table once: noting a change never allocates. A slot closed while queued is
// dropped from the queue (its flag cleared; the ring entry is skipped). Guarded by StackHost.Gate.
namespace Biscuit.Net.Service;

public sealed class ReadinessQueue
{
    private readonly int[] ring;         // slot numbers, oldest at head; guarded by StackHost.Gate
    private readonly bool[] queued;      // queued[slot]: the slot is in the ring and still wanted; guarded by StackHost.Gate
    private int head, count;             // guarded by StackHost.Gate
    private int live;                    // entries of the ring whose flag is still set; guarded by StackHost.Gate

    public ReadinessQueue(int capacity)
    {
        ring = new int[capacity];
        queued = new bool[capacity];
    }

    /// <summary>Sockets waiting to be reported.</summary>
    public int Pending => live;

    /// <summary>Queues a slot unless it is queued already. True if the queue was empty before: the
    /// moment to wake the subscriber (it empties the queue each time it is woken).</summary>
    public bool Note(int slot)
    {
        if (queued[slot]) return false;
        if (count == ring.Length) Compact();
        queued[slot] = true;
        ring[(head + count) % ring.Length] = slot;
        count++;
        return live++ == 0;
    }

    /// <summary>Forgets a slot (its socket was closed).</summary>
    public void Forget(int slot)
    {
        if (!queued[slot]) return;
        queued[slot] = false;
        live--;
    }

    /// <summary>Takes the oldest queued slot; false when none is left.</summary>
    public bool TryTake(out int slot)
    {
        while (count > 0)
        {
            slot = ring[head];
            head = (head + 1) % ring.Length;
            count--;
            if (!queued[slot]) continue;           // forgotten while queued
            queued[slot] = false;
            live--;
            return true;
        }
        slot = -1;
        return false;
    }

    // The ring is full of entries, some forgotten (and a slot forgotten then noted again appears
    // twice): keep the first entry of each live slot. Afterwards fewer entries than slots remain,
    // since the slot being noted is not live.
    private void Compact()
    {
        int kept = 0;
        for (int i = 0; i < count; i++)
        {
            int slot = ring[(head + i) % ring.Length];
            if (!queued[slot]) continue;
            queued[slot] = false;                  // later copies of this slot are skipped
            ring[(head + kept++) % ring.Length] = slot;
        }
        for (int i = 0; i < kept; i++) queued[ring[(head + i) % ring.Length]] = true;
        count = kept;
    }
}
