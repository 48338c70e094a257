// The slots' pages granted to the client whose Connect is being served (grant_create with process 0:
// the caller the serving thread owes a reply, Syscalls.md 0x852). Writable: the client fills slots
// before a Write and reads them after a Read. At most one grant exists: a new Connect revokes the
// previous one first (a restarted client's old window is gone with it; revoking it is harmless).
// Invariant: `grant` is touched only under BlockService's gate (Connect is serialised there).
using Biscuit.Lib.Kernel;

namespace Biscuit.VirtioBlk;

public sealed class KernelWindowGrant(long sourceAddress, long pages) : IWindowGrant
{
    private long grant = -1;   // the grant handle, or -1

    public int GrantToCaller(long targetAddress)
    {
        if (grant >= 0)
        {
            Syscalls.Invoke(SyscallNumbers.GrantRevoke, grant);
            grant = -1;
        }
        long r = Syscalls.Invoke(SyscallNumbers.GrantCreate, 0, sourceAddress, pages, targetAddress, 1);
        if (r < 0) return (int)-r;
        grant = r;
        return 0;
    }
}
