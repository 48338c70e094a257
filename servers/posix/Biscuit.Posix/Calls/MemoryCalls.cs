// mmap(2) of a file (the kernel answers anonymous mmap itself and forwards the rest): an anonymous
// private mapping made with process_mmap and filled from the file, zero past its end — what ld.so
// needs to load libraries. A shared file mapping (MAP_SHARED) is ENODEV until the mm server can back
// it with shared pages (README). Rules kept: length 0 or an offset that is not page aligned is EINVAL;
// a descriptor that is not a readable regular file is EACCES (ENODEV for devices and sockets).
namespace Biscuit.Posix;

public static class MemoryCalls
{
    private const int PassedFlags = Mman.MAP_FIXED | Mman.MAP_FIXED_NOREPLACE | Mman.MAP_NORESERVE;
    public const int FillChunk = 256 * 1024;

    public static void Register(SyscallTable t) => t.Add(LinuxCall.Mmap, "mmap", MapFile);

    private static long MapFile(CallContext c)
    {
        ulong address = c.Arg(0), length = c.Arg(1), offset = c.Arg(5);
        int prot = c.IntArg(2), flags = c.IntArg(3), fd = c.IntArg(4);
        if (length == 0 || offset % Mman.PageSize != 0 || length > ElfImage.UserTop) return -Errno.EINVAL;
        if ((flags & Mman.MAP_ANONYMOUS) != 0) return -Errno.EINVAL;   // the kernel serves anonymous mappings
        int type = flags & Mman.MAP_TYPE;
        var file = c.Fds.Get(fd);
        if (type is not (Mman.MAP_PRIVATE or Mman.MAP_SHARED or 3)) return -Errno.EINVAL;
        if (type != Mman.MAP_PRIVATE) return -Errno.ENODEV;
        if (file is not FsFile) return file is FsDirectory ? -Errno.EACCES : -Errno.ENODEV;
        if (!file.CanRead) return -Errno.EACCES;

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
}
