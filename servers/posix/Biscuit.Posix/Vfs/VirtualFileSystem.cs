// The namespace applications see: the fs server at "/", posix's own /dev and /proc over it.
// Paths reaching here are absolute and normalised (PathNames.Combine). Every operation either
// returns its result or throws SyscallFailure with the errno Linux gives; /dev and /proc refuse
// changes to their names with EACCES (they are not writable file systems here). /dev/console and
// /dev/tty are the one console terminal (Terminal/ConsoleTerminal.cs) with its line discipline.
namespace Biscuit.Posix;

public sealed class VirtualFileSystem(IFileSystem fs, ISystemServices system, ProcessTable processes)
{
    private static readonly (string Name, DeviceKind Kind)[] Devices =
    [
        ("null", DeviceKind.Null), ("zero", DeviceKind.Zero), ("urandom", DeviceKind.Random),
        ("random", DeviceKind.Random), ("console", DeviceKind.Console), ("tty", DeviceKind.Console),
    ];

    public IFileSystem FileSystem => fs;
    /// <summary>MAP_SHARED file mappings (null: posix has no pages to share, MAP_SHARED is ENODEV).</summary>
    public SharedFileTable? SharedFiles { get; init; }
    public ProcFiles Proc { get; } = new(system, processes);
    public ConsoleTerminal Terminal { get; } = new(system);

    private static bool IsDev(string path) => PathNames.IsUnder(path, "/dev");
    private static bool IsProc(string path) => PathNames.IsUnder(path, "/proc");

    /// <summary>openat(2) of an absolute path: a new open file description (one reference).</summary>
    public OpenFile Open(PosixProcess caller, string path, int flags, uint mode)
    {
        bool wantsDirectory = (flags & O.DIRECTORY) != 0;
        if (IsDev(path))
        {
            if (path == "/dev") return Directory(DevEntries(), path, 90);
            var device = Devices.FirstOrDefault(d => "/dev/" + d.Name == path);
            if (device.Name is null)
                throw new SyscallFailure((flags & O.CREAT) != 0 ? Errno.EACCES : Errno.ENOENT);
            if (wantsDirectory) throw new SyscallFailure(Errno.ENOTDIR);
            if (device.Kind == DeviceKind.Console)
            {
                Terminal.Opened(caller);
                return new TerminalFile(Terminal, path, flags);
            }
            return new DeviceFile(device.Kind, path, system, flags);
        }
        if (IsProc(path))
        {
            path = FollowProcLinks(path, caller, followLast: (flags & O.NOFOLLOW) == 0);
            if (!IsProc(path)) return Open(caller, path, flags, mode);
            switch (Proc.Classify(path, caller, out _))
            {
                case ProcFiles.Kind.Directory: return Directory(Proc.List(path, caller), path, 91);
                case ProcFiles.Kind.File:
                    if (wantsDirectory) throw new SyscallFailure(Errno.ENOTDIR);
                    if ((flags & O.ACCMODE) != O.RDONLY) throw new SyscallFailure(Errno.EACCES);
                    return new SnapshotFile(Proc.Contents(path, caller), path, 92, flags);
                case ProcFiles.Kind.Link: throw new SyscallFailure(Errno.ELOOP);
                default: throw new SyscallFailure(Errno.ENOENT);
            }
        }
        var fsFlags = FsOpenFlags.None;
        if ((flags & O.CREAT) != 0) fsFlags |= FsOpenFlags.Create;
        if ((flags & O.EXCL) != 0) fsFlags |= FsOpenFlags.Exclusive;
        if ((flags & O.TRUNC) != 0 && (flags & O.ACCMODE) != O.RDONLY) fsFlags |= FsOpenFlags.Truncate;
        if (wantsDirectory) fsFlags |= FsOpenFlags.Directory;
        if ((flags & O.NOFOLLOW) != 0) fsFlags |= FsOpenFlags.NoFollow;
        uint umask;
        lock (caller.Gate) umask = caller.Umask;
        Check(fs.Open(path, fsFlags, mode & ~umask & 0xFFF, out var node, out var attributes));
        if (attributes.IsDirectory)
        {
            if ((flags & O.ACCMODE) != O.RDONLY) { fs.Close(node); throw new SyscallFailure(Errno.EISDIR); }
            return new FsDirectory(fs, node, path, flags);
        }
        return new FsFile(fs, node, path, flags, SharedFiles, attributes.Inode);
    }

