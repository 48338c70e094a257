// IFileSystem over the fs server (servers/fs/Biscuit.Fs.Protocol's FileServiceClient): each call is one
// or more IPC requests; an fs handle is the FsNode id. Errors come back as the fs server's Linux
// errnos (FsResult), negated here.
using Biscuit.Fs.Protocol;
using Biscuit.Posix;

namespace Biscuit.Posix.Server;

public sealed class FsServerFileSystem(FileServiceClient fs) : IFileSystem
{
    private static FsAttributes Convert(Biscuit.Fs.Protocol.FileStatus s) =>
        new(s.Inode, s.Mode, s.Links, s.Uid, s.Gid, s.Size, s.Blocks, s.AccessSeconds, s.ModifySeconds, s.ChangeSeconds);

    private static long Result<T>(FsResult<T> r) => r.IsOk ? 0 : -r.Errno;

    public long Open(string path, FsOpenFlags flags, uint mode, out FsNode node, out FsAttributes attributes)
    {
        int linux = ((flags & FsOpenFlags.Create) != 0 ? LinuxOpenFlags.O_CREAT : 0) | ((flags & FsOpenFlags.Exclusive) != 0 ? LinuxOpenFlags.O_EXCL : 0)
            | ((flags & FsOpenFlags.Truncate) != 0 ? LinuxOpenFlags.O_TRUNC : 0) | ((flags & FsOpenFlags.Directory) != 0 ? LinuxOpenFlags.O_DIRECTORY : 0)
            | ((flags & FsOpenFlags.NoFollow) != 0 ? LinuxOpenFlags.O_NOFOLLOW : 0);
        var r = fs.Open(path, linux, (int)mode);
        node = r.IsOk ? new FsNode(r.Value.Handle) : default;
        attributes = r.IsOk ? Convert(r.Value.Status) : default;
        return Result(r);
    }

    public long Read(FsNode node, long offset, Span<byte> into)
    {
        var r = fs.Read(node.Id, offset, into);
        return r.IsOk ? r.Value : -r.Errno;
    }

    public long Write(FsNode node, long offset, ReadOnlySpan<byte> from)
    {
        var r = fs.Write(node.Id, offset, from.ToArray());
        return r.IsOk ? r.Value : -r.Errno;
    }

    public long Truncate(FsNode node, long size) => Result(fs.Truncate(node.Id, size));

    public long Attributes(FsNode node, out FsAttributes attributes)
    {
        var r = fs.StatHandle(node.Id);
        attributes = r.IsOk ? Convert(r.Value) : default;
        return Result(r);
    }

    public long Fsync(FsNode node) => Result(fs.Fsync(node.Id));
    public long Close(FsNode node) => Result(fs.Close(node.Id));

    public long ReadDirectory(FsNode node, long cookie, List<FsDirEntry> output, int max, out long next)
    {
        next = -1;
        var r = fs.ReadDirectory(node.Id, cookie);
        if (!r.IsOk) return -r.Errno;
        foreach (var e in r.Value.Span) output.Add(new FsDirEntry(e.Name, e.Inode, e.Type));
        next = r.Value.IsEnd ? -1 : r.Value.NextCookie;
        return 0;
    }

    public long Stat(string path, bool followLastLink, out FsAttributes attributes)
    {
        var r = fs.Stat(path, followLastLink);
        attributes = r.IsOk ? Convert(r.Value) : default;
        return Result(r);
    }

    public long Mkdir(string path, uint mode) => Result(fs.Mkdir(path, (int)mode));
    public long Unlink(string path) => Result(fs.Unlink(path));
    public long Rmdir(string path) => Result(fs.Rmdir(path));
    public long Rename(string from, string to) => Result(fs.Rename(from, to));
    public long Link(string existing, string newPath) => Result(fs.Link(existing, newPath));
    public long Symlink(string target, string linkPath) => Result(fs.Symlink(target, linkPath));
    public long Chmod(string path, uint mode) => Result(fs.Chmod(path, (int)mode));
    public long Chown(string path, uint? uid, uint? gid, bool followLastLink) =>
        Result(fs.Chown(path, uid is null ? -1 : uid.Value, gid is null ? -1 : gid.Value, followLastLink));

    public long ReadLink(string path, out string target)
    {
        var r = fs.Readlink(path);
        target = r.IsOk ? r.Value ?? "" : "";
        return Result(r);
    }
}
