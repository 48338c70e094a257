// Calls on names and the working directory: mkdir(2), unlink(2), rmdir(2), rename(2), link(2),
// symlink(2), readlink(2), chmod(2), getcwd(2), chdir(2), fchdir(2), umask(2), and their *at forms.
using System.Text;

namespace Biscuit.Posix;

public static class NameCalls
{
    public static void Register(SyscallTable t)
    {
        t.Add(LinuxCall.Mkdir, "mkdir", c => Mkdir(c, At.FDCWD, c.Arg(0), (uint)c.Arg(1)));
        t.Add(LinuxCall.Mkdirat, "mkdirat", c => Mkdir(c, c.IntArg(0), c.Arg(1), (uint)c.Arg(2)));
        t.Add(LinuxCall.Unlink, "unlink", c => Unlink(c, At.FDCWD, c.Arg(0), 0));
        t.Add(LinuxCall.Unlinkat, "unlinkat", c => Unlink(c, c.IntArg(0), c.Arg(1), c.IntArg(2)));
        t.Add(LinuxCall.Rmdir, "rmdir", c => Unlink(c, At.FDCWD, c.Arg(0), At.REMOVEDIR));
        t.Add(LinuxCall.Rename, "rename", c => Rename(c, At.FDCWD, c.Arg(0), At.FDCWD, c.Arg(1), 0));
        t.Add(LinuxCall.Renameat, "renameat", c => Rename(c, c.IntArg(0), c.Arg(1), c.IntArg(2), c.Arg(3), 0));
        t.Add(LinuxCall.Renameat2, "renameat2", c => Rename(c, c.IntArg(0), c.Arg(1), c.IntArg(2), c.Arg(3), c.IntArg(4)));
        t.Add(LinuxCall.Link, "link", c => Link(c, At.FDCWD, c.Arg(0), At.FDCWD, c.Arg(1), 0));
        t.Add(LinuxCall.Linkat, "linkat", c => Link(c, c.IntArg(0), c.Arg(1), c.IntArg(2), c.Arg(3), c.IntArg(4)));
        t.Add(LinuxCall.Symlink, "symlink", c => Symlink(c, c.Arg(0), At.FDCWD, c.Arg(1)));
        t.Add(LinuxCall.Symlinkat, "symlinkat", c => Symlink(c, c.Arg(0), c.IntArg(1), c.Arg(2)));
        t.Add(LinuxCall.Readlink, "readlink", c => ReadLink(c, At.FDCWD, c.Arg(0), c.Arg(1), c.LongArg(2)));
        t.Add(LinuxCall.Readlinkat, "readlinkat", c => ReadLink(c, c.IntArg(0), c.Arg(1), c.Arg(2), c.LongArg(3)));
        t.Add(LinuxCall.Chmod, "chmod", c => Chmod(c, At.FDCWD, c.Arg(0), (uint)c.Arg(1)));
        t.Add(LinuxCall.Fchmodat, "fchmodat", c => Chmod(c, c.IntArg(0), c.Arg(1), (uint)c.Arg(2)));
        t.Add(LinuxCall.Fchmod, "fchmod", Fchmod);
        t.Add(LinuxCall.Chown, "chown", c => Chown(c, c.PathAt(At.FDCWD, c.Arg(0))!, c.Arg(1), c.Arg(2), follow: true));
        t.Add(LinuxCall.Lchown, "lchown", c => Chown(c, c.PathAt(At.FDCWD, c.Arg(0))!, c.Arg(1), c.Arg(2), follow: false));
        t.Add(LinuxCall.Fchown, "fchown", c => Chown(c, PathOfDescriptor(c, c.IntArg(0)), c.Arg(1), c.Arg(2), follow: true));
        t.Add(LinuxCall.Fchownat, "fchownat", FchownAt);
        t.Add(LinuxCall.Getcwd, "getcwd", GetCwd);
        t.Add(LinuxCall.Chdir, "chdir", c => ChangeDirectory(c, c.PathAt(At.FDCWD, c.Arg(0))!));
        t.Add(LinuxCall.Fchdir, "fchdir", c => ChangeDirectory(c, c.DirectoryOf(c.IntArg(0))));
        t.Add(LinuxCall.Umask, "umask", Umask);
    }

    private static long Mkdir(CallContext c, int dirFd, ulong path, uint mode)
    {
        c.Posix.Files.Mkdir(c.Process, c.PathAt(dirFd, path)!, mode);
        return 0;
    }

    private static long Unlink(CallContext c, int dirFd, ulong pathPointer, int flags)
    {
        if ((flags & ~At.REMOVEDIR) != 0) return -Errno.EINVAL;
        string path = c.PathAt(dirFd, pathPointer)!;
        if ((flags & At.REMOVEDIR) != 0)
        {
            if (path == "/") return -Errno.EBUSY;
            c.Posix.Files.Rmdir(path);
        }
        else
            c.Posix.Files.Unlink(path);
        return 0;
    }

