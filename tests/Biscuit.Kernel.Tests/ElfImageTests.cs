// Specification of ELF validation (microkernel/Kernel/Processes/ElfImage.cs): every field the
// loader relies on is checked before anything is mapped.
using Biscuit.Kernel.Processes;

namespace Biscuit.Kernel.Tests;

public unsafe class ElfImageTests
{
    // A minimal static executable: ELF header, two program headers (text RX at 0x401000 holding the
    // entry point, data RW at 0x402000 with bss), file size 0x2100.
    private static byte[] ValidExecutable()
    {
        var f = new byte[0x2100];
        f[0] = 0x7F; f[1] = (byte)'E'; f[2] = (byte)'L'; f[3] = (byte)'F';
        f[4] = 2; f[5] = 1; f[6] = 1;
        W16(f, 16, ElfImage.TypeExec); W16(f, 18, ElfImage.MachineX86_64); W32(f, 20, 1);
        W64(f, 24, 0x401010);           // entry
        W64(f, 32, 64);                 // program headers right after the ELF header
        W16(f, 54, 56); W16(f, 56, 2);
        Segment(f, 0, ElfImage.PfR | ElfImage.PfX, offset: 0x1000, vaddr: 0x401000, filesz: 0x100, memsz: 0x100);
        Segment(f, 1, ElfImage.PfR | ElfImage.PfW, offset: 0x2000, vaddr: 0x402000, filesz: 0x100, memsz: 0x3000);
        return f;
    }

    private static void Segment(byte[] f, int i, uint flags, ulong offset, ulong vaddr, ulong filesz, ulong memsz, uint type = ElfImage.PtLoad)
    {
        int p = 64 + i * 56;
        W32(f, p, type); W32(f, p + 4, flags); W64(f, p + 8, offset); W64(f, p + 16, vaddr);
        W64(f, p + 32, filesz); W64(f, p + 40, memsz); W64(f, p + 48, 4096);
    }

    private static void W16(byte[] f, int at, ushort v) => BitConverter.GetBytes(v).CopyTo(f, at);
    private static void W32(byte[] f, int at, uint v) => BitConverter.GetBytes(v).CopyTo(f, at);
    private static void W64(byte[] f, int at, ulong v) => BitConverter.GetBytes(v).CopyTo(f, at);

    private static ElfError Parse(byte[] f, out ElfImage image)
    {
        fixed (byte* p = f) return ElfImage.Parse(p, (ulong)f.Length, out image);
    }

    private static ElfError Parse(byte[] f) => Parse(f, out _);

    [Fact]
    public void A_well_formed_static_executable_is_accepted_with_its_entry_point()
    {
        Assert.Equal(ElfError.None, Parse(ValidExecutable(), out var image));
        Assert.Equal(0x401010UL, image.Entry);
        Assert.Equal(2, image.ProgramHeaderCount);
        Assert.Equal(0UL, image.Bias);
    }

    [Fact]
    public void A_static_PIE_is_placed_at_the_dynamic_base()
    {
        var f = ValidExecutable();
        W16(f, 16, ElfImage.TypeDyn);
        W64(f, 24, 0x1010);
        Segment(f, 0, ElfImage.PfR | ElfImage.PfX, 0x1000, 0x1000, 0x100, 0x100);
        Segment(f, 1, ElfImage.PfR | ElfImage.PfW, 0x2000, 0x2000, 0x100, 0x3000);
        Assert.Equal(ElfError.None, Parse(f, out var image));
        Assert.Equal(ElfImage.DynamicBase + 0x1010, image.Entry);
    }

