// What stat(2) needs about a file, as the fs server reports it (Linux's struct stat, fs/stat.c
// cp_new_stat): device and inode number, the full mode (type and permission bits), links, owner,
// size, 512-byte blocks allocated, the preferred I/O size, and the three times with nanoseconds.
// ext2 keeps whole seconds (the library leaves the nanosecond fields of large inodes at zero), so
// the nanoseconds are 0 today; they travel so that the wire form need not change when they are kept.
using MessagePack;

namespace Biscuit.Fs.Protocol;

public readonly record struct FileStatus(
    ulong Device,
    ulong Inode,
    uint Mode,
    uint Links,
    uint Uid,
    uint Gid,
    long Size,
    long Blocks,
    int BlockSize,
    long AccessSeconds, long AccessNanoseconds,
    long ModifySeconds, long ModifyNanoseconds,
    long ChangeSeconds, long ChangeNanoseconds)
{
    public const uint S_IFMT = 0xF000, S_IFDIR = 0x4000, S_IFREG = 0x8000, S_IFLNK = 0xA000;

    public bool IsDirectory => (Mode & S_IFMT) == S_IFDIR;
    public bool IsRegular => (Mode & S_IFMT) == S_IFREG;
    public bool IsSymlink => (Mode & S_IFMT) == S_IFLNK;
    public uint Permissions => Mode & 0xFFF;

    public static readonly RecordCodec<FileStatus> Codec = new("FileStatus", 15,
        (ref MessagePackWriter w, FileStatus a) =>
        {
            w.Write(a.Device); w.Write(a.Inode); w.Write(a.Mode); w.Write(a.Links); w.Write(a.Uid); w.Write(a.Gid);
            w.Write(a.Size); w.Write(a.Blocks); w.Write(a.BlockSize);
            w.Write(a.AccessSeconds); w.Write(a.AccessNanoseconds);
            w.Write(a.ModifySeconds); w.Write(a.ModifyNanoseconds);
            w.Write(a.ChangeSeconds); w.Write(a.ChangeNanoseconds);
        },
        (ref MessagePackReader r) => new FileStatus(
            r.ReadUInt64(), r.ReadUInt64(), r.ReadUInt32(), r.ReadUInt32(), r.ReadUInt32(), r.ReadUInt32(),
            Fields.NonNegativeLong(ref r, "Size"), Fields.NonNegativeLong(ref r, "Blocks"), Fields.NonNegativeInt(ref r, "BlockSize"),
            r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64()));
}
