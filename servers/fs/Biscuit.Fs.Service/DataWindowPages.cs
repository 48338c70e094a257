// The pages of fs's data window (Biscuit.Fs.Protocol/DataWindow.cs) as fs holds them: its own
// memory, outside the GC heap, granted into the client whose MapDataWindow is being served.
// fs touches them at will (they are its own: a client's death removes them only from the client);
// at most one grant exists at a time (a new grant revokes the previous one). The same pages are lent
// to the block driver for direct reads (WindowDisk.cs).
// KernelDataWindowPages is the real one; the host tests use memory a fake client can see.
using Biscuit.Annotations;
using Biscuit.Block.Protocol;
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

/// <summary>The window on Biscuit: DataWindowLimits' bytes of MAP_SHARED|MAP_ANONYMOUS memory (off the
/// GC heap), every page touched at once so that it is present and owned, which grant_create requires.
/// Shared memory because the block driver pins these frames (dma_pin holds a share of each): a private
/// page with another holder would be copied away from the pin at fs's next grant of it
/// (Syscalls.md 0x86D). Also the loan of the same pages to the driver (IWindowLoan), through the
/// driver's endpoint. Guarded by FileService's gate; the loan by RemoteBlockDevice's caller (the
/// library's lock), one at a time.</summary>
public sealed unsafe class KernelDataWindowPages : IDataWindowPages, IWindowLoan
{
    private const int WindowBytes = DataWindowLimits.Slots * DataWindowLimits.SlotBytes;
    private const long Mmap = 9, ProtReadWrite = 3, MapSharedAnonymous = 0x01 | 0x20;
    private readonly byte* pages;
    private readonly Handle driver;     // the block driver's endpoint (None: nothing is lent)
    private long grant = -1;            // the grant to the client, or -1
    private long loan = -1;             // the grant to the driver, or -1

    public KernelDataWindowPages(Handle driver = default)
    {
        this.driver = driver;
        long r = Syscalls.Invoke(Mmap, 0, WindowBytes, ProtReadWrite, MapSharedAnonymous, -1, 0);
        if (r < 0) throw new InvalidOperationException($"fs: the data window's {WindowBytes} bytes could not be mapped: errno {-r}");
        pages = (byte*)r;
        for (int offset = 0; offset < WindowBytes; offset += DataWindowLimits.PageBytes) pages[offset] = 0;
    }

    public int Pages => WindowBytes / DataWindowLimits.PageBytes;

    /// <summary>Allocates nothing on the GC heap: system calls only.</summary>
    [AssumeAllocation(0)]
    public int GrantToCaller(long address)
    {
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

    public int LendToDriver()
    {
        if (driver.IsNone) return Errno.EOPNOTSUPP;
        if (loan >= 0)
        {
            Syscalls.Invoke(SyscallNumbers.GrantRevoke, loan);
            loan = -1;
        }
        long r = Syscalls.Invoke(SyscallNumbers.GrantCreate, driver.Value, (long)pages, Pages, DirectWindow.Address, 1);
        if (r < 0) return (int)-r;
        loan = r;
        return 0;
    }

    public Span<byte> Bytes(int offset, int length) => new(pages + offset, length);
}
