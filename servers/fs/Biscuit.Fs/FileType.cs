// File types: the S_IFMT bits of i_mode (POSIX sys/stat.h) and the file_type byte of a directory entry
// (ext4 disk layout, "Linear (Classic) Directories": 1 regular ... 7 symlink).
namespace Biscuit.Fs;

public enum FileType : byte
{
    Unknown = 0,
    Regular = 1,
    Directory = 2,
    CharDevice = 3,
    BlockDevice = 4,
    Fifo = 5,
    Socket = 6,
    Symlink = 7,
}

public static class FileTypes
{
    public const ushort S_IFMT = 0xF000;
    public const ushort S_IFSOCK = 0xC000;
    public const ushort S_IFLNK = 0xA000;
    public const ushort S_IFREG = 0x8000;
    public const ushort S_IFBLK = 0x6000;
    public const ushort S_IFDIR = 0x4000;
    public const ushort S_IFCHR = 0x2000;
    public const ushort S_IFIFO = 0x1000;
    /// <summary>Permission and set-id/sticky bits: what chmod may change.</summary>
    public const ushort PermissionMask = 0x0FFF;

    public static FileType FromMode(ushort mode) => (mode & S_IFMT) switch
    {
        S_IFREG => FileType.Regular,
        S_IFDIR => FileType.Directory,
        S_IFLNK => FileType.Symlink,
        S_IFCHR => FileType.CharDevice,
        S_IFBLK => FileType.BlockDevice,
        S_IFIFO => FileType.Fifo,
        S_IFSOCK => FileType.Socket,
        _ => FileType.Unknown,
    };

    public static ushort ToModeBits(FileType type) => type switch
    {
        FileType.Regular => S_IFREG,
        FileType.Directory => S_IFDIR,
        FileType.Symlink => S_IFLNK,
        FileType.CharDevice => S_IFCHR,
        FileType.BlockDevice => S_IFBLK,
        FileType.Fifo => S_IFIFO,
        FileType.Socket => S_IFSOCK,
        _ => 0,
    };
}
