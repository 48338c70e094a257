// posix's file system at "/" is the fs server: IFileSystem over FileServiceClient. One client per
// calling thread (the client's IPC buffer is its thread's), made on first use by `clientFactory`.
// Invariants: every result is either a non-negative value or a negated Linux errno (the fs protocol
// already speaks Linux errnos); an FsNode is the fs server's open-file handle, closed exactly once
// by posix through Close.
using Biscuit.Fs.Protocol;

namespace Biscuit.Posix.Links;

public sealed class FsLink(Func<FileServiceClient> clientFactory) : IFileSystem
{
    private readonly ThreadLocal<FileServiceClient> clients = new(clientFactory);   // one per worker thread

    private FileServiceClient Fs => clients.Value!;

    public long Open(string path, FsOpenFlags flags, uint mode, out FsNode node, out FsAttributes attributes)
    {
        var r = Fs.Open(path, LinuxFlags(flags), (int)(mode & 0xFFF));
        node = r.IsOk ? new FsNode(r.Value.Handle) : default;
        attributes = r.IsOk ? Attributes(r.Value.Status) : default;
        return r.IsOk ? 0 : -r.Errno;
    }

    public long Read(FsNode node, long offset, Span<byte> into)
    {
        var r = Fs.Read(node.Id, offset, into);
        return r.IsOk ? r.Value : -r.Errno;
    }

    public long Write(FsNode node, long offset, ReadOnlySpan<byte> from)
    {
        var r = Fs.Write(node.Id, offset, from.ToArray());
        return r.IsOk ? r.Value : -r.Errno;
    }

    public long Truncate(FsNode node, long size) => Status(Fs.Truncate(node.Id, size));
    public long Fsync(FsNode node) => Status(Fs.Fsync(node.Id));
    public long Close(FsNode node) => Status(Fs.Close(node.Id));

    public long Attributes(FsNode node, out FsAttributes attributes)
    {
        var r = Fs.StatHandle(node.Id);
        attributes = r.IsOk ? Attributes(r.Value) : default;
        return r.IsOk ? 0 : -r.Errno;
    }

    public long ReadDirectory(FsNode node, long cookie, List<FsDirEntry> output, int max, out long next)
    {
        next = -1;
        if (max <= 0) return -Errno.EINVAL;
        var r = Fs.ReadDirectory(node.Id, cookie);
        if (!r.IsOk) return -r.Errno;
        var entries = r.Value.Span;
        int take = Math.Min(entries.Length, max);
        for (int i = 0; i < take; i++) output.Add(new FsDirEntry(entries[i].Name, entries[i].Inode, entries[i].Type));
        if (take < entries.Length) next = entries[take - 1].NextCookie;       // the caller wanted fewer: go on after the last taken
        else if (!r.Value.IsEnd) next = r.Value.NextCookie;
        return take;
    }

    public long Stat(string path, bool followLastLink, out FsAttributes attributes)
    {
        var r = Fs.Stat(path, followLastLink);
        attributes = r.IsOk ? Attributes(r.Value) : default;
        return r.IsOk ? 0 : -r.Errno;
    }

    public long Mkdir(string path, uint mode) => Status(Fs.Mkdir(path, (int)(mode & 0xFFF)));
    public long Unlink(string path) => Status(Fs.Unlink(path));
    public long Rmdir(string path) => Status(Fs.Rmdir(path));
    public long Rename(string from, string to) => Status(Fs.Rename(from, to));
    public long Link(string existing, string newPath) => Status(Fs.Link(existing, newPath));
    public long Symlink(string target, string linkPath) => Status(Fs.Symlink(target, linkPath));
    public long Chmod(string path, uint mode) => Status(Fs.Chmod(path, (int)(mode & 0xFFF)));

    /// <summary>chown(2): a null id is left unchanged (-1 on the wire).</summary>
    public long Chown(string path, uint? uid, uint? gid, bool followLastLink) =>
        Status(Fs.Chown(path, uid is { } u ? u : -1, gid is { } g ? g : -1, followLastLink));

    public long ReadLink(string path, out string target)
    {
        var r = Fs.Readlink(path);
        target = r.IsOk ? r.Value! : "";
        return r.IsOk ? 0 : -r.Errno;
    }

    private static long Status<T>(FsResult<T> r) => r.IsOk ? 0 : -r.Errno;

    /// <summary>posix's open flags as the Linux O_* bits the fs protocol takes.</summary>
    public static int LinuxFlags(FsOpenFlags flags) =>
        (flags.HasFlag(FsOpenFlags.Create) ? LinuxOpenFlags.O_CREAT : 0)
        | (flags.HasFlag(FsOpenFlags.Exclusive) ? LinuxOpenFlags.O_EXCL : 0)
        | (flags.HasFlag(FsOpenFlags.Truncate) ? LinuxOpenFlags.O_TRUNC : 0)
        | (flags.HasFlag(FsOpenFlags.Directory) ? LinuxOpenFlags.O_DIRECTORY : 0)
        | (flags.HasFlag(FsOpenFlags.NoFollow) ? LinuxOpenFlags.O_NOFOLLOW : 0);

    public static FsAttributes Attributes(Biscuit.Fs.Protocol.FileStatus s) =>
        new(s.Inode, s.Mode, s.Links, s.Uid, s.Gid, s.Size, s.Blocks, s.AccessSeconds, s.ModifySeconds, s.ChangeSeconds);
}
