// posix's view of the fs server (the file system mounted at "/"). Paths are absolute and already
// normalised by posix ("/a/b", no "." or ".." components, no trailing slash except "/" itself);
// symbolic links inside them are the file system's to follow. Errors are negative Linux errnos.
// The fs client library implements this over IPC; tests implement it over the ext2 library.
namespace Biscuit.Posix;

/// <summary>A file the file system holds open for posix (its identity in the fs server).</summary>
public readonly record struct FsNode(ulong Id);

/// <summary>What stat(2) needs of an inode.</summary>
public readonly record struct FsAttributes(ulong Inode, uint Mode, uint Links, uint Uid, uint Gid, long Size,
    long Blocks512, long AccessTime, long ModifyTime, long ChangeTime)
{
    public bool IsDirectory => (Mode & Biscuit.Posix.Mode.IFMT) == Biscuit.Posix.Mode.IFDIR;
    public bool IsRegular => (Mode & Biscuit.Posix.Mode.IFMT) == Biscuit.Posix.Mode.IFREG;
    public bool IsSymlink => (Mode & Biscuit.Posix.Mode.IFMT) == Biscuit.Posix.Mode.IFLNK;
}

/// <summary>One directory entry; Type is the d_type value (DT_REG 8, DT_DIR 4, DT_LNK 10, ...).</summary>
public readonly record struct FsDirEntry(string Name, ulong Inode, byte Type);

[Flags]
public enum FsOpenFlags { None = 0, Create = 1, Exclusive = 2, Truncate = 4, Directory = 8, NoFollow = 16 }

public interface IFileSystem
{
    /// <summary>open(2) of the name: the node and its attributes (Create makes a regular file with `mode`).</summary>
    long Open(string path, FsOpenFlags flags, uint mode, out FsNode node, out FsAttributes attributes);
    long Read(FsNode node, long offset, Span<byte> into);
    long Write(FsNode node, long offset, ReadOnlySpan<byte> from);
    long Truncate(FsNode node, long size);
    long Attributes(FsNode node, out FsAttributes attributes);
    long Fsync(FsNode node);
    long Close(FsNode node);

    /// <summary>Up to `max` entries from `cookie` (0 = the start) into `output`; `next` is where to go
    /// on, -1 when the listing is complete.</summary>
    long ReadDirectory(FsNode node, long cookie, List<FsDirEntry> output, int max, out long next);

    long Stat(string path, bool followLastLink, out FsAttributes attributes);
    long Mkdir(string path, uint mode);
    long Unlink(string path);
    long Rmdir(string path);
    long Rename(string from, string to);
    long Link(string existing, string newPath);
    long Symlink(string target, string linkPath);
    long ReadLink(string path, out string target);
    long Chmod(string path, uint mode);
    /// <summary>chown(2): a null id stays as it is. A file system that keeps no owners answers EPERM,
    /// as Linux's vfat does; implementations over fs override it.</summary>
    long Chown(string path, uint? uid, uint? gid, bool followLastLink) => -Errno.EPERM;
}
