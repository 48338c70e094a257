// The pages of fs's data window (Biscuit.Fs.Protocol/DataWindow.cs) as fs holds them: its own
// memory, outside the GC heap, granted into the client whose MapDataWindow is being served.
// fs touches them at will (they are its own: a client's death removes them only from the client);
// at most one grant exists at a time (a new grant revokes the previous one).
// KernelDataWindowPages is the real one; the host tests use memory a fake client can see.
using System.Runtime.InteropServices;
using Biscuit.Annotations;
using Biscuit.Fs.Protocol;
using Biscuit.Lib.Kernel;

namespace Biscuit.Fs.Service;

public interface IDataWindowPages
{
    /// <summary>Grants the window to the caller being served, at `address`: 0, or a negated errno
    /// (EEXIST: the client uses that range; EFAULT: not a user address; ENOMEM; ESRCH).</summary>
    int GrantToCaller(long address);

    /// <summary>Takes the window back from the client (nothing if none is granted).</summary>
    void Revoke();

    /// <summary>fs's own view of the window's bytes from `offset`.</summary>
    Span<byte> Bytes(int offset, int length);
}

/// <summary>The window on Biscuit: DataWindowLimits' bytes allocated page aligned (off the GC heap)
/// and touched at the first grant, so that every page is present and owned, which grant_create
/// requires. Guarded by FileService's gate.</summary>
public sealed unsafe class KernelDataWindowPages : IDataWindowPages
{
    private const int WindowBytes = DataWindowLimits.Slots * DataWindowLimits.SlotBytes;
    private byte* pages;        // null until the first grant
    private long grant = -1;    // the grant handle, or -1

    /// <summary>Allocates nothing on the GC heap: the pages are native memory, the rest system calls.</summary>
    [AssumeAllocation(0)]
    public int GrantToCaller(long address)
    {
        if (pages == null)
        {
            pages = (byte*)NativeMemory.AlignedAlloc(WindowBytes, DataWindowLimits.PageBytes);
            if (pages == null) return -Errno.ENOMEM;
            NativeMemory.Clear(pages, WindowBytes);
        }
        Revoke();
        long r = Syscalls.Invoke(SyscallNumbers.GrantCreate, 0, (long)pages, WindowBytes / DataWindowLimits.PageBytes, address, 1);
        if (r < 0) return (int)r;
        grant = r;
        return 0;
    }

    [AssumeAllocation(0)]
    public void Revoke()
    {
        if (grant < 0) return;
        Syscalls.Invoke(SyscallNumbers.GrantRevoke, grant);
        grant = -1;
    }

    public Span<byte> Bytes(int offset, int length) => new(pages + offset, length);
}
