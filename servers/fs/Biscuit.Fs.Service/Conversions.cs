// Translations between the fs library's types and the protocol's: stat fields, directory-entry
// types (ext2's file_type byte -> Linux DT_* values, include/linux/fs_types.h), and Linux open(2)
// flags -> the library's OpenFlags. Pure functions; allocate nothing.
using Biscuit.Annotations;
using Biscuit.Fs.Protocol;

namespace Biscuit.Fs.Service;

public static class Conversions
{
    /// <summary>The st_dev every file of this file system reports: makedev(254, 0), a major number
    /// Linux leaves to local use, so it collides with no device the posix server names itself.</summary>
    public const ulong DeviceNumber = 254UL << 8;

    [AssumeAllocation(0)]   // reads the library's FileStat fields into a struct: allocates nothing
    public static FileStatus Status(FileStat s, int blockSize) => new(
        DeviceNumber, s.Inode, s.Mode, s.Links, s.Uid, s.Gid, (long)s.Size, s.Sectors, blockSize,
        s.AccessTime, 0, s.ModifyTime, 0, s.ChangeTime, 0);

    public static byte DirectoryType(FileType type) => type switch
    {
        FileType.Regular => DirectoryEntry.DT_REG,
        FileType.Directory => DirectoryEntry.DT_DIR,
        FileType.CharDevice => DirectoryEntry.DT_CHR,
        FileType.BlockDevice => DirectoryEntry.DT_BLK,
        FileType.Fifo => DirectoryEntry.DT_FIFO,
        FileType.Socket => DirectoryEntry.DT_SOCK,
        FileType.Symlink => DirectoryEntry.DT_LNK,
        _ => DirectoryEntry.DT_UNKNOWN,
    };

    public static OpenFlags OpenFlagsOf(int linuxFlags)
    {
        var flags = OpenFlags.None;
        if ((linuxFlags & LinuxOpenFlags.O_CREAT) != 0) flags |= OpenFlags.Create;
        if ((linuxFlags & LinuxOpenFlags.O_EXCL) != 0) flags |= OpenFlags.Exclusive;
        if ((linuxFlags & LinuxOpenFlags.O_TRUNC) != 0) flags |= OpenFlags.Truncate;
        if ((linuxFlags & LinuxOpenFlags.O_DIRECTORY) != 0) flags |= OpenFlags.Directory;
        if ((linuxFlags & LinuxOpenFlags.O_NOFOLLOW) != 0) flags |= OpenFlags.NoFollow;
        return flags;
    }
}
