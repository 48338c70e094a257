// MAP_SHARED file mappings, coherent with read(2)/write(2) (issue 8; servers/posix/README.md
// "Shared file mappings" has the design and why the pages are posix's).
//
// One SharedFile per inode while any process maps it MAP_SHARED. Its pages are held once, in posix's
// own address space, and granted (grant_create) into each mapping process at the mapping's address,
// writable if the descriptor was opened for writing. While the object exists every read(2), write(2),
// pread/pwrite, sendfile and ftruncate(2) of that inode through posix passes here: reads see the held
// pages (so a store through a mapping is read back at once), writes go to fs and into the held pages
// (so another process's mapping sees a write(2) at once). Dirty pages go back to fs on msync(2), on
// munmap(2) (the kernel does the unmap, then forwards the call here: Syscalls.md "Forwarded Linux
// calls"), when a mapping process dies or execs, and when the last mapping of the file goes (the
// object then gives its pages back). fork(2) grants the parent's shared runs into the child at the
// same addresses (the kernel does not copy granted pages).
//
// Rules (POSIX mmap(2), Linux mm/filemap.c): pages wholly past the end of the file when mmap is called
// are not granted; they stay a PROT_NONE reservation, so a touch is SIGSEGV (Linux: SIGBUS), even if
// the file grows later. Bytes past the end in the last page read as zero and are never written to the
// file. A truncation zeroes the held bytes past the new end (the pages stay mapped, reading zero).
// Bounds: at most MaxPages pages held over all files (mmap beyond: ENOMEM) and at most MaxGrants
// grants (each covers at most GrantPages pages): posix's handle table has 256 slots.
// Locking: `gate` guards the table, every SharedFile and every run; fs calls are made under it (fs
// never calls posix), so a write(2), a write-back and the filling of a page never interleave. While
// no file is mapped, reads go straight to fs without the lock (a read under way when a file gets
// mapped returns fs's bytes of that moment, as if it had finished first); writes always take it, or
// one could reach fs after the page it changes was filled and never be seen through the mapping (fs
// serves one request at a time anyway).
namespace Biscuit.Posix;

