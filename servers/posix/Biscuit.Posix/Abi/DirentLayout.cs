// struct linux_dirent64 (getdents64(2), include/linux/dirent.h): d_ino u64 @0, d_off s64 @8,
// d_reclen u16 @16, d_type u8 @18, d_name NUL-terminated @19, the record padded to 8 bytes.
using System.Buffers.Binary;
using System.Text;

namespace Biscuit.Posix;

public static class DirentLayout
{
    public const int NameOffset = 19;

    public static int RecordLength(int nameBytes) => (NameOffset + nameBytes + 1 + 7) & ~7;

    /// <summary>Writes one record; returns its length, or 0 if it does not fit `into`.</summary>
    public static int Write(Span<byte> into, FsDirEntry entry, long nextOffset)
    {
        byte[] name = Encoding.UTF8.GetBytes(entry.Name);
        int length = RecordLength(name.Length);
        if (length > into.Length) return 0;
        var record = into[..length];
        record.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(record, entry.Inode);
        BinaryPrimitives.WriteInt64LittleEndian(record[8..], nextOffset);
        BinaryPrimitives.WriteUInt16LittleEndian(record[16..], (ushort)length);
        record[18] = entry.Type;
        name.CopyTo(record[NameOffset..]);
        return length;
    }
}
