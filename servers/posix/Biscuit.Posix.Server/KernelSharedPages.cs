// ISharedPages over Biscuit's calls: the pages that back MAP_SHARED file mappings live in posix's own
// address space, outside its GC heap — reserved with the kernel's core mmap (PROT_NONE costs nothing),
// committed one page at a time (mprotect, then a write that makes the kernel give posix an Owned frame:
// grant_create needs present pages the source owns), given back with madvise(MADV_DONTNEED); and they
// are shown in applications with grant_create/grant_revoke (Syscalls.md "Memory").
// Invariant: every method answers a value or a negative errno, as the kernel does; none throws.
using Biscuit.Lib.Kernel;
using Biscuit.Posix;

namespace Biscuit.Posix.Server;

public sealed unsafe class KernelSharedPages : ISharedPages
{
    private const long Mmap = 9, Mprotect = 10, Munmap = 11, Madvise = 28, MadvDontNeed = 4;
    private const long Page = 4096;

    public long Reserve(ulong pages) =>
        Syscalls.Invoke(Mmap, 0, (long)pages * Page, Mman.PROT_NONE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_NORESERVE, -1, 0);

    public void Unreserve(ulong address, ulong pages) => Syscalls.Invoke(Munmap, (long)address, (long)pages * Page);

    public long Commit(ulong address)
    {
        long r = Syscalls.Invoke(Mprotect, (long)address, Page, Mman.PROT_READ | Mman.PROT_WRITE);
        if (r < 0) return r;
        // The first touch brings the frame in (demand-zero); a write, so that it is a frame of its own.
        System.Threading.Volatile.Write(ref *(byte*)address, 0);
        return 0;
    }

    public void Decommit(ulong address)
    {
        Syscalls.Invoke(Madvise, (long)address, Page, MadvDontNeed);
        Syscalls.Invoke(Mprotect, (long)address, Page, Mman.PROT_NONE);
    }

    public Span<byte> PageAt(ulong address) => new((void*)address, (int)Page);

    public long Grant(KernelProcess target, ulong source, ulong pages, ulong targetAddress, bool writable) =>
        Syscalls.Invoke(SyscallNumbers.GrantCreate, target.Handle, (long)source, (long)pages, (long)targetAddress, writable ? 1 : 0);

    public long Revoke(long grant) => Syscalls.Invoke(SyscallNumbers.GrantRevoke, grant);
}
