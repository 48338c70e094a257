// What stat(2) reports about an inode, and one entry of a directory listing.
namespace Biscuit.Fs;

public readonly record struct FileStat(
    uint Inode,
    FileType Type,
    ushort Mode,      // full i_mode: type bits and permission bits
    ushort Links,
    uint Uid,
    uint Gid,
    ulong Size,
    uint Sectors,     // 512-byte sectors allocated (st_blocks)
    uint AccessTime,
    uint ModifyTime,
    uint ChangeTime);

public readonly record struct DirEntry(string Name, uint Inode, FileType Type);
