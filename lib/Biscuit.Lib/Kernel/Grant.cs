// A grant: pages this process owns, mapped into another process at an address the granter chose
// (Syscalls.md "Memory"). Bulk data (file pages, packets) moves this way instead of through
// messages. The grant handle has only Control; revoking unmaps the pages from the target and
// closes the handle. A process's death revokes its grants.
namespace Biscuit.Lib.Kernel;

public readonly record struct Grant(Handle Handle)
{
    public const int PageSize = 4096;

    /// <summary>grant_create: `pages` pages at `source` (owned, and writable if `writable`) appear in
    /// `target` at `targetAddress`. Errors: EEXIST (target pages in use), EACCES, EFAULT, ESRCH.</summary>
    public static KernelResult<Grant> Create(ProcessHandle target, nint source, long pages, nint targetAddress, bool writable)
    {
        long r = Syscalls.Invoke(SyscallNumbers.GrantCreate, target.Handle.Value, source, pages, targetAddress, writable ? 1 : 0);
        return r < 0 ? KernelResult<Grant>.Fail(KernelErrors.FromResult(r)) : KernelResult<Grant>.Ok(new Grant(new Handle((uint)r)));
    }

    /// <summary>grant_revoke: unmap from the target and close this handle.</summary>
    public KernelError Revoke() => KernelErrors.FromResult(Syscalls.Invoke(SyscallNumbers.GrantRevoke, Handle.Value));
}
