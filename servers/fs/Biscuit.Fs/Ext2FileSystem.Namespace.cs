// Operations on names (POSIX open(2) with O_CREAT, mkdir(2), unlink(2), rmdir(2), link(2), symlink(2),
// rename(2)). Each checks everything that can fail before its first change where it can, and otherwise
// relies on the operation rollback (ENOSPC while adding a directory block, corruption found midway).
// Link counts: a file has one link per name; a directory has 2 (its name and its ".") plus one per
// subdirectory (their ".."). A non-directory whose count drops to 0 is freed at once, unless it is held
// open (Ext2FileSystem.Orphans.cs), in which case it is freed when the last holder releases it.
namespace Biscuit.Fs;

using System.Text;

public sealed partial class Ext2FileSystem
{
    private const int MaxLinks = 65000; // EXT2_LINK_MAX

    /// <summary>open(2): the inode `path` names, creating a regular file with Create.</summary>
    public uint Open(string path, OpenFlags flags, ushort permissions = 0x1A4, uint uid = 0, uint gid = 0) =>
        Run(modifies: (flags & (OpenFlags.Create | OpenFlags.Truncate)) != 0, () =>
        {
            uint number;
            try
            {
                number = Resolve(path, followLast: (flags & OpenFlags.NoFollow) == 0);
            }
            catch (FsException e) when (e.Error == FsError.ENOENT && (flags & OpenFlags.Create) != 0)
            {
                return CreateForOpen(path, flags, permissions, uid, gid);
            }
            if ((flags & (OpenFlags.Create | OpenFlags.Exclusive)) == (OpenFlags.Create | OpenFlags.Exclusive))
                throw new FsException(FsError.EEXIST, $"'{path}' exists");
            var inode = ReadLiveInode(number);
            if ((flags & OpenFlags.NoFollow) != 0 && inode.IsSymlink)
                throw new FsException(FsError.ELOOP, $"'{path}' is a symbolic link (O_NOFOLLOW)");
            if ((flags & OpenFlags.Directory) != 0 && !inode.IsDirectory)
                throw new FsException(FsError.ENOTDIR, $"'{path}' is not a directory");
            if ((flags & OpenFlags.Truncate) != 0)
            {
                if (inode.IsDirectory)
                    throw new FsException(FsError.EISDIR, $"'{path}' is a directory");
                if (inode.IsRegular)
                    TruncateLocked(inode, 0);
            }
            return number;
        });

    /// <summary>O_CREAT of a name that does not resolve: creates it, or, if it is a dangling symbolic
    /// link, the file it points to (as Linux does; with O_EXCL a symbolic link is EEXIST).</summary>
    private uint CreateForOpen(string path, OpenFlags flags, ushort permissions, uint uid, uint gid)
    {
        for (int follows = 0; ; follows++)
        {
            var (dir, name) = ResolveParent(path);
            uint existing = name is "" or "." or ".." ? 0 : LookupInDirectory(dir, name);
            if (existing == 0)
                return CreateLocked(dir, name, FileType.Regular, permissions, uid, gid).Number;
            var link = ReadLiveInode(existing);
            if (!link.IsSymlink || (flags & OpenFlags.Exclusive) != 0)
                throw new FsException(FsError.EEXIST, $"'{path}' exists");
            if (follows >= MaxSymlinkFollows)
                throw new FsException(FsError.ELOOP, "too many levels of symbolic links");
            string target = ReadSymlinkTarget(link);
            string parent = path.TrimEnd('/');
            parent = parent[..parent.LastIndexOf('/')];
            path = target.StartsWith('/') ? target : parent + "/" + target;
        }
    }

    /// <summary>Creates a regular file (fails with EEXIST if the name exists); returns its inode.</summary>
    public uint Create(string path, ushort permissions = 0x1A4, uint uid = 0, uint gid = 0) =>
        Run(modifies: true, () =>
        {
            var (dir, name) = ResolveParent(path);
            return CreateLocked(dir, name, FileType.Regular, permissions, uid, gid).Number;
        });