public sealed class SharedFileTable(IFileSystem fs, ISharedPages pages, ulong maxPages = SharedFileTable.DefaultMaxPages,
    int maxGrants = SharedFileTable.DefaultMaxGrants)
{
    public const ulong DefaultMaxPages = 4096;    // 16 MiB of file pages held, over all shared files
    public const int DefaultMaxGrants = 64;
    public const ulong GrantPages = 1024;         // the kernel's largest grant (GrantControl.MaxPages)
    private const ulong Page = Mman.PageSize;

    private readonly object gate = new();
    private readonly Dictionary<ulong, SharedFile> files = [];   // guarded by gate: by inode
    private readonly List<GrantedRun> runs = [];                 // guarded by gate: every live grant
    private ulong heldPages;                                      // guarded by gate: over all files
    private volatile int fileCount;                               // files.Count, written under gate: read without it
                                                                  // so that reads of unmapped files take no lock

    public ulong HeldPages { get { lock (gate) return heldPages; } }
    public int Grants { get { lock (gate) return runs.Count; } }
    public int Files { get { lock (gate) return files.Count; } }
    public ulong MaxPages => maxPages;

    /// <summary>Shows `length` bytes of `file` from `offset` (page aligned) at `address` in `process`,
    /// where posix has just reserved the range: the pages within the file's size are granted (writable
    /// if `writable`), the rest stay reserved. 0, or -ENOMEM past the bounds, or the kernel's error.</summary>
    public long Map(FsFile file, ulong inode, KernelProcess process, ulong address, ulong offset, ulong length, bool writable)
    {
        lock (gate)
        {
            long r = fs.Attributes(file.Node, out var attributes);
            if (r < 0) return r;
            ulong firstPage = offset / Page, pageCount = Mman.PageUp(length) / Page;
            ulong pagesInFile = Mman.PageUp((ulong)attributes.Size) / Page;
            ulong granted = pagesInFile > firstPage ? Math.Min(pageCount, pagesInFile - firstPage) : 0;
            ForgetStale(process, address, address + pageCount * Page);
            if (granted == 0) return 0;
            if (firstPage + granted > maxPages) return -Errno.ENOMEM;

            bool created = !files.TryGetValue(inode, out var shared);
            if (shared is null)
            {
                long arena = pages.Reserve(maxPages);
                if (arena < 0) return arena;
                file.AddReference();
                shared = new SharedFile(inode, file, (ulong)arena, maxPages);
                files[inode] = shared;
                fileCount = files.Count;
            }
            r = Hold(shared, firstPage, granted);
            if (r == 0) r = GrantRuns(shared, process, address, firstPage, granted, writable);
            if (r < 0 && created && !HasRuns(shared)) Retire(shared);
            return r;
        }
    }

    /// <summary>The process unmapped [address, address+length) (the kernel has already removed its
    /// pages): the runs there are written back and revoked; what remains of a run cut in the middle is
    /// granted again. A file left with no mapping is written back and let go.</summary>
    public void Unmapped(KernelProcess process, ulong address, ulong length)
    {
        lock (gate) CutOut(process, address, address + Mman.PageUp(length));
    }

    /// <summary>msync(2): the files mapped in [address, address+length) are written back; with
    /// `durable` (MS_SYNC) fs is asked to make them durable too. 0 or the first error.</summary>
    public long Sync(KernelProcess process, ulong address, ulong length, bool durable)
    {
        ulong end = address + Mman.PageUp(length);
        lock (gate)
        {
            long result = 0;
            foreach (var shared in runs.Where(x => x.Process == process && x.Overlaps(address, end)).Select(x => x.File).Distinct().ToList())
            {
                long r = WriteBack(shared);
                if (r >= 0 && durable) r = fs.Fsync(shared.Source.Node);
                if (r < 0 && result == 0) result = r;
            }
            return result;
        }
    }

    /// <summary>The kernel process died (exit, a signal, or execve replacing it): its runs are revoked
    /// and their files written back; files no one maps any more are let go.</summary>
    public void ProcessGone(KernelProcess process)
    {
        lock (gate)
        {
            var touched = new HashSet<SharedFile>();
            foreach (var run in runs.Where(x => x.Process == process).ToList())
            {
                touched.Add(run.File);
                RevokeRun(run);
            }
            foreach (var shared in touched) Settle(shared);
        }
    }

    /// <summary>fork(2): `child` (not started yet) gets the parent's shared runs at the same addresses,
    /// sharing the same pages. 0, or -errno with nothing granted to the child.</summary>
    public long Inherit(KernelProcess parent, KernelProcess child)
    {
        lock (gate)
        {
            foreach (var run in runs.Where(x => x.Process == parent).ToList())
            {
                long r = GrantRuns(run.File, child, run.Address, run.FirstPage, run.Pages, run.Writable);
                if (r < 0)
                {
                    foreach (var made in runs.Where(x => x.Process == child).ToList()) RevokeRun(made);
                    return r;
                }
            }
            return 0;
        }
    }

    /// <summary>read(2)/pread of a file: fs's bytes, with the held pages' bytes (the newest) over them.</summary>
    public long Read(FsNode node, ulong inode, long offset, Span<byte> into)
    {
        if (fileCount == 0) return fs.Read(node, offset, into);   // nothing is mapped: fs is the truth
        lock (gate)
        {
            if (!files.TryGetValue(inode, out var shared)) return fs.Read(node, offset, into);
            long n = fs.Read(node, offset, into);
            if (n > 0) CopyFromHeld(shared, offset, into[..(int)n]);
            return n;
        }
    }

    /// <summary>write(2)/pwrite of a file: to fs, and into the held pages so that mappings see it. A
    /// write that extends the file first zeroes the held bytes past the old end (stores made there
    /// through a mapping never become file data).</summary>
    public long Write(FsNode node, ulong inode, long offset, ReadOnlySpan<byte> from)
    {
        lock (gate)
        {
            if (!files.TryGetValue(inode, out var shared)) return fs.Write(node, offset, from);
            long r = fs.Attributes(node, out var before);
            if (r < 0) return r;
            long n = fs.Write(node, offset, from);
            if (n <= 0) return n;
            if (offset + n > before.Size) ZeroHeldFrom(shared, before.Size);
            CopyToHeld(shared, offset, from[..(int)n]);
            return n;
        }
    }

    /// <summary>ftruncate(2): fs's size changes, and the held bytes past the smaller of the two ends read zero.</summary>
    public long Truncate(FsNode node, ulong inode, long size)
    {
        lock (gate)
        {
            if (!files.TryGetValue(inode, out var shared)) return fs.Truncate(node, size);
            long r = fs.Attributes(node, out var before);
            if (r < 0) return r;
            r = fs.Truncate(node, size);
            if (r >= 0) ZeroHeldFrom(shared, Math.Min(before.Size, size));
            return r;
        }
    }

    /// <summary>fsync(2) of a mapped file writes its dirty pages back first.</summary>
    public long Flush(ulong inode)
    {
        lock (gate) return files.TryGetValue(inode, out var shared) ? WriteBack(shared) : 0;
    }

    // Commits and fills from the file every page of [first, first+count) not yet held.
    private long Hold(SharedFile shared, ulong first, ulong count)
    {
        ulong missing = 0;
        for (ulong p = first; p < first + count; p++) if (!shared.IsHeld(p)) missing++;
        if (heldPages + missing > maxPages) return -Errno.ENOMEM;
        for (ulong p = first; p < first + count; p++)
        {
            if (shared.IsHeld(p)) continue;
            long r = pages.Commit(shared.PageAddress(p));
            if (r < 0) return r;
            shared.State[p] = SharedFile.Held;
            shared.HeldPages++;
            heldPages++;
            var page = pages.PageAt(shared.PageAddress(p));
            r = fs.Read(shared.Source.Node, (long)(p * Page), page);
            if (r < 0) return r;
            page[(int)r..].Clear();
        }
        return 0;
    }

    // Grants [first, first+count) of the file at `address` in `process`, in runs of at most GrantPages.
    // All or nothing: on failure the runs made here are revoked.
    private long GrantRuns(SharedFile shared, KernelProcess process, ulong address, ulong first, ulong count, bool writable)
    {
        int before = runs.Count;
        for (ulong done = 0; done < count;)
        {
            ulong n = Math.Min(GrantPages, count - done);
            long grant = runs.Count >= maxGrants ? -Errno.ENOMEM
                : pages.Grant(process, shared.PageAddress(first + done), n, address + done * Page, writable);
            if (grant < 0)
            {
                foreach (var made in runs.Skip(before).ToList()) RevokeRun(made);
                return grant;
            }
            runs.Add(new GrantedRun(shared, process, address + done * Page, first + done, n, writable, grant));
            if (writable)
                for (ulong p = first + done; p < first + done + n; p++) shared.State[p] |= SharedFile.MayBeDirty;
            done += n;
        }
        return 0;
    }

    private void RevokeRun(GrantedRun run)
    {
        pages.Revoke(run.Grant);
        runs.Remove(run);
    }

    // The kernel gave [start, end) of `process` out again, so any run posix still records there was
    // unmapped behind its back (a MAP_FIXED mapping over it): forget that part.
    private void ForgetStale(KernelProcess process, ulong start, ulong end) => CutOut(process, start, end);

    // [start, end) of `process` shows none of the files any more: the runs there are revoked, and what
    // remains of a run cut in the middle is granted again on either side; then the files are settled.
    private void CutOut(KernelProcess process, ulong start, ulong end)
    {
        var touched = new HashSet<SharedFile>();
        foreach (var run in runs.Where(x => x.Process == process && x.Overlaps(start, end)).ToList())
        {
            touched.Add(run.File);
            RevokeRun(run);
            if (run.Address < start)
                GrantRuns(run.File, process, run.Address, run.FirstPage, (start - run.Address) / Page, run.Writable);
            if (run.End > end)
            {
                ulong skipped = (end - run.Address) / Page;
                GrantRuns(run.File, process, end, run.FirstPage + skipped, run.Pages - skipped, run.Writable);
            }
        }
        foreach (var shared in touched) Settle(shared);
    }

    private bool HasRuns(SharedFile shared) => runs.Any(x => x.File == shared);

    // After runs of the file went: write back; let the file go if no one maps it now.
    private void Settle(SharedFile shared)
    {
        WriteBack(shared);
        if (!HasRuns(shared)) Retire(shared);
    }

    // Writes every held page a writable grant may have changed back to fs, up to the file's size.
    // A page no writable run shows any more is clean afterwards.
    private long WriteBack(SharedFile shared)
    {
        var node = shared.Source.Node;
        long r = fs.Attributes(node, out var attributes);
        if (r < 0) return r;
        long result = 0;
        for (ulong p = 0; p < shared.Capacity; p++)
        {
            if ((shared.State[p] & (SharedFile.Held | SharedFile.MayBeDirty)) != (SharedFile.Held | SharedFile.MayBeDirty)) continue;
            long start = (long)(p * Page);
            if (start < attributes.Size)
            {
                int length = (int)Math.Min((long)Page, attributes.Size - start);
                long w = fs.Write(node, start, pages.PageAt(shared.PageAddress(p))[..length]);
                if (w < 0 && result == 0) result = w;
            }
            if (!runs.Any(x => x.File == shared && x.Writable && p >= x.FirstPage && p < x.FirstPage + x.Pages))
                shared.State[p] &= unchecked((byte)~SharedFile.MayBeDirty);
        }
        return result;
    }

    // The last mapping went (and the pages were written back): the pages and the reservation go back,
    // the description's reference is dropped, the object leaves the table.
    private void Retire(SharedFile shared)
    {
        for (ulong p = 0; p < shared.Capacity; p++)
        {
            if ((shared.State[p] & SharedFile.Held) == 0) continue;
            pages.Decommit(shared.PageAddress(p));
            shared.State[p] = 0;
            heldPages--;
        }
        shared.HeldPages = 0;
        pages.Unreserve(shared.Arena, shared.Capacity);
        files.Remove(shared.Inode);
        fileCount = files.Count;
        shared.Source.DropReference();
    }

    // The held pages' bytes over `into`, which holds the file's bytes from `offset`.
    private void CopyFromHeld(SharedFile shared, long offset, Span<byte> into)
    {
        for (int done = 0; done < into.Length;)
        {
            ulong at = (ulong)offset + (ulong)done, p = at / Page;
            int within = (int)(at % Page), n = Math.Min((int)Page - within, into.Length - done);
            if (shared.IsHeld(p)) pages.PageAt(shared.PageAddress(p)).Slice(within, n).CopyTo(into[done..]);
            done += n;
        }
    }

    // `from`, written at file offset `offset`, into the held pages it overlaps.
    private void CopyToHeld(SharedFile shared, long offset, ReadOnlySpan<byte> from)
    {
        for (int done = 0; done < from.Length;)
        {
            ulong at = (ulong)offset + (ulong)done, p = at / Page;
            int within = (int)(at % Page), n = Math.Min((int)Page - within, from.Length - done);
            if (shared.IsHeld(p)) from.Slice(done, n).CopyTo(pages.PageAt(shared.PageAddress(p))[within..]);
            done += n;
        }
    }

    // Held bytes at file offsets >= `size` become zero.
    private void ZeroHeldFrom(SharedFile shared, long size)
    {
        for (ulong p = (ulong)size / Page; p < shared.Capacity; p++)
        {
            if (!shared.IsHeld(p)) continue;
            int from = p == (ulong)size / Page ? (int)((ulong)size % Page) : 0;
            pages.PageAt(shared.PageAddress(p))[from..].Clear();
        }
    }
}
