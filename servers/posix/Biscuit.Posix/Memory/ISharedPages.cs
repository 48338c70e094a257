// posix's own pages that back shared file mappings, and the grants that show them in applications
// (Syscalls.md "Memory": grant_create 0x852, grant_revoke 0x853). The server program implements it
// over the kernel's core mmap/mprotect/madvise in posix's own address space (outside its GC heap) and
// the grant calls; host tests implement it over the fake kernel's page dictionaries.
// Rules the implementations keep (the kernel's): a grant needs committed source pages and free target
// pages; revoking removes from the target only the entries that still show the grant's pages, so a
// target that has since unmapped or reused the range loses nothing; posix's pages stay posix's
// (the target never frees them).
namespace Biscuit.Posix;

public interface ISharedPages
{
    /// <summary>Reserves `pages` pages of posix's own address space (no memory yet): the address, or -errno.</summary>
    long Reserve(ulong pages);

    /// <summary>Gives a reservation back; none of its pages may be granted any more.</summary>
    void Unreserve(ulong address, ulong pages);

    /// <summary>Makes the page at `address` (inside a reservation) a zeroed page posix owns, present and
    /// writable: 0, or -ENOMEM.</summary>
    long Commit(ulong address);

    /// <summary>Gives the page's frame back (it reads as zero if committed again); no grant may cover it.</summary>
    void Decommit(ulong address);

    /// <summary>posix's view of a committed page.</summary>
    Span<byte> PageAt(ulong address);

    /// <summary>grant_create: `pages` committed pages at `source` appear in `target` at `targetAddress`,
    /// writable or read-only: the grant's handle, or -errno (EEXIST, ENOMEM, EMFILE, ESRCH...).</summary>
    long Grant(KernelProcess target, ulong source, ulong pages, ulong targetAddress, bool writable);

    /// <summary>grant_revoke: the pages leave the target (if it lives and still shows them); the handle closes.</summary>
    long Revoke(long grant);
}
