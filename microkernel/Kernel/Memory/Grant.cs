// A grant: pages a process owns, mapped into another process it names, read-only or read-write,
// until the granting process revokes it (or dies, which revokes all of its grants). The target
// never owns granted frames, so its death cannot free them; the source's death unmaps them from
// the target first, so the target can never reach a freed frame.
// Ownership: grants live in the Grants pool, linked on their source process (SourceNext).
using Biscuit.Kernel.Processes;

namespace Biscuit.Kernel.Memory
{
    public unsafe struct Grant
    {
        public Process* Source;
        public Process* Target;
        public ulong TargetId;          // Target is only valid while its Id still equals this
        public ulong SourceAddress;
        public ulong TargetAddress;
        public ulong Pages;
        public bool Writable;
        public bool Mapped;             // still mapped into the target
        public Grant* SourceNext;
    }
}
