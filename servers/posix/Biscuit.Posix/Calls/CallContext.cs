// One forwarded call as a handler sees it: the calling process, the six argument registers, the
// calling thread, and whether the caller still waits (a signal may cancel the wait, issue 7 ABI).
// Helpers turn a directory descriptor and a user path into an absolute path (openat's rules).
using Biscuit.Posix.Events;

namespace Biscuit.Posix;

public sealed class CallContext(Personality posix, PosixProcess process, int number, ulong[] args, ulong threadId, IWaitCancellation cancel)
{
    public Personality Posix => posix;
    public PosixProcess Process => process;
    public int Number => number;
    public ulong ThreadId => threadId;
    public IWaitCancellation Cancel => cancel;
    public UserMemory Memory => process.Memory;
    public FdTable Fds => process.Fds;

    public ulong Arg(int index) => args[index];
    public int IntArg(int index) => unchecked((int)args[index]);
    public long LongArg(int index) => unchecked((long)args[index]);

    /// <summary>The absolute path a *at call names: `path` relative to `dirFd` (AT_FDCWD: the working
    /// directory). An empty path is ENOENT unless `allowEmpty` (AT_EMPTY_PATH), which returns null.</summary>
    public string? PathAt(int dirFd, ulong pathPointer, bool allowEmpty = false) =>
        PathAt(dirFd, Memory.ReadString(pathPointer, PathNames.PathMax), allowEmpty);

    /// <summary>PathAt for a path already read from the application.</summary>
    public string? PathAt(int dirFd, string path, bool allowEmpty = false)
    {
        if (path.Length == 0)
        {
            if (allowEmpty) return null;
            throw new SyscallFailure(Errno.ENOENT);
        }
        if (path.StartsWith('/')) return PathNames.Combine("/", path);
        return PathNames.Combine(DirectoryOf(dirFd), path);
    }

    /// <summary>The directory a relative path starts from: the working directory or a directory descriptor.</summary>
    public string DirectoryOf(int dirFd)
    {
        if (dirFd == At.FDCWD)
            lock (process.Gate) return process.WorkingDirectory;
        var file = Fds.Get(dirFd);
        if (file is not (FsDirectory or SyntheticDirectory)) throw new SyscallFailure(Errno.ENOTDIR);
        return file.Path ?? throw new SyscallFailure(Errno.ENOTDIR);
    }
}
