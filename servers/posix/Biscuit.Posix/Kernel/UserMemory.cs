// An application's memory as posix reaches it: process_read/process_write through IProcessKernel.
// Invariant: every failure (a pointer outside the user mappings, a short copy, a string without its
// NUL within the limit) becomes a SyscallFailure with the errno Linux gives (EFAULT, ENAMETOOLONG,
// E2BIG), never an exception of another kind and never a partial write reported as success.
using System.Buffers.Binary;
using System.Text;

namespace Biscuit.Posix;

public sealed class UserMemory(IProcessKernel kernel, KernelProcess process)
{
    public const int PathMax = 4096;

    public KernelProcess Process => process;

    public void Read(ulong address, Span<byte> into)
    {
        if (into.Length == 0) return;
        if (address == 0 || address + (ulong)into.Length < address) throw Fault(address);
        long n = kernel.Read(process, address, into);
        if (n != into.Length) throw Fault(address);
    }

    public byte[] Read(ulong address, int length)
    {
        if (length < 0) throw new SyscallFailure(Errno.EINVAL);
        var bytes = new byte[length];
        Read(address, bytes);
        return bytes;
    }

    public void Write(ulong address, ReadOnlySpan<byte> from)
    {
        if (from.Length == 0) return;
        if (address == 0 || address + (ulong)from.Length < address) throw Fault(address);
        long n = kernel.Write(process, address, from);
        if (n != from.Length) throw Fault(address);
    }

    public ulong ReadU64(ulong address)
    {
        Span<byte> b = stackalloc byte[8];
        Read(address, b);
        return BinaryPrimitives.ReadUInt64LittleEndian(b);
    }

    public uint ReadU32(ulong address)
    {
        Span<byte> b = stackalloc byte[4];
        Read(address, b);
        return BinaryPrimitives.ReadUInt32LittleEndian(b);
    }

    public void WriteU64(ulong address, ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        Write(address, b);
    }

    public void WriteU32(ulong address, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        Write(address, b);
    }

    /// <summary>A NUL-terminated string of at most `max` bytes before the NUL (ENAMETOOLONG past it).
    /// Reads up to each page end only, so a string that ends just before an unmapped page is fine.</summary>
    public string ReadString(ulong address, int max = PathMax, int tooLongErrno = Errno.ENAMETOOLONG)
    {
        if (address == 0) throw Fault(address);
        var bytes = new List<byte>();
        Span<byte> chunk = stackalloc byte[(int)Mman.PageSize];
        ulong at = address;
        while (true)
        {
            int room = (int)(Mman.PageSize - (at & (Mman.PageSize - 1)));
            var piece = chunk[..room];
            Read(at, piece);
            int nul = piece.IndexOf((byte)0);
            int take = nul >= 0 ? nul : room;
            if (bytes.Count + take > max) throw new SyscallFailure(tooLongErrno);
            for (int i = 0; i < take; i++) bytes.Add(piece[i]);
            if (nul >= 0) return Encoding.UTF8.GetString(bytes.ToArray());
            at += (ulong)room;
        }
    }

    /// <summary>A NULL-terminated array of string pointers (argv, envp) of at most `maxCount` entries
    /// and `maxBytes` bytes in all (E2BIG past either).</summary>
    public List<string> ReadStringArray(ulong address, int maxCount = 4096, int maxBytes = 128 * 1024)
    {
        var result = new List<string>();
        if (address == 0) return result;
        int total = 0;
        for (ulong at = address; ; at += 8)
        {
            ulong pointer = ReadU64(at);
            if (pointer == 0) return result;
            if (result.Count >= maxCount) throw new SyscallFailure(Errno.E2BIG);
            string s = ReadString(pointer, maxBytes - total, Errno.E2BIG);
            total += Encoding.UTF8.GetByteCount(s) + 1;
            result.Add(s);
        }
    }

    private static SyscallFailure Fault(ulong address) => new(Errno.EFAULT, $"bad user address 0x{address:x}");
}
