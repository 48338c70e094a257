// File I/O calls (open(2), read(2), write(2), pread(2), readv(2), lseek(2), stat(2), getdents64(2),
// truncate(2), fsync(2), access(2)) on the descriptors of the calling process.
namespace Biscuit.Posix;

public static class FileCalls
{
    public static void Register(SyscallTable t)
    {
        t.Add(LinuxCall.Open, "open", c => OpenAt(c, At.FDCWD, c.Arg(0), c.IntArg(1), (uint)c.Arg(2)));
        t.Add(LinuxCall.Openat, "openat", c => OpenAt(c, c.IntArg(0), c.Arg(1), c.IntArg(2), (uint)c.Arg(3)));
        t.Add(LinuxCall.Creat, "creat", c => OpenAt(c, At.FDCWD, c.Arg(0), O.CREAT | O.WRONLY | O.TRUNC, (uint)c.Arg(1)));
        t.Add(LinuxCall.Close, "close", c => c.Fds.Close(c.IntArg(0)));
        t.Add(LinuxCall.Read, "read", c => Read(c, c.IntArg(0), c.Arg(1), c.Arg(2)));
        t.Add(LinuxCall.Write, "write", c => Write(c, c.IntArg(0), c.Arg(1), c.Arg(2)));
        t.Add(LinuxCall.Pread64, "pread64", PRead);
        t.Add(LinuxCall.Pwrite64, "pwrite64", PWrite);
        t.Add(LinuxCall.Readv, "readv", ReadVector);
        t.Add(LinuxCall.Writev, "writev", WriteVector);
        t.Add(LinuxCall.Lseek, "lseek", c => c.Fds.Get(c.IntArg(0)).Seek(c.LongArg(1), c.IntArg(2)));
        t.Add(LinuxCall.Fstat, "fstat", c => WriteStat(c, c.Arg(1), c.Fds.Get(c.IntArg(0)).Status()));
        t.Add(LinuxCall.Stat, "stat", c => StatAt(c, At.FDCWD, c.Arg(0), c.Arg(1), 0));
        t.Add(LinuxCall.Lstat, "lstat", c => StatAt(c, At.FDCWD, c.Arg(0), c.Arg(1), At.SYMLINK_NOFOLLOW));
        t.Add(LinuxCall.Newfstatat, "newfstatat", c => StatAt(c, c.IntArg(0), c.Arg(1), c.Arg(2), c.IntArg(3)));
        t.Add(LinuxCall.Getdents64, "getdents64", GetDents64);
        t.Add(LinuxCall.Ftruncate, "ftruncate", c => c.Fds.Get(c.IntArg(0)).Truncate(c.LongArg(1)));
        t.Add(LinuxCall.Truncate, "truncate", Truncate);
        t.Add(LinuxCall.Fsync, "fsync", c => c.Fds.Get(c.IntArg(0)).Sync());
        t.Add(LinuxCall.Fdatasync, "fdatasync", c => c.Fds.Get(c.IntArg(0)).Sync());
        t.Add(LinuxCall.Access, "access", c => AccessAt(c, At.FDCWD, c.Arg(0), c.IntArg(1), 0));
        t.Add(LinuxCall.Faccessat, "faccessat", c => AccessAt(c, c.IntArg(0), c.Arg(1), c.IntArg(2), 0));
        t.Add(LinuxCall.Faccessat2, "faccessat2", c => AccessAt(c, c.IntArg(0), c.Arg(1), c.IntArg(2), c.IntArg(3)));
    }

    /// <summary>openat(2): O_CREAT/O_EXCL/O_TRUNC/O_APPEND/O_DIRECTORY/O_NOFOLLOW/O_CLOEXEC/O_NONBLOCK.</summary>
    public static long OpenAt(CallContext c, int dirFd, ulong pathPointer, int flags, uint mode)
    {
        string raw = c.Memory.ReadString(pathPointer);
        string path = c.PathAt(dirFd, raw)!;
        if (PathNames.NamesDirectory(raw)) flags |= O.DIRECTORY;
        if ((flags & O.DIRECTORY) != 0 && (flags & O.CREAT) != 0) return -Errno.EINVAL;
        if ((flags & O.PATH) != 0) flags = (flags & (O.CLOEXEC | O.DIRECTORY | O.NOFOLLOW)) | O.RDONLY;
        var file = c.Posix.Files.Open(c.Process, path, flags, mode);
        return c.Fds.Add(file, (flags & O.CLOEXEC) != 0);
    }

    public static long Read(CallContext c, int fd, ulong buffer, ulong count)
    {
        var file = c.Fds.Get(fd);
        if (!file.CanRead) return -Errno.EBADF;
        return UserIo.ReadToUser(c, file, buffer, count, span => file.Read(span));
    }

    public static long Write(CallContext c, int fd, ulong buffer, ulong count)
    {
        var file = c.Fds.Get(fd);
        if (!file.CanWrite) return -Errno.EBADF;
        return UserIo.WriteFromUser(c, file, buffer, count, span => file.Write(span));
    }

