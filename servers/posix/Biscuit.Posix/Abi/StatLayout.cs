// The x86-64 struct stat (arch/x86/include/uapi/asm/stat.h), 144 bytes:
// st_dev u64 @0, st_ino u64 @8, st_nlink u64 @16, st_mode u32 @24, st_uid u32 @28, st_gid u32 @32,
// pad @36, st_rdev u64 @40, st_size s64 @48, st_blksize s64 @56, st_blocks s64 @64,
// st_atime/nsec @72/@80, st_mtime/nsec @88/@96, st_ctime/nsec @104/@112, reserved @120..143.
using System.Buffers.Binary;

namespace Biscuit.Posix;

public static class StatLayout
{
    public const int Size = 144;

    public static byte[] Encode(FileStatus s)
    {
        var b = new byte[Size];
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(0), s.Device);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8), s.Inode);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(16), s.Links);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(24), s.Mode);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(28), s.Uid);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(32), s.Gid);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(40), s.RDevice);
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(48), s.Size);
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(56), s.BlockSize);
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(64), s.Blocks512);
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(72), s.AccessTime);
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(88), s.ModifyTime);
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(104), s.ChangeTime);
        return b;
    }
}
