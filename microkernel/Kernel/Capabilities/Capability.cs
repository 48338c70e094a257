// A capability: what a handle in a process's handle table names — the kind of kernel object, a
// pointer to it, the rights the holder has over it, and (for endpoints) a badge the kernel shows
// to the receiver so a server can tell its clients apart.
// Rights only ever shrink: duplication and transfer may drop rights, never add them.
namespace Biscuit.Kernel.Capabilities
{
    public enum CapabilityType : byte
    {
        None = 0, Endpoint, Notification, Process, Grant, Irq, Mmio, IoPorts, DeviceManager, Console,
    }

    public static class Rights
    {
        public const uint Send = 1 << 0;        // endpoint: call, send
        public const uint Receive = 1 << 1;     // endpoint: recv, reply_recv
        public const uint Signal = 1 << 2;      // notification: signal
        public const uint Wait = 1 << 3;        // notification: wait, poll
        public const uint Control = 1 << 4;     // process: kill, watch; grant: revoke; irq: bind, ack;
                                                // mmio: map; ioports: read/write; device manager: claim
        public const uint Transfer = 1 << 5;    // may be passed to another process in a message
        public const uint Duplicate = 1 << 6;   // may be duplicated (with equal or fewer rights)
        public const uint All = 0x7F;
    }

    public unsafe struct Capability
    {
        public CapabilityType Type;
        public ushort Generation;     // bumped when the slot is freed, so stale handles fail
        public uint Rights;
        public void* Object;
        public ulong Badge;
    }
}