    /// <summary>renameat2: only flags 0 (RENAME_NOREPLACE/EXCHANGE/WHITEOUT are EINVAL here).</summary>
    private static long Rename(CallContext c, int fromDir, ulong from, int toDir, ulong to, int flags)
    {
        if (flags != 0) return -Errno.EINVAL;
        c.Posix.Files.Rename(c.PathAt(fromDir, from)!, c.PathAt(toDir, to)!);
        return 0;
    }

    private static long Link(CallContext c, int fromDir, ulong from, int toDir, ulong to, int flags)
    {
        if ((flags & ~At.SYMLINK_FOLLOW) != 0) return -Errno.EINVAL;
        c.Posix.Files.Link(c.PathAt(fromDir, from)!, c.PathAt(toDir, to)!);
        return 0;
    }

    private static long Symlink(CallContext c, ulong target, int dirFd, ulong path)
    {
        string text = c.Memory.ReadString(target);
        if (text.Length == 0) return -Errno.ENOENT;
        c.Posix.Files.Symlink(text, c.PathAt(dirFd, path)!);
        return 0;
    }

    /// <summary>readlink(2): the target, truncated to the buffer, without a NUL; EINVAL for size <= 0.</summary>
    private static long ReadLink(CallContext c, int dirFd, ulong pathPointer, ulong buffer, long size)
    {
        if (size <= 0) return -Errno.EINVAL;
        string target = c.Posix.Files.ReadLink(c.Process, c.PathAt(dirFd, pathPointer)!);
        var bytes = Encoding.UTF8.GetBytes(target);
        int n = (int)Math.Min(bytes.Length, size);
        c.Memory.Write(buffer, bytes.AsSpan(0, n));
        return n;
    }

    private static long Chmod(CallContext c, int dirFd, ulong path, uint mode)
    {
        c.Posix.Files.Chmod(c.PathAt(dirFd, path)!, mode);
        return 0;
    }

    private static long Fchmod(CallContext c)
    {
        var file = c.Fds.Get(c.IntArg(0));
        if (file is not (FsFile or FsDirectory) || file.Path is null) return -Errno.EINVAL;
        c.Posix.Files.Chmod(file.Path, (uint)c.Arg(1));
        return 0;
    }

    /// <summary>chown(2): -1 (as u32) leaves an id unchanged; only root (effective uid 0) may give a file
    /// away (posix does not implement the unprivileged own-group case: EPERM).</summary>
    private static long Chown(CallContext c, string path, ulong uid, ulong gid, bool follow)
    {
        uint? newUid = (uint)uid == uint.MaxValue ? null : (uint)uid;
        uint? newGid = (uint)gid == uint.MaxValue ? null : (uint)gid;
        bool root;
        lock (c.Process.Gate) root = c.Process.Credentials.EffectiveUid == 0;
        if (!root && (newUid is not null || newGid is not null)) return -Errno.EPERM;
        c.Posix.Files.Chown(path, newUid, newGid, follow);
        return 0;
    }

    private static long FchownAt(CallContext c)
    {
        int flags = c.IntArg(4);
        if ((flags & ~(At.SYMLINK_NOFOLLOW | At.EMPTY_PATH)) != 0) return -Errno.EINVAL;
        string? path = c.PathAt(c.IntArg(0), c.Arg(1), allowEmpty: (flags & At.EMPTY_PATH) != 0);
        path ??= c.IntArg(0) == At.FDCWD ? c.DirectoryOf(At.FDCWD) : PathOfDescriptor(c, c.IntArg(0));
        return Chown(c, path, c.Arg(2), c.Arg(3), follow: (flags & At.SYMLINK_NOFOLLOW) == 0);
    }

    /// <summary>The fs path an fs file or directory descriptor was opened by (EINVAL for other kinds).</summary>
    private static string PathOfDescriptor(CallContext c, int fd)
    {
        var file = c.Fds.Get(fd);
        if (file is not (FsFile or FsDirectory) || file.Path is null) throw new SyscallFailure(Errno.EINVAL);
        return file.Path;
    }

    /// <summary>getcwd(2): the path with its NUL; ERANGE if it does not fit `size`; its length is the result.</summary>
    private static long GetCwd(CallContext c)
    {
        string cwd;
        lock (c.Process.Gate) cwd = c.Process.WorkingDirectory;
        var bytes = Encoding.UTF8.GetBytes(cwd + "\0");
        if ((ulong)bytes.Length > c.Arg(1)) return -Errno.ERANGE;
        c.Memory.Write(c.Arg(0), bytes);
        return bytes.Length;
    }

    private static long ChangeDirectory(CallContext c, string path)
    {
        var status = c.Posix.Files.Stat(c.Process, path, followLastLink: true);
        if ((status.Mode & Mode.IFMT) != Mode.IFDIR) return -Errno.ENOTDIR;
        lock (c.Process.Gate) c.Process.WorkingDirectory = path;
        return 0;
    }

    private static long Umask(CallContext c)
    {
        lock (c.Process.Gate)
        {
            uint old = c.Process.Umask;
            c.Process.Umask = (uint)c.Arg(0) & 0x1FF;
            return old;
        }
    }
}
