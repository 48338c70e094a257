// The parts of an ELF64 x86-64 file that execve needs (System V gABI "ELF Header", "Program Header";
// x86-64 psABI): type, entry, program headers, PT_LOAD segments, PT_INTERP, PT_PHDR.
// Invariant: a constructed ElfImage is valid — every check execve relies on passed (magic, class,
// byte order, version, machine, type, header sizes, segments inside the file and inside user space,
// file size <= memory size, offset and address congruent modulo the page size, an interpreter path
// with its NUL); anything else is ENOEXEC (SyscallFailure) with a reason, never another exception.
using System.Buffers.Binary;
using System.Text;

namespace Biscuit.Posix;

public readonly record struct ElfSegment(uint Type, uint Flags, ulong Offset, ulong VirtualAddress, ulong FileSize, ulong MemorySize, ulong Align)
{
    public const uint Load = 1, Interp = 3, Phdr = 6, GnuStack = 0x6474e551;
    public const uint FlagExecute = 1, FlagWrite = 2, FlagRead = 4;

    /// <summary>The mmap protection the segment's p_flags ask for.</summary>
    public int Protection => ((Flags & FlagRead) != 0 ? Mman.PROT_READ : 0) | ((Flags & FlagWrite) != 0 ? Mman.PROT_WRITE : 0)
        | ((Flags & FlagExecute) != 0 ? Mman.PROT_EXEC : 0);
}

public sealed class ElfImage
{
    public const int HeaderSize = 64, ProgramHeaderSize = 56, MaxProgramHeaders = 256;
    public const ushort TypeExecutable = 2, TypeShared = 3, MachineX86_64 = 62;
    public const ulong UserTop = 0x7fff_ffff_f000;

    public ushort Type { get; }
    public ulong Entry { get; }
    public ulong ProgramHeaderOffset { get; }
    public int ProgramHeaderCount { get; }
    public IReadOnlyList<ElfSegment> Segments { get; }
    public IReadOnlyList<ElfSegment> Loads { get; }
    public string? Interpreter { get; }
    public bool IsPositionIndependent => Type == TypeShared;

