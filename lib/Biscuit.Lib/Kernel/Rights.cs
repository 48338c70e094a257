// Capability rights and types, as the kernel defines them (Syscalls.md "Handles and rights";
// microkernel/Kernel/Capabilities/Capability.cs). handle_info returns type | rights << 8.
namespace Biscuit.Lib.Kernel;

[Flags]
public enum Rights : uint
{
    None = 0,
    Send = 1,        // ipc_call, ipc_send
    Receive = 2,     // ipc_recv, ipc_reply_recv
    Signal = 4,      // notify_signal; target of irq_bind / process_watch
    Wait = 8,        // notify_wait, notify_poll
    Control = 16,    // process kill/watch/grant-to; grant revoke; device rights
    Transfer = 32,   // passing the handle in a message or at spawn
    Duplicate = 64,  // handle_dup
}

public enum CapabilityType : byte
{
    None = 0,
    Endpoint = 1,
    Notification = 2,
    Process = 3,
    Grant = 4,
    Irq = 5,
    Mmio = 6,
    IoPorts = 7,
    DeviceManager = 8,
    Console = 9,
}