    /// <summary>stat(2)/lstat(2) of an absolute path.</summary>
    public FileStatus Stat(PosixProcess caller, string path, bool followLastLink)
    {
        if (IsDev(path))
        {
            if (path == "/dev") return FileStatus.Synthetic(Mode.IFDIR | 0x1ED, 90) with { Links = 2 };
            var device = Devices.FirstOrDefault(d => "/dev/" + d.Name == path);
            if (device.Name is null) throw new SyscallFailure(Errno.ENOENT);
            return FileStatus.Synthetic(Mode.IFCHR | 0x1B6, 100 + (ulong)device.Kind, DeviceFile.DeviceNumber(device.Kind));
        }
        if (IsProc(path))
        {
            path = FollowProcLinks(path, caller, followLastLink);
            if (!IsProc(path)) return Stat(caller, path, followLastLink);
            return Proc.Classify(path, caller, out string target) switch
            {
                ProcFiles.Kind.Directory => FileStatus.Synthetic(Mode.IFDIR | 0x16D, 91) with { Links = 2 },
                ProcFiles.Kind.File => FileStatus.Synthetic(Mode.IFREG | 0x124, 92),
                ProcFiles.Kind.Link => FileStatus.Synthetic(Mode.IFLNK | 0x1FF, 93, size: target.Length),
                _ => throw new SyscallFailure(Errno.ENOENT),
            };
        }
        Check(fs.Stat(path, followLastLink, out var a));
        return FileStatus.FromFs(a);
    }

    public string ReadLink(PosixProcess caller, string path)
    {
        if (IsDev(path)) { Stat(caller, path, false); throw new SyscallFailure(Errno.EINVAL); }
        if (IsProc(path))
        {
            path = FollowProcLinks(path, caller, followLast: false);
            var kind = Proc.Classify(path, caller, out string target);
            if (kind == ProcFiles.Kind.Missing) throw new SyscallFailure(Errno.ENOENT);
            if (kind != ProcFiles.Kind.Link) throw new SyscallFailure(Errno.EINVAL);
            return target;
        }
        Check(fs.ReadLink(path, out string fsTarget));
        return fsTarget;
    }

    public void Mkdir(PosixProcess caller, string path, uint mode)
    {
        RefuseSynthetic(path, Errno.EEXIST);
        uint umask;
        lock (caller.Gate) umask = caller.Umask;
        Check(fs.Mkdir(path, mode & ~umask & 0xFFF));
    }

    public void Unlink(string path) { RefuseSynthetic(path); Check(fs.Unlink(path)); }
    public void Rmdir(string path) { RefuseSynthetic(path); Check(fs.Rmdir(path)); }
    public void Symlink(string target, string path) { RefuseSynthetic(path); Check(fs.Symlink(target, path)); }
    public void Chmod(string path, uint mode) { RefuseSynthetic(path); Check(fs.Chmod(path, mode & 0xFFF)); }
    public void Chown(string path, uint? uid, uint? gid, bool followLastLink) { RefuseSynthetic(path); Check(fs.Chown(path, uid, gid, followLastLink)); }

    public void Rename(string from, string to)
    {
        RefuseSynthetic(from);
        if (IsDev(to) || IsProc(to)) throw new SyscallFailure(Errno.EXDEV);
        Check(fs.Rename(from, to));
    }

    public void Link(string existing, string path)
    {
        RefuseSynthetic(existing);
        if (IsDev(path) || IsProc(path)) throw new SyscallFailure(Errno.EXDEV);
        Check(fs.Link(existing, path));
    }

    private static void RefuseSynthetic(string path, int errnoForRoot = Errno.EBUSY)
    {
        if (path is "/dev" or "/proc") throw new SyscallFailure(errnoForRoot);
        if (IsDev(path) || IsProc(path)) throw new SyscallFailure(Errno.EACCES);
    }

    /// <summary>Replaces /proc/self (and, when asked, a final link such as /proc/1/cwd) by its target,
    /// which may lead out of /proc (the caller then opens it in the file system).</summary>
    private string FollowProcLinks(string path, PosixProcess caller, bool followLast)
    {
        path = Proc.Canonical(path, caller);
        if (followLast && Proc.Classify(path, caller, out string target) == ProcFiles.Kind.Link && target.Length > 0)
            return target.StartsWith('/') ? target : "/proc/" + target;   // a relative target is /proc's (self)
        return path;
    }

    private static SyntheticDirectory Directory(List<FsDirEntry> entries, string path, ulong inode) => new(entries, path, inode);

    private static List<FsDirEntry> DevEntries()
    {
        var list = new List<FsDirEntry> { new(".", 90, ProcFiles.DtDir), new("..", 2, ProcFiles.DtDir) };
        foreach (var d in Devices) list.Add(new(d.Name, 100 + (ulong)d.Kind, ProcFiles.DtChr));
        return list;
    }

    private static void Check(long result)
    {
        if (result < 0) throw new SyscallFailure((int)-result);
    }
}
