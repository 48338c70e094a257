// A server's data window as it holds it: `Bytes` of its own memory, page aligned and outside the GC
// heap, granted (grant_create, writable) into the client whose request is being served, so bulk data
// moves through shared pages instead of messages (DESIGN.md §4). The server touches the pages at
// will: they are its own, and a client's death removes them only from the client.
// Invariants: the pages are allocated and zeroed at the first grant and never freed (every page is
// then present and owned, which grant_create requires); at most one grant exists at a time (a new
// grant revokes the previous one). Not thread-safe: the owner's lock guards it.
// Used by net's socket window (Biscuit.Net.Service); fs's file window (Biscuit.Fs.Service/
// DataWindowPages.cs) does the same with its own copy, older than this helper.
using System.Runtime.InteropServices;
using Biscuit.Annotations;

namespace Biscuit.Lib.Kernel;

public sealed unsafe class GrantedWindow(int bytes)
{
    private readonly int bytes = bytes > 0 && bytes % Grant.PageSize == 0 ? bytes : throw new ArgumentOutOfRangeException(nameof(bytes));
    private byte* pages;        // null until the first grant
    private long grant = -1;    // the grant handle, or -1

    public int Length => bytes;

    /// <summary>Grants the window to the caller being served (grant_create's target 0), at `address`:
    /// 0, or a negated errno (EEXIST: the client uses that range; EFAULT: not a user address; ENOMEM; ESRCH).</summary>
    [AssumeAllocation(0)]
    public int GrantToCaller(long address)
    {
        if (pages == null)
        {
            pages = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, Grant.PageSize);
            if (pages == null) return -12;   // ENOMEM
            NativeMemory.Clear(pages, (nuint)bytes);
        }
        Revoke();
        long r = Syscalls.Invoke(SyscallNumbers.GrantCreate, 0, (long)pages, bytes / Grant.PageSize, address, 1);
        if (r < 0) return (int)r;
        grant = r;
        return 0;
    }

    /// <summary>Takes the window back from the client (nothing if none is granted).</summary>
    [AssumeAllocation(0)]
    public void Revoke()
    {
        if (grant < 0) return;
        Syscalls.Invoke(SyscallNumbers.GrantRevoke, grant);
        grant = -1;
    }

    /// <summary>The server's own view of the window's bytes from `offset` (after a grant allocated them).</summary>
    public Span<byte> Bytes(int offset, int length) =>
        pages == null || offset < 0 || length < 0 || offset > bytes - length ? throw new ArgumentOutOfRangeException(nameof(offset)) : new(pages + offset, length);
}
