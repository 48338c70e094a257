// A pool of fixed-size slots carved from memory set aside at boot: the way the kernel gets its
// objects (threads, endpoints, IPC buffers, ...) without a heap. Take returns a zeroed slot or
// null when the pool is empty; Give returns one. A one-bit-per-slot "taken" map catches double
// frees and pointers that are not slots of this pool.
// Invariants: Free + taken slots = Capacity; the free list links only free slots; nothing here
// allocates or blocks. Pure data-structure code: compiled into the kernel and the host tests.
namespace Biscuit.Kernel.Memory
{
    public enum SlotResult { Ok, NotASlot, NotTaken }

    public unsafe struct SlotPool
    {
        private byte* _slots;          // Capacity * SlotSize bytes
        private ulong* _taken;         // Capacity bits
        private ulong _slotSize;
        private ulong _capacity;
        private ulong _free;
        private byte* _freeList;       // first free slot; each free slot's first 8 bytes link the next

        public ulong Capacity => _capacity;
        public ulong Free => _free;
        public ulong SlotSize => _slotSize;

        // Bytes of memory a pool of `capacity` slots of `slotSize` needs (slots, then the map).
        public static ulong BytesNeeded(ulong slotSize, ulong capacity) =>
            RoundSlot(slotSize) * capacity + (capacity + 63) / 64 * 8;

        public void Initialize(byte* memory, ulong slotSize, ulong capacity)
        {
            _slotSize = RoundSlot(slotSize);
            _capacity = capacity;
            _slots = memory;
            _taken = (ulong*)(memory + _slotSize * capacity);
            for (ulong i = 0; i < (capacity + 63) / 64; i++) _taken[i] = 0;
            _freeList = null;
            for (ulong i = capacity; i > 0; i--)
            {
                byte* slot = _slots + (i - 1) * _slotSize;
                *(byte**)slot = _freeList;
                _freeList = slot;
            }
            _free = capacity;
        }

        public byte* Take()
        {
            byte* slot = _freeList;
            if (slot == null) return null;
            _freeList = *(byte**)slot;
            ulong index = (ulong)(slot - _slots) / _slotSize;
            _taken[index / 64] |= 1UL << (int)(index % 64);
            _free--;
            for (ulong i = 0; i < _slotSize; i++) slot[i] = 0;
            return slot;
        }

        public SlotResult Give(byte* slot)
        {
            if (slot < _slots || slot >= _slots + _capacity * _slotSize) return SlotResult.NotASlot;
            ulong offset = (ulong)(slot - _slots);
            if (offset % _slotSize != 0) return SlotResult.NotASlot;
            ulong index = offset / _slotSize;
            ulong bit = 1UL << (int)(index % 64);
            if ((_taken[index / 64] & bit) == 0) return SlotResult.NotTaken;
            _taken[index / 64] &= ~bit;
            *(byte**)slot = _freeList;
            _freeList = slot;
            _free++;
            return SlotResult.Ok;
        }

        // The slot at `index` if it is taken, else null: how a census walks every live object.
        public byte* TakenSlot(ulong index)
        {
            if (index >= _capacity || (_taken[index / 64] & (1UL << (int)(index % 64))) == 0) return null;
            return _slots + index * _slotSize;
        }

        private static ulong RoundSlot(ulong size) => size < 8 ? 8 : (size + 7) & ~7UL;
    }
}