    private static long PRead(CallContext c)
    {
        var file = c.Fds.Get(c.IntArg(0));
        long offset = c.LongArg(3);
        if (offset < 0) return -Errno.EINVAL;
        long done = 0;
        return UserIo.ReadToUser(c, file, c.Arg(1), c.Arg(2), span =>
        {
            long n = file.ReadAt(span, offset + done);
            if (n > 0) done += n;
            return n;
        });
    }

    private static long PWrite(CallContext c)
    {
        var file = c.Fds.Get(c.IntArg(0));
        long offset = c.LongArg(3);
        if (offset < 0) return -Errno.EINVAL;
        long done = 0;
        return UserIo.WriteFromUser(c, file, c.Arg(1), c.Arg(2), span =>
        {
            long n = file.WriteAt(span, offset + done);
            if (n > 0) done += n;
            return n;
        });
    }

    private static long ReadVector(CallContext c)
    {
        var file = c.Fds.Get(c.IntArg(0));
        if (!file.CanRead) return -Errno.EBADF;
        var iovecs = UserIo.ReadIovecs(c.Memory, c.Arg(1), c.Arg(2));
        long total = Math.Min(iovecs.Sum(v => (long)v.Length), UserIo.ChunkBytes);
        var data = new byte[total];
        long n = Blocking.Retry(file, Events.Readiness.In, c, () => file.Read(data));
        if (n <= 0) return n;
        UserIo.Scatter(c.Memory, iovecs, data.AsSpan(0, (int)n));
        return n;
    }

    private static long WriteVector(CallContext c)
    {
        var file = c.Fds.Get(c.IntArg(0));
        if (!file.CanWrite) return -Errno.EBADF;
        var iovecs = UserIo.ReadIovecs(c.Memory, c.Arg(1), c.Arg(2));
        var data = UserIo.Gather(c.Memory, iovecs);
        return Blocking.Retry(file, Events.Readiness.Out, c, () => file.Write(data));
    }

    private static long WriteStat(CallContext c, ulong address, FileStatus status)
    {
        c.Memory.Write(address, StatLayout.Encode(status));
        return 0;
    }

    /// <summary>newfstatat(2): AT_EMPTY_PATH stats `dirFd` itself; AT_SYMLINK_NOFOLLOW stats a link.</summary>
    private static long StatAt(CallContext c, int dirFd, ulong pathPointer, ulong statPointer, int flags)
    {
        if ((flags & ~(At.SYMLINK_NOFOLLOW | At.EMPTY_PATH | 0x800 /* AT_NO_AUTOMOUNT */)) != 0) return -Errno.EINVAL;
        string? path = c.PathAt(dirFd, pathPointer, allowEmpty: (flags & At.EMPTY_PATH) != 0);
        if (path is null)
        {
            var status = dirFd == At.FDCWD
                ? c.Posix.Files.Stat(c.Process, c.DirectoryOf(At.FDCWD), true)
                : c.Fds.Get(dirFd).Status();
            return WriteStat(c, statPointer, status);
        }
        return WriteStat(c, statPointer, c.Posix.Files.Stat(c.Process, path, (flags & At.SYMLINK_NOFOLLOW) == 0));
    }

    private static long GetDents64(CallContext c)
    {
        var file = c.Fds.Get(c.IntArg(0));
        int size = (int)Math.Min(c.Arg(2), (ulong)UserIo.ChunkBytes);
        var buffer = new byte[size];
        long n = file switch
        {
            FsDirectory d => d.ReadEntries(buffer),
            SyntheticDirectory s => s.ReadEntries(buffer),
            _ => -Errno.ENOTDIR,
        };
        if (n > 0) c.Memory.Write(c.Arg(1), buffer.AsSpan(0, (int)n));
        return n;
    }

    private static long Truncate(CallContext c)
    {
        string path = c.PathAt(At.FDCWD, c.Arg(0))!;
        var file = c.Posix.Files.Open(c.Process, path, O.WRONLY, 0);
        try { return file.Truncate(c.LongArg(1)); }
        finally { file.DropReference(); }
    }

    /// <summary>access(2): posix runs applications as root, so existence (and, for X_OK, an execute
    /// bit somewhere) decides. Mode bits other than R/W/X_OK are EINVAL.</summary>
    private static long AccessAt(CallContext c, int dirFd, ulong pathPointer, int mode, int flags)
    {
        if ((mode & ~7) != 0) return -Errno.EINVAL;
        if ((flags & ~(At.EACCESS | At.SYMLINK_NOFOLLOW | At.EMPTY_PATH)) != 0) return -Errno.EINVAL;
        string path = c.PathAt(dirFd, pathPointer)!;
        var status = c.Posix.Files.Stat(c.Process, path, (flags & At.SYMLINK_NOFOLLOW) == 0);
        if ((mode & 1) != 0 && (status.Mode & 0x49) == 0 && (status.Mode & Mode.IFMT) != Mode.IFDIR) return -Errno.EACCES;
        return 0;
    }
}
