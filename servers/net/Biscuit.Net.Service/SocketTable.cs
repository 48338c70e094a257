// The sockets the service handed out, by id. A fixed number of slots allocated once (no growth
// while serving). An id is slot + 1 + Capacity * generation: positive, and a closed id stays
// invalid when its slot is reused (the generation moved on), so a stale id gets EBADF rather than
// someone else's socket. Generations start at a number chosen per server instance (StackHost), so
// the ids a dead instance handed out are, with overwhelming likelihood, unknown to the next one:
// a client that still holds them gets EBADF, never a socket the new instance made for someone else.
// Guarded by StackHost.Gate.
using Biscuit.Net.Protocol;

namespace Biscuit.Net.Service;

/// <summary>One open socket: the stack's socket object and what the service keeps beside it.</summary>
public sealed class SocketEntry
{
    public required object Socket;                       // TcpSocket or UdpSocket
    public long Id;
    public int Slot;
    public long LingerSeconds = SocketConstants.LingerOff;   // SO_LINGER: applied by Close
    public bool UdpReuseAddress;                         // SO_REUSEADDR of a UDP socket (recorded, no effect)
    public TcpSocket? Tcp => Socket as TcpSocket;
    public UdpSocket? Udp => Socket as UdpSocket;
    public int Readiness => (int)((IPollable)Socket).Readiness;
}

public sealed class SocketTable
{
    private readonly SocketEntry?[] slots;          // guarded by StackHost.Gate
    private readonly long[] generations;            // guarded by StackHost.Gate
    private readonly int[] freeSlots;               // a stack of free slot numbers; guarded by StackHost.Gate
    private int freeCount;                          // guarded by StackHost.Gate
    private readonly Dictionary<IPollable, int> slotOf;   // socket object -> slot; pre-sized, guarded by StackHost.Gate

    public SocketTable(int capacity, long firstGeneration = 0)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), "a socket table needs at least one slot");
        if (firstGeneration < 0 || firstGeneration > MaxFirstGeneration) throw new ArgumentOutOfRangeException(nameof(firstGeneration));
        Capacity = capacity;
        slots = new SocketEntry?[capacity];
        generations = new long[capacity];
        Array.Fill(generations, firstGeneration);
        freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++) freeSlots[i] = capacity - 1 - i;
        freeCount = capacity;
        slotOf = new Dictionary<IPollable, int>(capacity, ReferenceEqualityComparer.Instance);
    }

    /// <summary>The largest first generation: ids stay far below 2^63 (capacity * 2^41 plus what closes add).</summary>
    public const long MaxFirstGeneration = (1L << 40) - 1;

    public int Capacity { get; }
    public int Count => Capacity - freeCount;
    public bool IsFull => freeCount == 0;

    /// <summary>Registers a socket object; null when every slot is taken.</summary>
    public SocketEntry? Add(object socket)
    {
        if (freeCount == 0) return null;
        int slot = freeSlots[--freeCount];
        var entry = new SocketEntry { Socket = socket, Slot = slot, Id = slot + 1 + (long)Capacity * generations[slot] };
        slots[slot] = entry;
        slotOf[(IPollable)socket] = slot;
        return entry;
    }

    /// <summary>The entry an id names, or null (never handed out, closed, or out of range).</summary>
    public SocketEntry? Find(long id)
    {
        if (id <= 0) return null;
        long slot = (id - 1) % Capacity, generation = (id - 1) / Capacity;
        var entry = slots[slot];
        return entry != null && generations[slot] == generation ? entry : null;
    }

    public SocketEntry? AtSlot(int slot) => slots[slot];

    /// <summary>The slot of a socket object the stack reported, or -1 if it is not one of ours.</summary>
    public int SlotOf(IPollable socket) => slotOf.TryGetValue(socket, out int slot) ? slot : -1;

    public void Remove(SocketEntry entry)
    {
        if (slots[entry.Slot] != entry) return;
        slots[entry.Slot] = null;
        slotOf.Remove((IPollable)entry.Socket);
        generations[entry.Slot]++;
        freeSlots[freeCount++] = entry.Slot;
    }
}
