// Metadata and listing operations: stat/lstat, chmod, chown, utimes, readlink, readdir, and path lookup.
// chmod changes only permission bits (never the file type); every attribute change sets ctime (POSIX).
// Access times are not updated by reads (as with Linux's noatime), only by utimes.
namespace Biscuit.Fs;

public sealed partial class Ext2FileSystem
{
    /// <summary>The inode `path` names (follows a final symbolic link unless told not to).</summary>
    public uint Lookup(string path, bool followSymlinks = true) =>
        Run(modifies: false, () => Resolve(path, followSymlinks));

    /// <summary>stat(2) (followSymlinks) or lstat(2).</summary>
    public FileStat Stat(string path, bool followSymlinks = true) =>
        Run(modifies: false, () => ToStat(ReadLiveInode(Resolve(path, followSymlinks))));

    /// <summary>fstat(2) on an inode obtained from Open.</summary>
    public FileStat Stat(uint inodeNumber) =>
        Run(modifies: false, () => ToStat(ReadLiveInode(inodeNumber)));

    public void Chmod(string path, ushort permissions) =>
        Run(modifies: true, () =>
        {
            var inode = ReadLiveInode(Resolve(path, followLast: true));
            inode.Mode = (ushort)((inode.Mode & FileTypes.S_IFMT) | (permissions & FileTypes.PermissionMask));
            inode.ChangeTime = Now();
            WriteInode(inode);
        });

    /// <summary>chown(2); a null id is left unchanged (the -1 of the system call).</summary>
    public void Chown(string path, uint? uid, uint? gid, bool followSymlinks = true) =>
        Run(modifies: true, () =>
        {
            var inode = ReadLiveInode(Resolve(path, followSymlinks));
            if (uid is uint u)
                inode.Uid = u;
            if (gid is uint g)
                inode.Gid = g;
            inode.ChangeTime = Now();
            WriteInode(inode);
        });

    /// <summary>utimes(2) with whole seconds; a null time is left unchanged (UTIME_OMIT).</summary>
    public void SetTimes(string path, uint? accessTime, uint? modifyTime, bool followSymlinks = true) =>
        Run(modifies: true, () =>
        {
            var inode = ReadLiveInode(Resolve(path, followSymlinks));
            if (accessTime is uint a)
                inode.AccessTime = a;
            if (modifyTime is uint m)
                inode.ModifyTime = m;
            inode.ChangeTime = Now();
            WriteInode(inode);
        });

    /// <summary>readlink(2).</summary>
    public string ReadLink(string path) =>
        Run(modifies: false, () =>
        {
            var inode = ReadLiveInode(Resolve(path, followLast: false));
            if (!inode.IsSymlink)
                throw new FsException(FsError.EINVAL, $"'{path}' is not a symbolic link");
            return ReadSymlinkTarget(inode);
        });

    /// <summary>Every entry of the directory `path` names, "." and ".." included, in on-disk order.</summary>
    public List<DirEntry> ReadDirectory(string path) =>
        Run(modifies: false, () =>
        {
            var dir = ReadLiveInode(Resolve(path, followLast: true));
            if (!dir.IsDirectory)
                throw new FsException(FsError.ENOTDIR, $"'{path}' is not a directory");
            var entries = new List<DirEntry>();
            ListEntries(dir, 0, entries, int.MaxValue);
            return entries;
        });

    /// <summary>getdents(2): up to `max` entries of directory `inodeNumber` from `position` (0 at first)
    /// appended to `output`; returns the position to continue from, or -1 when the listing is complete.</summary>
    public long ReadDirectory(uint inodeNumber, long position, List<DirEntry> output, int max) =>
        Run(modifies: false, () =>
        {
            if (max <= 0 || position < 0)
                throw new FsException(FsError.EINVAL, "readdir needs room for an entry and a position >= 0");
            var dir = ReadLiveInode(inodeNumber);
            if (!dir.IsDirectory)
                throw new FsException(FsError.ENOTDIR, $"inode {inodeNumber} is not a directory");
            return ListEntries(dir, position, output, max);
        });
}