    /// <summary>Parses the header and program headers. `readAt(offset, buffer)` returns the bytes read
    /// (fewer at the end of the file); `fileSize` bounds every offset.</summary>
    public ElfImage(Func<long, byte[], int> readAt, long fileSize)
    {
        var header = ReadExactly(readAt, 0, HeaderSize, fileSize, "the ELF header");
        if (header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F') throw Bad("no ELF magic");
        if (header[4] != 2) throw Bad("not a 64-bit ELF (EI_CLASS)");
        if (header[5] != 1) throw Bad("not little-endian (EI_DATA)");
        if (header[6] != 1) throw Bad("unknown EI_VERSION");
        Type = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(16));
        if (Type is not (TypeExecutable or TypeShared)) throw Bad($"e_type {Type} is neither ET_EXEC nor ET_DYN");
        if (BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(18)) != MachineX86_64) throw Bad("e_machine is not x86-64");
        Entry = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(24));
        ProgramHeaderOffset = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(32));
        if (BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(54)) != ProgramHeaderSize) throw Bad("e_phentsize is not 56");
        ProgramHeaderCount = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(56));
        if (ProgramHeaderCount is 0 or > MaxProgramHeaders) throw Bad($"e_phnum {ProgramHeaderCount} out of range");
        if (ProgramHeaderOffset > (ulong)fileSize) throw Bad("program headers past the end of the file");

        var table = ReadExactly(readAt, (long)ProgramHeaderOffset, ProgramHeaderCount * ProgramHeaderSize, fileSize, "the program headers");
        var segments = new List<ElfSegment>();
        for (int i = 0; i < ProgramHeaderCount; i++)
        {
            var p = table.AsSpan(i * ProgramHeaderSize);
            segments.Add(new ElfSegment(BinaryPrimitives.ReadUInt32LittleEndian(p), BinaryPrimitives.ReadUInt32LittleEndian(p[4..]),
                BinaryPrimitives.ReadUInt64LittleEndian(p[8..]), BinaryPrimitives.ReadUInt64LittleEndian(p[16..]),
                BinaryPrimitives.ReadUInt64LittleEndian(p[32..]), BinaryPrimitives.ReadUInt64LittleEndian(p[40..]),
                BinaryPrimitives.ReadUInt64LittleEndian(p[48..])));
        }
        Segments = segments;
        Loads = segments.Where(s => s.Type == ElfSegment.Load).OrderBy(s => s.VirtualAddress).ToList();
        if (Loads.Count == 0) throw Bad("no PT_LOAD segment");
        foreach (var s in Loads) Check(s, fileSize);
        ulong low = Mman.PageDown(Loads[0].VirtualAddress), high = Loads.Max(s => s.VirtualAddress + s.MemorySize);
        if (Type == TypeExecutable && low < Mman.PageSize) throw Bad("ET_EXEC segment in page 0");
        if (high - low > UserTop / 4) throw Bad("segments span more than a quarter of user space");

        var interps = segments.Where(s => s.Type == ElfSegment.Interp).ToList();
        if (interps.Count > 1) throw Bad("more than one PT_INTERP");
        if (interps.Count == 1)
        {
            var s = interps[0];
            if (s.FileSize is < 2 or > PathNames.PathMax) throw Bad("PT_INTERP size out of range");
            if (s.Offset + s.FileSize > (ulong)fileSize || s.Offset + s.FileSize < s.Offset) throw Bad("PT_INTERP past the end of the file");
            var path = ReadExactly(readAt, (long)s.Offset, (int)s.FileSize, fileSize, "PT_INTERP");
            if (path[^1] != 0 || Array.IndexOf(path, (byte)0) != path.Length - 1) throw Bad("PT_INTERP is not one NUL-terminated path");
            Interpreter = Encoding.UTF8.GetString(path, 0, path.Length - 1);
        }
    }

    private static void Check(ElfSegment s, long fileSize)
    {
        if (s.FileSize > s.MemorySize) throw Bad($"PT_LOAD at 0x{s.VirtualAddress:x}: p_filesz > p_memsz");
        if (s.Offset + s.FileSize < s.Offset || s.Offset + s.FileSize > (ulong)fileSize) throw Bad($"PT_LOAD at 0x{s.VirtualAddress:x} past the end of the file");
        if (s.VirtualAddress + s.MemorySize < s.VirtualAddress || s.VirtualAddress + s.MemorySize > UserTop) throw Bad($"PT_LOAD at 0x{s.VirtualAddress:x} outside user space");
        if ((s.VirtualAddress - s.Offset) % Mman.PageSize != 0) throw Bad($"PT_LOAD at 0x{s.VirtualAddress:x}: offset and address differ modulo the page size");
    }

    /// <summary>Where the program headers are in memory once loaded at `bias`, or 0 if no segment maps them.</summary>
    public ulong ProgramHeadersAddress(ulong bias)
    {
        foreach (var s in Segments)
            if (s.Type == ElfSegment.Phdr) return bias + s.VirtualAddress;
        foreach (var s in Loads)
            if (ProgramHeaderOffset >= s.Offset && ProgramHeaderOffset < s.Offset + s.FileSize)
                return bias + s.VirtualAddress + (ProgramHeaderOffset - s.Offset);
        return 0;
    }

    private static byte[] ReadExactly(Func<long, byte[], int> readAt, long offset, int length, long fileSize, string what)
    {
        if (offset < 0 || offset + length > fileSize) throw Bad($"{what} past the end of the file");
        var bytes = new byte[length];
        int n = readAt(offset, bytes);
        if (n != length) throw Bad($"short read of {what}");
        return bytes;
    }

    private static SyscallFailure Bad(string why) => new(Errno.ENOEXEC, "bad ELF: " + why);
}
