// The slot window granted to the client whose Attach is being served (grant_create with process 0:
// the caller the serving thread owes a reply, Syscalls.md 0x852): the RX slots read-only (the
// client only reads frames; the device writes them), the TX slots writable right after them. At most
// one pair of grants exists: a new Attach revokes the previous pair first.
// Invariant: the grant handles are touched only under NicService's gate (Attach is serialised there).
using Biscuit.Annotations;
using Biscuit.Lib.Kernel;

namespace Biscuit.Nic;

public sealed class KernelSlotWindow(long sourceAddress, long rxPages, long txPages) : ISlotWindow
{
    private long rxGrant = -1, txGrant = -1;   // grant handles, or -1

    public int GrantToCaller(long targetAddress)
    {
        if (rxGrant >= 0) Syscalls.Invoke(SyscallNumbers.GrantRevoke, rxGrant);
        if (txGrant >= 0) Syscalls.Invoke(SyscallNumbers.GrantRevoke, txGrant);
        rxGrant = txGrant = -1;
        long rx = Syscalls.Invoke(SyscallNumbers.GrantCreate, 0, sourceAddress, rxPages, targetAddress, 0);
        if (rx < 0) return (int)-rx;
        long tx = Syscalls.Invoke(SyscallNumbers.GrantCreate, 0, sourceAddress + rxPages * 4096, txPages, targetAddress + rxPages * 4096, 1);
        if (tx < 0)
        {
            Syscalls.Invoke(SyscallNumbers.GrantRevoke, rx);
            return (int)-tx;
        }
        rxGrant = rx;
        txGrant = tx;
        return 0;
    }
}

/// <summary>The client's notification, signalled on bit 1 (NicBits.FramesWaiting) when frames wait.</summary>
public sealed class KernelClientSignal(Handle handle) : IClientSignal
{
    public const ulong FramesWaiting = 1;

    [AssumeAllocation(0)]
    public void Signal() => Syscalls.Invoke(SyscallNumbers.NotifySignal, handle.Value, (long)FramesWaiting);

    [AssumeAllocation(0)]
    public void Release() => handle.Close();
}
