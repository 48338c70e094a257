// The typed client of the fs server, over lib's ServiceClient (one per calling thread: the
// transport's IPC buffer is the thread's). Every call returns an FsResult: the value or a Linux
// errno (FsResult.cs). Read and Write loop over messages of at most FsLimits.MaxDataBytes; like
// read(2)/write(2) they return how much was done when a later piece fails after an earlier one
// succeeded, and the error only when nothing was done. A Read stops early at the end of the file.
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Telemetry;

namespace Biscuit.Fs.Protocol;

public sealed class FileServiceClient(IClientTransport transport, ulong timeoutMs = 30_000, int maxRetries = 3)
{
    private readonly ServiceClient client = new(transport, maxRetries);   // owner: the calling thread

    public ulong TimeoutMs { get; } = timeoutMs;

    private FsResult<T> Call<TRequest, T>(RequestType<TRequest, FsReply<T>> type, TRequest request) =>
        FsResult<T>.From(client.Call(type, request, TimeoutMs));

    /// <summary>open(2): flags are Linux O_* values (LinuxOpenFlags). The file stays held (readable
    /// and writable by the handle even after its last name is unlinked) until Close.</summary>
    public FsResult<OpenedFile> Open(string path, int flags, int mode = 0x1A4, uint uid = 0, uint gid = 0) =>
        Call(FsContracts.Open, new OpenRequest(path, flags, mode, uid, gid));

    /// <summary>Re-opens, after a restart of the server, a file held open before it: a new handle, or
    /// ESTALE when the inode is free or was allocated again (its generation differs).</summary>
    public FsResult<OpenedFile> Reopen(ulong inode, uint generation, int flags) =>
        Call(FsContracts.Reopen, new ReopenRequest(inode, generation, flags));

    /// <summary>Closes every handle the server has open (a restarted client holds none of them): how many.</summary>
    public FsResult<long> ResetClient() => Call(FsContracts.ResetClient, default(Empty));

    /// <summary>pread(2) into `destination`: the number of bytes read (fewer at the end of the file).</summary>
    public FsResult<int> Read(ulong handle, long offset, Span<byte> destination)
    {
        int done = 0;
        while (done < destination.Length)
        {
            int ask = Math.Min(destination.Length - done, FsLimits.MaxDataBytes);
            var r = Call(FsContracts.Read, new ReadRequest(handle, offset + done, ask));
            if (!r.IsOk) return done > 0 ? FsResult<int>.Ok(done) : FsResult<int>.Fail(r.Errno, r.Message!);
            var data = r.Value.Span;
            if (data.Length > ask) return FsResult<int>.Fail(Errno.EPROTO, $"asked for {ask} bytes, the server sent {data.Length}");
            data.CopyTo(destination[done..]);
            done += data.Length;
            if (data.Length < ask) break;   // end of file
        }
        return FsResult<int>.Ok(done);
    }

    /// <summary>pwrite(2) of all of `data` at `offset`: the number of bytes written.</summary>
    public FsResult<long> Write(ulong handle, long offset, ReadOnlyMemory<byte> data)
    {
        long done = 0;
        while (done < data.Length || data.Length == 0)
        {
            int piece = (int)Math.Min(data.Length - done, FsLimits.MaxDataBytes);
            var r = Call(FsContracts.Write, new WriteRequest(handle, offset + done, data.Slice((int)done, piece)));
            if (!r.IsOk) return done > 0 ? FsResult<long>.Ok(done) : r;
            done += r.Value;
            if (data.Length == 0) break;
        }
        return FsResult<long>.Ok(done);
    }

    /// <summary>Asks fs to grant its data window at `address` (page aligned, free in the caller): its layout.</summary>
    public FsResult<DataWindowLayout> MapDataWindow(long address) => Call(FsContracts.MapDataWindow, address);

    /// <summary>pread(2) of at most one slot into the window: the count read (0 at the end of the file).</summary>
    public FsResult<long> ReadToWindow(WindowTransfer transfer) => Call(FsContracts.ReadToWindow, transfer);

