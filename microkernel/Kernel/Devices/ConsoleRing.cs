// The console's input ring: a fixed 4 KiB FIFO of bytes between the UART's interrupt (producer)
// and console_read (consumer). It lives in the kernel's statics, so it exists from boot and nothing
// is allocated when bytes arrive. A byte that finds the ring full is dropped and counted; bytes in
// the ring are never overwritten.
// Invariants: 0 <= count <= Capacity; the bytes are storage[(head + i) % Capacity] for i < count,
// oldest first. Ownership: the kernel is single-threaded with interrupts off (host tests own theirs).
namespace Biscuit.Kernel.Devices
{
    public unsafe struct ConsoleRing
    {
        public const int Capacity = 4096;

        private fixed byte _storage[Capacity];
        private int _head;              // index of the oldest byte
        private int _count;             // bytes held
        public ulong Received;          // bytes ever stored (statistics)
        public ulong Dropped;           // bytes lost: ring full, or the UART reported an overrun

        public int Count => _count;

        /// <summary>Stores one byte; false (and Dropped counts it) when the ring is full.</summary>
        public bool Put(byte value)
        {
            if (_count == Capacity) { Dropped++; return false; }
            _storage[(_head + _count) % Capacity] = value;
            _count++;
            Received++;
            return true;
        }

        /// <summary>Copies up to `max` of the oldest bytes to `into` without removing them.</summary>
        public int Peek(byte* into, int max)
        {
            int n = max < _count ? max : _count;
            if (n < 0) n = 0;
            for (int i = 0; i < n; i++) into[i] = _storage[(_head + i) % Capacity];
            return n;
        }

        /// <summary>Removes the `n` oldest bytes (at most Count).</summary>
        public void Discard(int n)
        {
            if (n > _count) n = _count;
            if (n <= 0) return;
            _head = (_head + n) % Capacity;
            _count -= n;
        }
    }
}