    /// <summary>mkdir(2).</summary>
    public uint Mkdir(string path, ushort permissions = 0x1ED, uint uid = 0, uint gid = 0) =>
        Run(modifies: true, () =>
        {
            var (parent, name) = ResolveParent(path);
            CheckNewName(parent, name, path);
            if (parent.LinksCount >= MaxLinks)
                throw new FsException(FsError.EMLINK, $"directory inode {parent.Number} has too many subdirectories");
            uint number = AllocateInode(parent.Number, directory: true);
            var dir = NewInode(number, FileType.Directory, permissions, uid, gid);
            dir.LinksCount = 2;
            uint block = MapOrAllocate(dir, 0, 0, out _);
            var data = _cache.GetFresh(block);
            WriteEntry(data, 0, 12, "."u8, number, FileType.Directory);
            WriteEntry(data, 12, _blockSize - 12, ".."u8, parent.Number, FileType.Directory);
            dir.Size = (ulong)_blockSize;
            WriteInode(dir);
            AddName(parent, name, number, FileType.Directory);
            parent.LinksCount++;
            WriteInode(parent);
            return number;
        });

    /// <summary>symlink(2): creates `linkPath` pointing to `target`.</summary>
    public uint Symlink(string target, string linkPath, uint uid = 0, uint gid = 0) =>
        Run(modifies: true, () =>
        {
            int length = Encoding.UTF8.GetByteCount(target);
            if (length == 0)
                throw new FsException(FsError.ENOENT, "empty symbolic link target");
            if (length >= _blockSize || length >= MaxPathLength)
                throw new FsException(FsError.ENAMETOOLONG, $"symbolic link target of {length} bytes");
            var (dir, name) = ResolveParent(linkPath);
            var link = CreateLocked(dir, name, FileType.Symlink, 0x1FF, uid, gid);
            var bytes = Encoding.UTF8.GetBytes(target);
            if (length < Inode.FastSymlinkMax)
            {
                bytes.CopyTo(link.BlockArea); // fast symlink: the text lives in i_block
            }
            else
            {
                uint block = MapOrAllocate(link, 0, 0, out _);
                _cache.WriteData(block, 0, bytes, fresh: true);
            }
            link.Size = (ulong)length;
            WriteInode(link);
            return link.Number;
        });

    /// <summary>link(2): a new name `newPath` for the inode `existingPath` names (not following a final
    /// symbolic link, as Linux does).</summary>
    public void Link(string existingPath, string newPath) =>
        Run(modifies: true, () =>
        {
            var inode = ReadLiveInode(Resolve(existingPath, followLast: false));
            if (inode.IsDirectory)
                throw new FsException(FsError.EPERM, $"'{existingPath}' is a directory: no hard links to directories");
            if (inode.LinksCount >= MaxLinks)
                throw new FsException(FsError.EMLINK, $"'{existingPath}' has too many links");
            var (dir, name) = ResolveParent(newPath);
            CheckNewName(dir, name, newPath);
            AddName(dir, name, inode.Number, inode.Type);
            inode.LinksCount++;
            inode.ChangeTime = Now();
            WriteInode(inode);
        });

    /// <summary>unlink(2): removes a name of a non-directory.</summary>
    public void Unlink(string path) =>
        Run(modifies: true, () =>
        {
            var (dir, name) = ResolveParent(path);
            if (name is "" or "." or "..")
                throw new FsException(FsError.EISDIR, $"'{path}' is a directory");
            if (!FindEntry(dir, name, out var slot))
                throw new FsException(FsError.ENOENT, $"'{path}' not found");
            var inode = ReadLiveInode(slot.Inode);
            if (inode.IsDirectory)
                throw new FsException(FsError.EISDIR, $"'{path}' is a directory");
            RemoveEntry(dir, slot);
            _lookups.Forget(dir.Number, name);
            DropLink(inode);
        });

