// Maps an ElfImage's PT_LOAD segments into a process at a bias (0 for ET_EXEC), the way
// fs/binfmt_elf.c does, with the two kernel calls posix has: one anonymous private mapping covering
// every segment (MAP_FIXED; the process is empty), the file bytes written with process_write, the
// bss left as the zeroes of the anonymous mapping, then each segment's page range protected as its
// p_flags say (a page shared by two segments gets both permissions; gaps between segments none).
// Invariant: on any failure the errno is thrown (SyscallFailure); the caller kills the half-built process.
namespace Biscuit.Posix;

public readonly record struct LoadedImage(ulong Bias, ulong Entry, ulong ProgramHeaders, int ProgramHeaderCount, ulong End);

public static class SegmentLoader
{
    public const int CopyChunk = 256 * 1024;

    public static LoadedImage Load(IProcessKernel kernel, KernelProcess process, ElfImage image, ulong bias, Func<long, byte[], int> readAt)
    {
        var loads = image.Loads;
        ulong low = Mman.PageDown(bias + loads[0].VirtualAddress);
        ulong high = Mman.PageUp(loads.Max(s => bias + s.VirtualAddress + s.MemorySize));
        Check(kernel.Map(process, low, high - low, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED));

        var chunk = new byte[CopyChunk];
        foreach (var s in loads)
        {
            for (ulong done = 0; done < s.FileSize;)
            {
                int piece = (int)Math.Min((ulong)chunk.Length, s.FileSize - done);
                var buffer = piece == chunk.Length ? chunk : new byte[piece];
                if (readAt((long)(s.Offset + done), buffer) != piece) throw new SyscallFailure(Errno.EIO, "short read of a PT_LOAD segment");
                Check(kernel.Write(process, bias + s.VirtualAddress + done, buffer));
                done += (ulong)piece;
            }
        }

        ulong previousEnd = low;
        int previousProtection = Mman.PROT_NONE;
        foreach (var s in loads)
        {
            ulong start = Mman.PageDown(bias + s.VirtualAddress), end = Mman.PageUp(bias + s.VirtualAddress + s.MemorySize);
            if (start > previousEnd) Check(kernel.Protect(process, previousEnd, start - previousEnd, Mman.PROT_NONE));
            Check(kernel.Protect(process, start, end - start, s.Protection));
            if (start < previousEnd)   // the first page is shared with the previous segment
                Check(kernel.Protect(process, start, Mman.PageSize, s.Protection | previousProtection));
            previousEnd = Math.Max(previousEnd, end);
            previousProtection = s.Protection;
        }
        return new LoadedImage(bias, bias + image.Entry, image.ProgramHeadersAddress(bias), image.ProgramHeaderCount,
            loads.Max(s => bias + s.VirtualAddress + s.MemorySize));
    }

    private static void Check(long result)
    {
        if (result < 0) throw new SyscallFailure((int)-result, $"loading a segment failed: errno {-result}");
    }
}
