// The reference model for property tests: an in-memory tree that implements the same operations with the
// errors POSIX and Linux give, in the order Ext2FileSystem checks them. Paths given to it never pass
// through a symbolic link (the generator builds paths from real directories), so it need not follow any.
namespace Biscuit.Fs.Tests;

public sealed class ReferenceModel
{
    public abstract class Node
    {
        public ushort Permissions;
        public uint Uid, Gid;
        public int Links = 1; // names referring to this node (directories: see DirNode.LinkCount)
    }

    public sealed class FileNode : Node
    {
        public byte[] Data = Array.Empty<byte>();
        public uint AccessTime, ModifyTime;
    }

    public sealed class DirNode : Node
    {
        public readonly SortedDictionary<string, Node> Children = new(StringComparer.Ordinal);
        public DirNode? Parent;
        public int LinkCount => 2 + Children.Values.Count(c => c is DirNode);
    }

    public sealed class LinkNode : Node
    {
        public string Target = "";
    }

    public readonly DirNode Root = new() { Permissions = 0x1ED };

    public ReferenceModel()
    {
        Root.Parent = Root;
        Root.Children["lost+found"] = new DirNode { Permissions = 0x1C0, Parent = Root };
    }

    private static string[] Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The directory holding the last component, and that component.</summary>
    private (FsError? Error, DirNode? Dir, string Name) LocateParent(string path)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(path) >= 4096)
            return (FsError.ENAMETOOLONG, null, "");
        var parts = Split(path);
        DirNode dir = Root;
        for (int i = 0; i < parts.Length - 1; i++)
        {
            if (!dir.Children.TryGetValue(parts[i], out var next))
                return (FsError.ENOENT, null, "");
            if (next is not DirNode d)
                return (FsError.ENOTDIR, null, "");
            dir = d;
        }
        return (null, dir, parts.Length == 0 ? "" : parts[^1]);
    }

    public (FsError? Error, Node? Node) Locate(string path)
    {
        var (error, dir, name) = LocateParent(path);
        if (error != null)
            return (error, null);
        if (name == "")
            return (null, Root);
        return dir!.Children.TryGetValue(name, out var node) ? (null, node) : (FsError.ENOENT, null);
    }

    public FsError? Create(string path, ushort permissions, uint now)
    {
        var (error, dir, name) = LocateParent(path);
        if (error != null) return error;
        if (dir!.Children.ContainsKey(name)) return FsError.EEXIST;
        dir.Children[name] = new FileNode { Permissions = permissions, AccessTime = now, ModifyTime = now };
        return null;
    }

    public FsError? Mkdir(string path, ushort permissions)
    {
        var (error, dir, name) = LocateParent(path);
        if (error != null) return error;
        if (dir!.Children.ContainsKey(name)) return FsError.EEXIST;
        dir.Children[name] = new DirNode { Permissions = permissions, Parent = dir };
        return null;
    }

    public FsError? Symlink(string target, string path)
    {
        var (error, dir, name) = LocateParent(path);
        if (error != null) return error;
        if (dir!.Children.ContainsKey(name)) return FsError.EEXIST;
        dir.Children[name] = new LinkNode { Permissions = 0x1FF, Target = target };
        return null;
    }

    public FsError? Write(string path, long offset, byte[] data, uint now)
    {
        var (error, node) = Locate(path);
        if (error != null) return error;
        if (node is DirNode) return FsError.EISDIR;
        var file = (FileNode)node!;
        if (data.Length == 0) return null;
        if (offset + data.Length > file.Data.Length)
            Array.Resize(ref file.Data, (int)(offset + data.Length));
        data.CopyTo(file.Data, offset);
        file.ModifyTime = now;
        return null;
    }

    public FsError? Truncate(string path, long size, uint now)
    {
        var (error, node) = Locate(path);
        if (error != null) return error;
        if (node is DirNode) return FsError.EISDIR;
        var file = (FileNode)node!;
        Array.Resize(ref file.Data, (int)size);
        file.ModifyTime = now;
        return null;
    }

    public FsError? Unlink(string path)
    {
        var (error, dir, name) = LocateParent(path);
        if (error != null) return error;
        if (!dir!.Children.TryGetValue(name, out var node)) return FsError.ENOENT;
        if (node is DirNode) return FsError.EISDIR;
        dir.Children.Remove(name);
        node.Links--;
        return null;
    }

    public FsError? Rmdir(string path)
    {
        var (error, dir, name) = LocateParent(path);
        if (error != null) return error;
        if (!dir!.Children.TryGetValue(name, out var node)) return FsError.ENOENT;
        if (node is not DirNode d) return FsError.ENOTDIR;
        if (d.Children.Count > 0) return FsError.ENOTEMPTY;
        dir.Children.Remove(name);
        return null;
    }

    public FsError? Link(string existing, string path)
    {
        var (error, node) = Locate(existing);
        if (error != null) return error;
        if (node is DirNode) return FsError.EPERM;
        var (parentError, dir, name) = LocateParent(path);
        if (parentError != null) return parentError;
        if (dir!.Children.ContainsKey(name)) return FsError.EEXIST;
        dir.Children[name] = node!;
        node!.Links++;
        return null;
    }

    public FsError? Rename(string oldPath, string newPath)
    {
        var (oldError, oldDir, oldName) = LocateParent(oldPath);
        if (oldError != null) return oldError;
        var (newError, newDir, newName) = LocateParent(newPath);
        if (newError != null) return newError;
        if (!oldDir!.Children.TryGetValue(oldName, out var source)) return FsError.ENOENT;
        newDir!.Children.TryGetValue(newName, out var replaced);
        if (replaced == source) return null;
        if (source is DirNode sourceDir)
            for (var d = newDir; ; d = d.Parent!)
            {
                if (d == sourceDir) return FsError.EINVAL;
                if (d == Root) break;
            }
        if (replaced != null)
        {
            if (source is DirNode && replaced is not DirNode) return FsError.ENOTDIR;
            if (source is not DirNode && replaced is DirNode) return FsError.EISDIR;
            if (replaced is DirNode r && r.Children.Count > 0) return FsError.ENOTEMPTY;
            if (replaced is not DirNode) replaced.Links--;
        }
        oldDir.Children.Remove(oldName);
        newDir.Children[newName] = source;
        if (source is DirNode moved) moved.Parent = newDir;
        return null;
    }

    public FsError? Chmod(string path, ushort permissions)
    {
        var (error, node) = Locate(path);
        if (error != null) return error;
        node!.Permissions = permissions;
        return null;
    }

    public FsError? Chown(string path, uint uid, uint gid)
    {
        var (error, node) = Locate(path);
        if (error != null) return error;
        node!.Uid = uid;
        node.Gid = gid;
        return null;
    }

    public FsError? SetTimes(string path, uint access, uint modify)
    {
        var (error, node) = Locate(path);
        if (error != null) return error;
        if (node is FileNode f)
        {
            f.AccessTime = access;
            f.ModifyTime = modify;
        }
        return null;
    }

    /// <summary>Every path in the tree with its node, parents before children (root excluded).</summary>
    public List<(string Path, Node Node)> Enumerate()
    {
        var result = new List<(string, Node)>();
        void Walk(DirNode dir, string prefix)
        {
            foreach (var (name, child) in dir.Children)
            {
                string path = prefix + "/" + name;
                result.Add((path, child));
                if (child is DirNode d)
                    Walk(d, path);
            }
        }
        Walk(Root, "");
        return result;
    }
}
