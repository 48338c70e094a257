// Path resolution (path_resolution(7)): absolute paths, "/"-separated components, "." and "..", symbolic
// links followed in every non-final component and, when asked, in the final one; at most 40 symbolic
// links per resolution (ELOOP), components of at most 255 bytes and paths of at most 4096 (ENAMETOOLONG).
// Permissions are not checked here: the posix server, which knows the caller's credentials, does that.
namespace Biscuit.Fs;

using System.Text;
using System.Text.Unicode;

public sealed partial class Ext2FileSystem
{
    private const int MaxSymlinkFollows = 40;

    /// <summary>The inode `path` names.</summary>
    private uint Resolve(string path, bool followLast)
    {
        CheckPath(path);
        int follows = 0;
        bool mustBeDirectory = path.Length > 1 && path[^1] == '/';
        uint inode = Walk(RootInode, path, followLast || mustBeDirectory, ref follows);
        if (mustBeDirectory && !ReadLiveInode(inode).IsDirectory)
            throw new FsException(FsError.ENOTDIR, $"'{path}' is not a directory");
        return inode;
    }

    /// <summary>The directory that holds the last component of `path`, and that component ("" for "/").</summary>
    private (Inode Dir, string Name) ResolveParent(string path)
    {
        CheckPath(path);
        string trimmed = path.TrimEnd('/');
        int slash = trimmed.LastIndexOf('/');
        string name = trimmed[(slash + 1)..];
        int follows = 0;
        uint dir = slash <= 0 ? RootInode : Walk(RootInode, trimmed[..slash], followLast: true, ref follows);
        var inode = ReadLiveInode(dir);
        if (!inode.IsDirectory)
            throw new FsException(FsError.ENOTDIR, $"'{trimmed[..Math.Max(slash, 1)]}' is not a directory");
        CheckName(name);
        return (inode, name);
    }

    private static void CheckPath(string path)
    {
        if (path.Length == 0)
            throw new FsException(FsError.ENOENT, "empty path");
        if (path[0] != '/')
            throw new FsException(FsError.EINVAL, $"path '{path}' is not absolute");
        if (Encoding.UTF8.GetByteCount(path) >= MaxPathLength)
            throw new FsException(FsError.ENAMETOOLONG, "path longer than 4095 bytes");
    }

    private static void CheckName(string name)
    {
        if (Encoding.UTF8.GetByteCount(name) > MaxNameLength)
            throw new FsException(FsError.ENAMETOOLONG, $"name of {Encoding.UTF8.GetByteCount(name)} bytes (at most {MaxNameLength})");
        if (name.Contains('\0'))
            throw new FsException(FsError.EINVAL, "name contains a NUL byte");
    }

    /// <summary>Resolves `path` component by component starting at directory `start`.</summary>
    private uint Walk(uint start, string path, bool followLast, ref int follows)
    {
        uint current = start;
        int i = 0;
        while (true)
        {
            while (i < path.Length && path[i] == '/')
                i++;
            if (i >= path.Length)
                return current;
            int end = path.IndexOf('/', i);
            if (end < 0)
                end = path.Length;
            string name = path[i..end];
            i = end;
            bool last = path.AsSpan(i).TrimStart('/').IsEmpty;
            CheckName(name);

            var dir = ReadLiveInode(current);
            if (!dir.IsDirectory)
                throw new FsException(FsError.ENOTDIR, $"a component before '{name}' is not a directory");
            if (name == ".")
                continue;
            uint next = LookupInDirectory(dir, name);
            if (next == 0)
                throw new FsException(FsError.ENOENT, $"'{name}' not found");
            if (!last || followLast)
            {
                var child = ReadLiveInode(next);
                if (child.IsSymlink)
                {
                    if (++follows > MaxSymlinkFollows)
                        throw new FsException(FsError.ELOOP, "too many levels of symbolic links");
                    string target = ReadSymlinkTarget(child);
                    next = Walk(target.StartsWith('/') ? RootInode : current, target, followLast: true, ref follows);
                }
            }
            current = next;
        }
    }

    /// <summary>The inode `name` names in `dir` (whose ".." at the root is the root itself), or 0.
    /// A miss in the lookup cache scans the directory once and, if all its names fit in the cache,
    /// caches every one of them and marks the directory complete.</summary>
    private uint LookupInDirectory(Inode dir, string name)
    {
        if (_lookups.TryGet(dir.Number, name, out uint cached))
            return cached;
        if (_lookups.IsComplete(dir.Number))
            return 0;
        long blocks = DirectoryBlocks(dir);
        // At most one entry per 12 bytes; only directories that surely fit are cached whole.
        bool cacheAll = _lookups.HasRoomFor(blocks * _blockSize / 12);
        Span<byte> wanted = stackalloc byte[MaxNameLength * 3];
        int wantedLength = Encoding.UTF8.GetBytes(name, wanted);
        uint found = 0;
        for (long logical = 0; logical < blocks; logical++)
        {
            var data = _cache.Get(DirectoryBlock(dir, logical));
            for (int offset = 0; offset < _blockSize;)
            {
                var e = ParseEntry(data, offset, dir, logical);
                var entryName = data.AsSpan(offset + EntryHeader, e.NameLen);
                offset += e.RecLen;
                if (e.Inode == 0)
                    continue;
                if (found == 0 && entryName.SequenceEqual(wanted[..wantedLength]))
                {
                    found = e.Inode;
                    if (!cacheAll)
                        break;
                }
                if (cacheAll)
                {
                    if (!Utf8.IsValid(entryName))
                        cacheAll = false; // two such names could decode alike: cache nothing whole
                    else
                        _lookups.Add(dir.Number, Encoding.UTF8.GetString(entryName), e.Inode);
                }
            }
            if (found != 0 && !cacheAll)
                break;
        }
        if (cacheAll)
            _lookups.MarkComplete(dir.Number);
        else if (found != 0)
            _lookups.Add(dir.Number, name, found);
        return found;
    }

    /// <summary>Finds the entry `name` of `dir` for modification (not through the lookup cache).</summary>
    private bool FindEntry(Inode dir, string name, out EntrySlot slot)
    {
        Span<byte> bytes = stackalloc byte[MaxNameLength * 3];
        int length = Encoding.UTF8.GetBytes(name, bytes);
        return FindEntry(dir, bytes[..length], out slot);
    }

    /// <summary>The target text of a symbolic link (fast: in i_block; slow: in its first block).</summary>
    private string ReadSymlinkTarget(Inode link)
    {
        if (link.Size == 0 || link.Size >= (ulong)_blockSize)
            throw FsException.Corrupt($"symbolic link inode {link.Number} has size {link.Size}");
        int length = (int)link.Size;
        if (IsFastSymlink(link))
        {
            if (length >= Inode.FastSymlinkMax)
                throw FsException.Corrupt($"fast symbolic link inode {link.Number} has size {length}");
            return Encoding.UTF8.GetString(link.BlockArea[..length]);
        }
        uint block = MapBlock(link, 0);
        if (block == 0)
            throw FsException.Corrupt($"symbolic link inode {link.Number} has no data block");
        return Encoding.UTF8.GetString(_cache.Get(block), 0, length);
    }
}