    public static IEnumerable<object[]> Corruptions()
    {
        yield return new object[] { "empty file", (Func<byte[], byte[]>)(f => new byte[10]), ElfError.TooSmall };
        yield return new object[] { "bad magic", (Func<byte[], byte[]>)(f => { f[1] = (byte)'X'; return f; }), ElfError.BadMagic };
        yield return new object[] { "32-bit", (Func<byte[], byte[]>)(f => { f[4] = 1; return f; }), ElfError.Not64Bit };
        yield return new object[] { "big-endian", (Func<byte[], byte[]>)(f => { f[5] = 2; return f; }), ElfError.NotLittleEndian };
        yield return new object[] { "ARM", (Func<byte[], byte[]>)(f => { W16(f, 18, 183); return f; }), ElfError.NotX86_64 };
        yield return new object[] { "relocatable object", (Func<byte[], byte[]>)(f => { W16(f, 16, 1); return f; }), ElfError.NotExecutable };
        yield return new object[] { "odd header size", (Func<byte[], byte[]>)(f => { W16(f, 54, 32); return f; }), ElfError.BadProgramHeaderSize };
        yield return new object[] { "too many headers", (Func<byte[], byte[]>)(f => { W16(f, 56, 1000); return f; }), ElfError.TooManyProgramHeaders };
        yield return new object[] { "headers past the end", (Func<byte[], byte[]>)(f => { W64(f, 32, 0x20F0); return f; }), ElfError.ProgramHeadersOutsideFile };
        yield return new object[] { "headers offset overflows", (Func<byte[], byte[]>)(f => { W64(f, 32, ulong.MaxValue - 10); return f; }), ElfError.ProgramHeadersOutsideFile };
        yield return new object[] { "segment past the end", (Func<byte[], byte[]>)(f => { W64(f, 64 + 56 + 32, 0x1000); return f; }), ElfError.SegmentOutsideFile };
        yield return new object[] { "filesz > memsz", (Func<byte[], byte[]>)(f => { W64(f, 64 + 40, 0x10); return f; }), ElfError.FileSizeExceedsMemorySize };
        yield return new object[] { "segment wraps", (Func<byte[], byte[]>)(f => { W64(f, 64 + 56 + 16, ulong.MaxValue - 0xFFF); W64(f, 64 + 56 + 8, 0); return f; }), ElfError.SegmentWraps };
        yield return new object[] { "segment in the kernel half", (Func<byte[], byte[]>)(f => { W64(f, 64 + 56 + 16, 0xFFFF_8000_0000_0000); W64(f, 64 + 56 + 8, 0); return f; }), ElfError.SegmentNotInUserSpace };
        yield return new object[] { "segment at page 0", (Func<byte[], byte[]>)(f => { W64(f, 64 + 56 + 16, 0); W64(f, 64 + 56 + 8, 0); return f; }), ElfError.SegmentNotInUserSpace };
        yield return new object[] { "misaligned segment", (Func<byte[], byte[]>)(f => { W64(f, 64 + 56 + 16, 0x402010); return f; }), ElfError.MisalignedSegment };
        yield return new object[] { "entry outside code", (Func<byte[], byte[]>)(f => { W64(f, 24, 0x402010); return f; }), ElfError.EntryNotInExecutableSegment };
        yield return new object[] { "overlapping segments", (Func<byte[], byte[]>)(f => { W64(f, 64 + 56 + 16, 0x401000); W64(f, 64 + 56 + 8, 0x1000); return f; }), ElfError.SegmentsOverlap };
        yield return new object[] { "dynamic executable", (Func<byte[], byte[]>)(f => { Segment(f, 1, 0, 0x2000, 0, 0x10, 0x10, ElfImage.PtInterp); return f; }), ElfError.NeedsInterpreter };
        yield return new object[] { "no loadable segment", (Func<byte[], byte[]>)(f => { W32(f, 64, 4); W32(f, 64 + 56, 4); return f; }), ElfError.NoLoadableSegment };
    }

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void A_corrupted_executable_is_refused_naming_what_is_wrong(string what, Func<byte[], byte[]> corrupt, ElfError expected)
    {
        Assert.Equal(expected, Parse(corrupt(ValidExecutable())));
        Assert.NotEqual("ok", ElfImage.Describe(expected));
        Assert.False(string.IsNullOrEmpty(what));
    }

    [Fact]
    public void Debian_dynamically_linked_programs_are_refused_as_needing_an_interpreter()
    {
        var f = File.ReadAllBytes("/bin/true");
        Assert.Equal(ElfError.NeedsInterpreter, Parse(f));
    }
}
