// A process's handle table: a fixed array of capability slots; a handle names a slot and the
// generation the slot had when the handle was made: handle = generation << 12 | index. A handle
// whose slot was freed and reused no longer matches, so it fails with EBADF rather than reaching
// somebody else's object. Handle 0 is never valid.
// Invariants: a free slot has Type None; generations start at 1 and never return to 0; no
// operation allocates. Pure data-structure code: compiled into the kernel and the host tests.
using Biscuit.Kernel.Syscalls;

namespace Biscuit.Kernel.Capabilities
{
    public unsafe struct HandleTable
    {
        public const int Slots = 256;
        private const int IndexBits = 12;

        private fixed byte _slots[Slots * 24];   // Capability[Slots], 24 bytes each

        public static uint HandleOf(int index, ushort generation) => ((uint)generation << IndexBits) | (uint)index;
        public static uint InitialHandle(int index) => HandleOf(index, 1);

        private Capability* Slot(int index)
        {
            fixed (byte* b = _slots) return (Capability*)b + index;
        }

        public void Initialize()
        {
            for (int i = 0; i < Slots; i++)
            {
                Capability* c = Slot(i);
                c->Type = CapabilityType.None;
                c->Generation = 1;
                c->Rights = 0;
                c->Object = null;
                c->Badge = 0;
            }
        }

        // Puts a capability in the lowest free slot; returns its handle, or 0 when the table is full.
        public uint Insert(CapabilityType type, uint rights, void* obj, ulong badge)
        {
            for (int i = 0; i < Slots; i++)
            {
                Capability* c = Slot(i);
                if (c->Type != CapabilityType.None) continue;
                c->Type = type;
                c->Rights = rights & Rights.All;
                c->Object = obj;
                c->Badge = badge;
                return HandleOf(i, c->Generation);
            }
            return 0;
        }

        // Finds the capability a handle names, checking its type (None = any) and rights.
        // Returns 0 or -EBADF (no such handle, stale, wrong type) or -EPERM (missing rights).
        public long Lookup(uint handle, CapabilityType type, uint requiredRights, out Capability* capability)
        {
            capability = null;
            int index = (int)(handle & ((1 << IndexBits) - 1));
            uint generation = handle >> IndexBits;
            if (handle == 0 || index >= Slots) return -Errno.EBADF;
            Capability* c = Slot(index);
            if (c->Type == CapabilityType.None || c->Generation != generation) return -Errno.EBADF;
            if (type != CapabilityType.None && c->Type != type) return -Errno.EBADF;
            if ((c->Rights & requiredRights) != requiredRights) return -Errno.EPERM;
            capability = c;
            return 0;
        }

        // Frees the slot a handle names and hands back what it held; the handle and any copy of it
        // stop working. Returns 0 or -EBADF.
        public long Remove(uint handle, out Capability removed)
        {
            removed = default;
            Capability* c;
            long error = Lookup(handle, CapabilityType.None, 0, out c);
            if (error != 0) return error;
            removed = *c;
            c->Type = CapabilityType.None;
            c->Object = null;
            c->Rights = 0;
            c->Badge = 0;
            c->Generation = (ushort)(c->Generation == 0xFFFF ? 1 : c->Generation + 1);
            return 0;
        }

        public int Count
        {
            get
            {
                int n = 0;
                for (int i = 0; i < Slots; i++) if (Slot(i)->Type != CapabilityType.None) n++;
                return n;
            }
        }

        // For teardown: the capability in slot `index`, or null if the slot is free.
        public Capability* At(int index) => index < Slots && Slot(index)->Type != CapabilityType.None ? Slot(index) : null;
    }
}
