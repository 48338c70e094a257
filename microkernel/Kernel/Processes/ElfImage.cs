// Validation of an ELF64 executable before anything is mapped: the loader trusts nothing in the
// file. Checks follow the System V gABI (ELF header, program headers) and the x86-64 psABI:
// 64-bit little-endian, x86-64, ET_EXEC or ET_DYN (static PIE), program headers inside the file,
// every PT_LOAD's file bytes inside the file, filesz <= memsz, no address wrap-around, the segment
// in the user half, vaddr and offset congruent modulo the page size, and the entry point inside an
// executable segment. Dynamic executables (PT_INTERP) are refused: ld-linux runs under `posix`.
// Pure parsing over bytes: compiled into the kernel and into the host unit tests.
namespace Biscuit.Kernel.Processes
{
    public enum ElfError
    {
        None, TooSmall, BadMagic, Not64Bit, NotLittleEndian, BadVersion, NotX86_64, NotExecutable,
        BadProgramHeaderSize, TooManyProgramHeaders, ProgramHeadersOutsideFile, SegmentOutsideFile,
        FileSizeExceedsMemorySize, SegmentWraps, SegmentNotInUserSpace, MisalignedSegment,
        NoLoadableSegment, EntryNotInExecutableSegment, NeedsInterpreter, SegmentsOverlap,
    }

    public unsafe struct ElfImage
    {
        public const ushort TypeExec = 2, TypeDyn = 3, MachineX86_64 = 62;
        public const uint PtLoad = 1, PtInterp = 3, PtPhdr = 6, PfX = 1, PfW = 2, PfR = 4;
        public const int ProgramHeaderSize = 56, MaxProgramHeaders = 64;
        public const ulong UserTop = 0x0000_8000_0000_0000, PageSize = 4096;
        public const ulong DynamicBase = 0x40_0000;    // where a static PIE is placed

        public byte* File;
        public ulong Size;
        public ushort Type;
        public ulong Entry;            // after relocation by Bias
        public ulong Bias;             // 0 for ET_EXEC
        public ulong ProgramHeaderOffset;
        public int ProgramHeaderCount;
        public ulong ProgramHeaderAddress;   // where the program headers are in memory (AT_PHDR), or 0

        public static string Describe(ElfError e) => e switch
        {
            ElfError.TooSmall => "file smaller than an ELF header",
            ElfError.BadMagic => "not an ELF file (bad magic)",
            ElfError.Not64Bit => "not a 64-bit ELF file",
            ElfError.NotLittleEndian => "not little-endian",
            ElfError.BadVersion => "unknown ELF version",
            ElfError.NotX86_64 => "not an x86-64 program",
            ElfError.NotExecutable => "not an executable (ET_EXEC or ET_DYN)",
            ElfError.BadProgramHeaderSize => "program header size is not 56",
            ElfError.TooManyProgramHeaders => "too many program headers",
            ElfError.ProgramHeadersOutsideFile => "program headers lie outside the file",
            ElfError.SegmentOutsideFile => "a segment's bytes lie outside the file",
            ElfError.FileSizeExceedsMemorySize => "a segment's file size exceeds its memory size",
            ElfError.SegmentWraps => "a segment wraps around the address space",
            ElfError.SegmentNotInUserSpace => "a segment is outside user space",
            ElfError.MisalignedSegment => "a segment's address and offset differ modulo the page size",
            ElfError.NoLoadableSegment => "no loadable segment",
            ElfError.EntryNotInExecutableSegment => "the entry point is not in an executable segment",
            ElfError.NeedsInterpreter => "dynamically linked (PT_INTERP): the kernel loads static programs only",
            ElfError.SegmentsOverlap => "loadable segments overlap",
            _ => "ok",
        };

        public static ElfError Parse(byte* file, ulong size, out ElfImage image)
        {
            image = default;
            image.File = file;
            image.Size = size;
            if (size < 64) return ElfError.TooSmall;
            if (file[0] != 0x7F || file[1] != (byte)'E' || file[2] != (byte)'L' || file[3] != (byte)'F') return ElfError.BadMagic;
            if (file[4] != 2) return ElfError.Not64Bit;
            if (file[5] != 1) return ElfError.NotLittleEndian;
            if (file[6] != 1 || *(uint*)(file + 20) != 1) return ElfError.BadVersion;
            ushort type = *(ushort*)(file + 16);
            if (type != TypeExec && type != TypeDyn) return ElfError.NotExecutable;
            if (*(ushort*)(file + 18) != MachineX86_64) return ElfError.NotX86_64;
            if (*(ushort*)(file + 54) != ProgramHeaderSize) return ElfError.BadProgramHeaderSize;
            int count = *(ushort*)(file + 56);
            if (count > MaxProgramHeaders) return ElfError.TooManyProgramHeaders;
            ulong phoff = *(ulong*)(file + 32);
            if (phoff > size || (ulong)count * ProgramHeaderSize > size - phoff) return ElfError.ProgramHeadersOutsideFile;

            image.Type = type;
            image.Bias = type == TypeDyn ? DynamicBase : 0;
            image.Entry = *(ulong*)(file + 24) + image.Bias;
            image.ProgramHeaderOffset = phoff;
            image.ProgramHeaderCount = count;

            bool anyLoad = false, entryOk = false;
            for (int i = 0; i < count; i++)
            {
                byte* ph = file + phoff + (ulong)i * ProgramHeaderSize;
                uint ptype = *(uint*)ph;
                if (ptype == PtInterp) return ElfError.NeedsInterpreter;
                if (ptype == PtPhdr) image.ProgramHeaderAddress = *(ulong*)(ph + 16) + image.Bias;
                if (ptype != PtLoad) continue;
                uint flags = *(uint*)(ph + 4);
                ulong offset = *(ulong*)(ph + 8), vaddr = *(ulong*)(ph + 16) + image.Bias;
                ulong filesz = *(ulong*)(ph + 32), memsz = *(ulong*)(ph + 40);
                if (offset > size || filesz > size - offset) return ElfError.SegmentOutsideFile;
                if (filesz > memsz) return ElfError.FileSizeExceedsMemorySize;
                if (vaddr + memsz < vaddr) return ElfError.SegmentWraps;
                if (vaddr < PageSize || vaddr + memsz > UserTop) return ElfError.SegmentNotInUserSpace;
                if (vaddr % PageSize != offset % PageSize) return ElfError.MisalignedSegment;
                for (int j = 0; j < i; j++)
                {
                    byte* other = file + phoff + (ulong)j * ProgramHeaderSize;
                    if (*(uint*)other != PtLoad) continue;
                    ulong ov = *(ulong*)(other + 16) + image.Bias, om = *(ulong*)(other + 40);
                    // Segments may share a page, but their bytes must not overlap.
                    if (vaddr < ov + om && ov < vaddr + memsz) return ElfError.SegmentsOverlap;
                }
                anyLoad = true;
                if ((flags & PfX) != 0 && image.Entry >= vaddr && image.Entry < vaddr + memsz) entryOk = true;
                if (image.ProgramHeaderAddress == 0 && phoff >= offset && phoff + (ulong)count * ProgramHeaderSize <= offset + filesz)
                    image.ProgramHeaderAddress = vaddr + (phoff - offset);
            }
            if (!anyLoad) return ElfError.NoLoadableSegment;
            if (!entryOk) return ElfError.EntryNotInExecutableSegment;
            return ElfError.None;
        }

        public byte* ProgramHeader(int i) => File + ProgramHeaderOffset + (ulong)i * ProgramHeaderSize;
    }
}
