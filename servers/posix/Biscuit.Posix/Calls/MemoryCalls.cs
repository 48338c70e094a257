// mmap(2) of a file, msync(2), and munmap(2) of a shared file mapping (the kernel answers anonymous
// mmap itself and forwards the rest; Syscalls.md "Forwarded Linux calls").
//  - MAP_PRIVATE: an anonymous private mapping made with process_mmap and filled from the file, zero
//    past its end — what ld.so needs to load libraries. Later writes to the file are not seen (Linux
//    leaves that unspecified until the page is written; here it is never seen).
//  - MAP_SHARED: the range is reserved with process_mmap (PROT_NONE) and the file's shared pages are
//    granted into it (Memory/SharedFileTable.cs), then protected as asked.
//  - munmap: the kernel unmaps (it is a core call) and, when the range held granted pages, forwards
//    the call here afterwards so that posix writes back and revokes; the answer is always 0.
//  - msync: the shared files mapped in the range are written back (MS_SYNC also fsyncs).
// Rules kept (mmap(2), msync(2) ERRORS): length 0, an offset that is not page aligned, or neither/both
// of MAP_PRIVATE and MAP_SHARED is EINVAL; a descriptor that is not a readable regular file is EACCES
// (ENODEV for pipes, sockets and devices); MAP_SHARED with PROT_WRITE needs a descriptor open for
// writing (EACCES); a bad descriptor is EBADF (Linux mm/mmap.c do_mmap's order).
namespace Biscuit.Posix;

public static class MemoryCalls
{
    private const int PassedFlags = Mman.MAP_FIXED | Mman.MAP_FIXED_NOREPLACE | Mman.MAP_NORESERVE;
    private const int MunmapNumber = 11, MsyncNumber = 26;
    public const int MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4;
    public const int FillChunk = 256 * 1024;

    public static void Register(SyscallTable t)
    {
        t.Add(LinuxCall.Mmap, "mmap", MapFile);
        t.Add(MunmapNumber, "munmap", Unmapped);
        t.Add(MsyncNumber, "msync", Msync);
    }

    private static long MapFile(CallContext c)
    {
        ulong address = c.Arg(0), length = c.Arg(1), offset = c.Arg(5);
        int prot = c.IntArg(2), flags = c.IntArg(3), fd = c.IntArg(4);
        if (length == 0 || offset % Mman.PageSize != 0 || length > ElfImage.UserTop) return -Errno.EINVAL;
        if ((flags & Mman.MAP_ANONYMOUS) != 0) return -Errno.EINVAL;   // the kernel serves anonymous mappings
        int type = flags & Mman.MAP_TYPE;
        var file = c.Fds.Get(fd);
        if (type is not (Mman.MAP_PRIVATE or Mman.MAP_SHARED or 3)) return -Errno.EINVAL;
        if (file is not FsFile fsFile) return file is FsDirectory ? -Errno.EACCES : -Errno.ENODEV;
        if (!file.CanRead) return -Errno.EACCES;
        return type == Mman.MAP_PRIVATE ? MapPrivate(c, fsFile, address, length, offset, prot, flags) : MapShared(c, fsFile, address, length, offset, prot, flags);
    }

    private static long MapPrivate(CallContext c, FsFile file, ulong address, ulong length, ulong offset, int prot, int flags)
    {
        var kernel = c.Posix.Kernel;
        var process = c.Process.Kernel;
        long mapped = kernel.Map(process, address, length, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | (flags & PassedFlags));
        if (mapped < 0) return mapped;
        ulong at = (ulong)mapped;
        long size = file.Status().Size;
        long available = Math.Max(0, size - (long)offset);
        long fill = Math.Min(available, (long)length);
        var chunk = new byte[Math.Min(fill, FillChunk)];
        for (long done = 0; done < fill;)
        {
            int piece = (int)Math.Min(chunk.Length, fill - done);
            long n = file.ReadAt(chunk.AsSpan(0, piece), (long)offset + done);
            if (n <= 0) break;   // the file shrank: the rest stays zero, as pages past EOF would
            long w = kernel.Write(process, at + (ulong)done, chunk.AsSpan(0, (int)n));
            if (w != n) { kernel.Map(process, at, length, Mman.PROT_NONE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED); return -Errno.EFAULT; }
            done += n;
        }
        if (prot != (Mman.PROT_READ | Mman.PROT_WRITE))
        {
            long r = kernel.Protect(process, at, Mman.PageUp(length), prot);
            if (r < 0) return r;
        }
        return mapped;
    }

    // MAP_SHARED: reserve, grant the file's pages (writable if the description may write, so that a
    // later mprotect(PROT_WRITE) works as on Linux), then protect as asked. On failure the range stays
    // reserved PROT_NONE (posix has no call that frees another process's addresses).
    private static long MapShared(CallContext c, FsFile file, ulong address, ulong length, ulong offset, int prot, int flags)
    {
        var table = c.Posix.Files.SharedFiles;
        if (table is null) return -Errno.ENODEV;
        bool mayWrite = file.CanWrite;
        if ((prot & Mman.PROT_WRITE) != 0 && !mayWrite) return -Errno.EACCES;
        var kernel = c.Posix.Kernel;
        var process = c.Process.Kernel;
        long mapped = kernel.Map(process, address, length, Mman.PROT_NONE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | (flags & PassedFlags));
        if (mapped < 0) return mapped;
        ulong at = (ulong)mapped;
        long r = table.Map(file, file.Inode, process, at, offset, length, mayWrite);
        if (r < 0) return r;
        int granted = mayWrite ? Mman.PROT_READ | Mman.PROT_WRITE : Mman.PROT_READ;
        if (prot != granted)
        {
            long size = file.Status().Size;
            ulong inFile = size > (long)offset ? Math.Min(Mman.PageUp(length), Mman.PageUp((ulong)(size - (long)offset))) : 0;
            if (inFile > 0)
            {
                r = kernel.Protect(process, at, inFile, prot);
                if (r < 0) return r;
            }
        }
        return mapped;
    }

    // Forwarded by the kernel after it unmapped a range that held granted pages: posix's records catch up.
    private static long Unmapped(CallContext c)
    {
        c.Posix.Files.SharedFiles?.Unmapped(c.Process.Kernel, Mman.PageDown(c.Arg(0)), c.Arg(1));
        return 0;
    }

    private static long Msync(CallContext c)
    {
        ulong address = c.Arg(0), length = c.Arg(1);
        int flags = c.IntArg(2);
        if (address % Mman.PageSize != 0) return -Errno.EINVAL;
        if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) != 0) return -Errno.EINVAL;
        if ((flags & MS_ASYNC) != 0 && (flags & MS_SYNC) != 0) return -Errno.EINVAL;
        var table = c.Posix.Files.SharedFiles;
        return table is null ? 0 : table.Sync(c.Process.Kernel, address, length, (flags & MS_SYNC) != 0);
    }
}
