// The only object allocator the kernel has: a bump allocator over one region of memory that the
// kernel hands over at boot. Objects are never freed (there is no GC). When boot is complete the
// kernel seals the arena; any allocation after that is a panic, which is how "the kernel never
// allocates after boot" is enforced rather than hoped for.
// Invariants: Next <= Limit; every object is 8-byte aligned and zeroed; nothing allocates once Sealed.
namespace Internal.Runtime
{
    public static unsafe class BootArena
    {
        // All fields: owned by the boot CPU; written only before Seal().
        private static byte* s_next;
        private static byte* s_limit;
        private static byte* s_start;
        private static bool s_sealed;

        public static void Give(byte* start, nuint size)
        {
            s_start = start;
            s_next = start;
            s_limit = start + size;
        }

        public static void Seal() => s_sealed = true;
        public static bool Sealed => s_sealed;
        public static nuint BytesUsed => (nuint)(s_next - s_start);

        // Returns zeroed memory for one object of `size` bytes including its 8-byte header; the
        // returned pointer is where the MethodTable pointer goes (just after the header).
        internal static void* AllocateObject(nuint size)
        {
            if (s_sealed)
                RuntimeFailure.Report(FailureReason.AllocationAfterBoot, size);
            size = (size + 7) & ~(nuint)7;
            if (s_next == null || size > (nuint)(s_limit - s_next))
                RuntimeFailure.Report(FailureReason.OutOfMemory, size);
            byte* block = s_next;
            s_next += size;
            Memory.Zero(block, size);
            return block + sizeof(nint);
        }
    }
}