    /// <summary>rmdir(2): removes an empty directory.</summary>
    public void Rmdir(string path) =>
        Run(modifies: true, () =>
        {
            var (parent, name) = ResolveParent(path);
            if (name == "")
                throw new FsException(FsError.EBUSY, "cannot remove the root directory");
            if (name == ".")
                throw new FsException(FsError.EINVAL, "cannot remove '.'");
            if (name == "..")
                throw new FsException(FsError.ENOTEMPTY, "cannot remove '..'");
            if (!FindEntry(parent, name, out var slot))
                throw new FsException(FsError.ENOENT, $"'{path}' not found");
            var dir = ReadLiveInode(slot.Inode);
            if (!dir.IsDirectory)
                throw new FsException(FsError.ENOTDIR, $"'{path}' is not a directory");
            if (!IsEmptyDirectory(dir))
                throw new FsException(FsError.ENOTEMPTY, $"'{path}' is not empty");
            RemoveEntry(parent, slot);
            parent.LinksCount--;
            WriteInode(parent);
            ReleaseInode(dir);
        });

    /// <summary>A new inode of `type` named `name` in `dir`. The caller fills in contents and writes it
    /// again if it changes it.</summary>
    private Inode CreateLocked(Inode dir, string name, FileType type, ushort permissions, uint uid, uint gid)
    {
        CheckNewName(dir, name, name);
        uint number = AllocateInode(dir.Number, directory: false);
        var inode = NewInode(number, type, permissions, uid, gid);
        WriteInode(inode);
        AddName(dir, name, number, type);
        return inode;
    }

    /// <summary>Refuses a name that cannot be created in `dir`: ".", "..", "/", existing, or a directory
    /// that has been removed.</summary>
    private void CheckNewName(Inode dir, string name, string path)
    {
        if (name is "" or "." or "..")
            throw new FsException(FsError.EEXIST, $"'{path}' exists");
        if (LookupInDirectory(dir, name) != 0)
            throw new FsException(FsError.EEXIST, $"'{path}' exists");
    }

    private void AddName(Inode dir, string name, uint inode, FileType type)
    {
        Span<byte> bytes = stackalloc byte[MaxNameLength * 3];
        int length = Encoding.UTF8.GetBytes(name, bytes);
        AddEntry(dir, bytes[..length], inode, type);
        _lookups.Add(dir.Number, name, inode);
    }

    /// <summary>One name of a non-directory is gone: decrements its links and frees it at zero.</summary>
    private void DropLink(Inode inode)
    {
        if (inode.LinksCount <= 1)
        {
            if (_openCounts.ContainsKey(inode.Number))
                MakeOrphan(inode); // still open: freed when the last holder lets go
            else
                ReleaseInode(inode);
            return;
        }
        inode.LinksCount--;
        inode.ChangeTime = Now();
        WriteInode(inode);
    }

    /// <summary>Frees an inode that no name refers to any more: its blocks, its extended-attribute block,
    /// and its number. Marks it deleted (dtime) as Linux does.</summary>
    private void ReleaseInode(Inode inode)
    {
        bool directory = inode.IsDirectory;
        FreeBlocksFrom(inode, 0);
        ReleaseXattrBlock(inode);
        if (directory)
        {
            _lookups.Clear(); // cached names inside it must not outlive it
            _roomHints.Remove(inode.Number);
        }
        inode.LinksCount = 0;
        inode.Size = 0;
        inode.DeleteTime = Now();
        WriteInode(inode);
        FreeInodeNumber(inode.Number, directory);
    }

    /// <summary>Drops the inode's reference to its extended-attribute block (ext4 disk layout, "Extended
    /// Attributes": header magic 0xEA020000, h_refcount at offset 4), freeing the block at zero.</summary>
    private void ReleaseXattrBlock(Inode inode)
    {
        uint block = inode.FileAcl;
        if (block == 0)
            return;
        CheckBlockPointer(block, inode);
        var data = _cache.Get(block);
        if (System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data) != 0xEA020000)
            throw FsException.Corrupt($"inode {inode.Number}: extended-attribute block {block} has a bad magic number");
        uint references = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(4));
        if (references > 1)
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(_cache.GetForWrite(block).AsSpan(4), references - 1);
        else
            FreeBlock(block);
        inode.FileAcl = 0;
        inode.Sectors -= (uint)(_blockSize / 512);
    }
}
