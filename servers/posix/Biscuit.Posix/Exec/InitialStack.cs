// The stack a Linux program starts with (System V x86-64 psABI §3.4.1 "Initial Stack and Register
// State"; fs/binfmt_elf.c create_elf_tables). From the top down: an 8-byte end marker, the file
// name (AT_EXECFN), the environment and argument strings, "x86_64" (AT_PLATFORM), 16 random bytes
// (AT_RANDOM); then, 16-byte aligned at RSP: argc, argv[], NULL, envp[], NULL, auxv pairs ending
// with AT_NULL. No vDSO (no AT_SYSINFO_EHDR): glibc then makes real clock_gettime calls.
using System.Buffers.Binary;
using System.Text;

namespace Biscuit.Posix;

public static class AuxType
{
    public const ulong Null = 0, Phdr = 3, Phent = 4, Phnum = 5, Pagesz = 6, Base = 7, Flags = 8, Entry = 9, Uid = 11,
        Euid = 12, Gid = 13, Egid = 14, Platform = 15, Hwcap = 16, Clktck = 17, Secure = 23, Random = 25, Execfn = 31;
}

public sealed record StackRequest(IReadOnlyList<string> Arguments, IReadOnlyList<string> Environment, string ExecFileName,
    LoadedImage Program, ulong InterpreterBase, uint Uid, uint Euid, uint Gid, uint Egid, ulong HardwareCapabilities, byte[] RandomBytes);

public static class InitialStack
{
    public const ulong Top = 0x7fff_ffff_f000, Size = 8 << 20;
    public const int MaxStringBytes = 128 * 1024;

    /// <summary>The bytes from RSP up to Top, and RSP. E2BIG if the strings exceed MaxStringBytes.</summary>
    public static (byte[] Bytes, ulong StackPointer) Build(StackRequest r)
    {
        if (r.RandomBytes.Length != 16) throw new ArgumentException("AT_RANDOM needs 16 bytes", nameof(r));
        var strings = new List<byte>();
        ulong cursor = Top - 8;   // the end marker
        ulong Push(byte[] bytes)
        {
            cursor -= (ulong)bytes.Length;
            strings.InsertRange(0, bytes);
            return cursor;
        }
        static byte[] Z(string s) => Encoding.UTF8.GetBytes(s + "\0");

        int total = r.Arguments.Sum(a => Encoding.UTF8.GetByteCount(a) + 1) + r.Environment.Sum(e => Encoding.UTF8.GetByteCount(e) + 1);
        if (total > MaxStringBytes) throw new SyscallFailure(Errno.E2BIG);

        ulong execFn = Push(Z(r.ExecFileName));
        var envPointers = new ulong[r.Environment.Count];
        for (int i = r.Environment.Count - 1; i >= 0; i--) envPointers[i] = Push(Z(r.Environment[i]));
        var argPointers = new ulong[r.Arguments.Count];
        for (int i = r.Arguments.Count - 1; i >= 0; i--) argPointers[i] = Push(Z(r.Arguments[i]));
        ulong platform = Push(Z("x86_64"));
        ulong random = Push(r.RandomBytes);

        var auxv = new List<(ulong, ulong)>
        {
            (AuxType.Phdr, r.Program.ProgramHeaders), (AuxType.Phent, ElfImage.ProgramHeaderSize),
            (AuxType.Phnum, (ulong)r.Program.ProgramHeaderCount), (AuxType.Pagesz, Mman.PageSize),
            (AuxType.Base, r.InterpreterBase), (AuxType.Flags, 0), (AuxType.Entry, r.Program.Entry),
            (AuxType.Uid, r.Uid), (AuxType.Euid, r.Euid), (AuxType.Gid, r.Gid), (AuxType.Egid, r.Egid),
            (AuxType.Secure, 0), (AuxType.Random, random), (AuxType.Execfn, execFn), (AuxType.Platform, platform),
            (AuxType.Hwcap, r.HardwareCapabilities), (AuxType.Clktck, 100), (AuxType.Null, 0),
        };
        var words = new List<ulong> { (ulong)r.Arguments.Count };
        words.AddRange(argPointers);
        words.Add(0);
        words.AddRange(envPointers);
        words.Add(0);
        foreach (var (type, value) in auxv) { words.Add(type); words.Add(value); }

        ulong stackPointer = (cursor - (ulong)words.Count * 8) & ~15UL;
        var bytes = new byte[Top - stackPointer];
        for (int i = 0; i < words.Count; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 8), words[i]);
        strings.CopyTo(bytes, (int)(cursor - stackPointer));
        return (bytes, stackPointer);
    }
}