    /// <summary>pwrite(2) of a slot's first Count bytes: the count written.</summary>
    public FsResult<long> WriteFromWindow(WindowTransfer transfer) => Call(FsContracts.WriteFromWindow, transfer);

    public FsResult<Empty> Truncate(ulong handle, long size) => Call(FsContracts.Truncate, new TruncateRequest(handle, size));
    public FsResult<Empty> Close(ulong handle) => Call(FsContracts.Close, handle);
    public FsResult<FileStatus> Stat(string path, bool followLinks = true) => Call(FsContracts.Stat, new PathRequest(path, followLinks));
    public FsResult<FileStatus> StatHandle(ulong handle) => Call(FsContracts.StatHandle, handle);

    /// <summary>getdents64(2): the entries of the open directory from `cookie` (0 first, then the
    /// batch's NextCookie) that fit in one reply.</summary>
    public FsResult<DirectoryBatch> ReadDirectory(ulong handle, long cookie) =>
        Call(FsContracts.ReadDirectory, new ReadDirectoryRequest(handle, cookie));

    public FsResult<Empty> Mkdir(string path, int mode = 0x1ED, uint uid = 0, uint gid = 0) =>
        Call(FsContracts.Mkdir, new MakeDirectoryRequest(path, mode, uid, gid));
    public FsResult<Empty> Unlink(string path) => Call(FsContracts.Unlink, path);
    public FsResult<Empty> Rmdir(string path) => Call(FsContracts.Rmdir, path);
    public FsResult<Empty> Rename(string from, string to) => Call(FsContracts.Rename, new TwoPathsRequest(from, to));
    public FsResult<Empty> Link(string existing, string newPath) => Call(FsContracts.Link, new TwoPathsRequest(existing, newPath));
    public FsResult<Empty> Symlink(string target, string path, uint uid = 0, uint gid = 0) =>
        Call(FsContracts.Symlink, new SymlinkRequest(target, path, uid, gid));
    public FsResult<string> Readlink(string path) => Call(FsContracts.Readlink, path);
    public FsResult<Empty> Chmod(string path, int mode) => Call(FsContracts.Chmod, new ChmodRequest(path, mode));

    /// <summary>chown(2) (lchown(2) without followLinks); -1 leaves an id unchanged.</summary>
    public FsResult<Empty> Chown(string path, long uid, long gid, bool followLinks = true) =>
        Call(FsContracts.Chown, new ChownRequest(path, uid, gid, followLinks));

    /// <summary>utimensat(2): nanoseconds may be TimeSpecial.UTIME_NOW or UTIME_OMIT.</summary>
    public FsResult<Empty> Utimes(string path, long accessSeconds, long accessNanoseconds, long modifySeconds, long modifyNanoseconds,
        bool followLinks = true) =>
        Call(FsContracts.Utimes, new UtimesRequest(path, accessSeconds, accessNanoseconds, modifySeconds, modifyNanoseconds, followLinks));

    /// <summary>fsync(2): on ext3, the journal commits every change so far (not only this file's).</summary>
    public FsResult<Empty> Fsync(ulong handle) => Call(FsContracts.Fsync, handle);
    public FsResult<Empty> Sync() => Call(FsContracts.Sync, default);
    public FsResult<FsStatistics> Statfs() => Call(FsContracts.Statfs, default);

    /// <summary>The server's GC figures with its block-cache and journal figures.</summary>
    public FsResult<FsServerFigures> FsStats() => Call(FsContracts.FsStats, default);

    /// <summary>lib's standard Stats (GC and request figures only).</summary>
    public FsResult<StatsReport> Stats()
    {
        var r = client.Call(StandardRequests.Stats, default, TimeoutMs);
        return r.IsOk ? FsResult<StatsReport>.Ok(r.Value!) : FsResult<StatsReport>.Fail(FsResult<StatsReport>.ErrnoOf(r), r.ToString());
    }
}
