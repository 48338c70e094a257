// The requests on paths: Stat, Mkdir, Unlink, Rmdir, Rename, Link, Symlink, Readlink, Chmod, Chown,
// Utimes. Paths are absolute within the file system: an empty path is ENOENT (as Linux), a
// relative one EINVAL (the posix server resolves the working directory before asking).
using Biscuit.Annotations;
using Biscuit.Fs.Protocol;
using Biscuit.Lib.Messages;

namespace Biscuit.Fs.Service;

public sealed partial class FileService
{
    private static int PathError(string path) =>
        path.Length == 0 ? Errno.ENOENT : path[0] != '/' ? Errno.EINVAL : Errno.None;

    private static string PathErrorText(int errno) =>
        errno == Errno.ENOENT ? "empty path" : "paths are absolute within the file system (start with '/')";

    /// <summary>Runs a path operation that returns nothing, with the path checks and the error mapping.</summary>
    private FsReply<Empty> Change(string path, string? secondPath, Action<Ext2FileSystem> operation)
    {
        int bad = PathError(path);
        if (bad == Errno.None && secondPath != null) bad = PathError(secondPath);
        if (bad != Errno.None) return FsReply<Empty>.Fail(bad, PathErrorText(bad));
        lock (gate)
        {
            try
            {
                operation(fs);
                return FsReply<Empty>.Ok(default);
            }
            catch (FsException e) { return Failed<Empty>(e); }
        }
    }

    [RequestHandler("Stat")]
    public FsReply<FileStatus> Stat(PathRequest request)
    {
        int bad = PathError(request.Path);
        if (bad != Errno.None) return FsReply<FileStatus>.Fail(bad, PathErrorText(bad));
        lock (gate)
        {
            try
            {
                return FsReply<FileStatus>.Ok(Conversions.Status(LibraryCalls.StatPath(fs, request.Path, request.FollowLinks), blockSize));
            }
            catch (FsException e) { return Failed<FileStatus>(e); }
        }
    }

    [RequestHandler("Readlink")]
    public FsReply<string> Readlink(string path)
    {
        int bad = PathError(path);
        if (bad != Errno.None) return FsReply<string>.Fail(bad, PathErrorText(bad));
        lock (gate)
        {
            try
            {
                return FsReply<string>.Ok(LibraryCalls.Readlink(fs, path));
            }
            catch (FsException e) { return Failed<string>(e); }
        }
    }

    [RequestHandler("Mkdir")]
    public FsReply<Empty> Mkdir(MakeDirectoryRequest r) =>
        Change(r.Path, null, f => LibraryCalls.Mkdir(f, r.Path, (ushort)(r.Mode & 0xFFF), r.Uid, r.Gid));

    [RequestHandler("Unlink")]
    public FsReply<Empty> Unlink(string path) => Change(path, null, f => LibraryCalls.Unlink(f, path));

    [RequestHandler("Rmdir")]
    public FsReply<Empty> Rmdir(string path) => Change(path, null, f => LibraryCalls.Rmdir(f, path));

    [RequestHandler("Rename")]
    public FsReply<Empty> Rename(TwoPathsRequest r) => Change(r.From, r.To, f => LibraryCalls.Rename(f, r.From, r.To));

    [RequestHandler("Link")]
    public FsReply<Empty> Link(TwoPathsRequest r) => Change(r.From, r.To, f => LibraryCalls.Link(f, r.From, r.To));

    /// <summary>symlink(2): the target is stored as given (it may be relative or dangle); only the
    /// link's own path must be absolute.</summary>
    [RequestHandler("Symlink")]
    public FsReply<Empty> Symlink(SymlinkRequest r)
    {
        if (r.Target.Length == 0) return FsReply<Empty>.Fail(Errno.ENOENT, "a symbolic link needs a target");
        return Change(r.Path, null, f => LibraryCalls.Symlink(f, r.Target, r.Path, r.Uid, r.Gid));
    }

    [RequestHandler("Chmod")]
    public FsReply<Empty> Chmod(ChmodRequest r) => Change(r.Path, null, f => LibraryCalls.Chmod(f, r.Path, (ushort)(r.Mode & 0xFFF)));

    /// <summary>chown(2): -1 leaves an id unchanged; any other id outside 0..2^32-1 is EINVAL.</summary>
    [RequestHandler("Chown")]
    public FsReply<Empty> Chown(ChownRequest r)
    {
        if (r.Uid < -1 || r.Uid > uint.MaxValue || r.Gid < -1 || r.Gid > uint.MaxValue)
            return FsReply<Empty>.Fail(Errno.EINVAL, "a user or group id is -1 (unchanged) or 0..4294967295");
        uint? uid = r.Uid == -1 ? null : (uint)r.Uid;
        uint? gid = r.Gid == -1 ? null : (uint)r.Gid;
        return Change(r.Path, null, f => LibraryCalls.Chown(f, r.Path, uid, gid, r.FollowLinks));
    }

    /// <summary>utimensat(2): UTIME_OMIT leaves a time unchanged, UTIME_NOW takes the server's clock;
    /// other nanoseconds must be 0..999999999 (EINVAL). ext2 keeps whole seconds from 1970 to 2106:
    /// a time outside is EINVAL, the nanoseconds are dropped.</summary>
    [RequestHandler("Utimes")]
    public FsReply<Empty> Utimes(UtimesRequest r)
    {
        if (!TryTime(r.AccessSeconds, r.AccessNanoseconds, out uint? access) || !TryTime(r.ModifySeconds, r.ModifyNanoseconds, out uint? modify))
            return FsReply<Empty>.Fail(Errno.EINVAL, "a time is 0..4294967295 seconds with 0..999999999 nanoseconds, UTIME_NOW or UTIME_OMIT");
        return Change(r.Path, null, f => LibraryCalls.SetTimes(f, r.Path, access, modify, r.FollowLinks));
    }

    private static bool TryTime(long seconds, long nanoseconds, out uint? time)
    {
        time = null;
        if (nanoseconds == TimeSpecial.UTIME_OMIT) return true;
        if (nanoseconds == TimeSpecial.UTIME_NOW)
        {
            time = Now();
            return true;
        }
        if (nanoseconds < 0 || nanoseconds > 999_999_999 || seconds < 0 || seconds > uint.MaxValue) return false;
        time = (uint)seconds;
        return true;
    }

    [AssumeAllocation(0)]
    private static uint Now() => (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}
