// One file's shared pages (a regular file of fs, named by its inode) while some process maps it
// MAP_SHARED: the file's pages are held once, in posix's own address space (ISharedPages), and each
// MAP_SHARED mapping shows them through grants. The record of which pages are held and which may be
// dirty; SharedFileTable does the work and holds the one lock (its `gate`) that guards every field here.
// Invariants:
//  - page i of the file lives at Arena + i*4096 and is held (committed, filled from the file) iff
//    State[i] has Held; a held page's bytes are the newest bytes of the file at that offset (write()
//    copies into it, a store through a mapping lands in it), up to the file's size; bytes past the
//    size read as zero;
//  - MayBeDirty marks held pages a writable grant has shown: posix cannot see the MMU's dirty bits of
//    another process, so every such page is written back (up to the size) on msync, munmap, exit and
//    when the last mapping goes;
//  - Source is an open description of the file on which this object holds a reference (as Linux's
//    vma->vm_file), so its fs node stays open for filling and writing back after the application
//    closes its descriptor.
namespace Biscuit.Posix;

public sealed class SharedFile(ulong inode, FsFile source, ulong arena, ulong capacity)
{
    public const byte Held = 1, MayBeDirty = 2;

    public ulong Inode => inode;
    public FsFile Source => source;
    public ulong Arena => arena;
    public ulong Capacity => capacity;                    // pages reserved at Arena
    internal readonly byte[] State = new byte[capacity];  // guarded by SharedFileTable.gate
    internal ulong HeldPages;                             // guarded by SharedFileTable.gate: pages with Held

    public ulong PageAddress(ulong page) => arena + page * Mman.PageSize;
    public bool IsHeld(ulong page) => page < capacity && (State[page] & Held) != 0;
}

/// <summary>A run of a MAP_SHARED mapping shown by one grant: `Pages` pages of `File` from `FirstPage`,
/// at `Address` in `Process`. Owned by SharedFileTable (guarded by its gate).</summary>
public sealed record GrantedRun(SharedFile File, KernelProcess Process, ulong Address, ulong FirstPage, ulong Pages, bool Writable, long Grant)
{
    public ulong End => Address + Pages * Mman.PageSize;
    public bool Overlaps(ulong start, ulong end) => Address < end && start < End;
}
