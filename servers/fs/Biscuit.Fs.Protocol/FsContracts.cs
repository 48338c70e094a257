// The requests the fs server answers (issue 5 item 4): their wire ids (32 and up; 1-15 are lib's),
// names (the keys of the MAXLIVE budget table and of [RequestHandler]), idempotency, and codecs.
// Every reply is an FsReply<T> (FsReply.cs): the errno travels inside an Ok reply.
//
// Idempotent (lib's client resends them when the server died before replying): requests whose
// second run has the effect of the first — reads of any kind, pwrite at an offset, truncate to a
// size, chmod/chown/utimes to given values, fsync, sync. Not idempotent: Open (a second handle),
// Close (a second close is EBADF), and the namespace changes (a second mkdir is EEXIST, a second
// unlink ENOENT...): the client reports EIO for them and the caller decides. Open handles do not
// survive a restart of the server: after one, a request on an old handle gets EBADF, and the client
// re-opens the file by inode number and generation (Reopen: ESTALE if the file is gone).
using Biscuit.Lib.Messages;

namespace Biscuit.Fs.Protocol;

public static class FsContracts
{
    private static FsReplyCodec<T> Reply<T>(IMessageCodec<T> codec) => new(codec);

    private static RequestType<TRequest, FsReply<TResponse>> Request<TRequest, TResponse>(uint id, string name, bool idempotent,
        IMessageCodec<TRequest> request, IMessageCodec<TResponse> response) => new(id, name, idempotent, request, Reply(response));

    public static readonly RequestType<OpenRequest, FsReply<OpenedFile>> Open =
        Request(32, "Open", idempotent: false, RequestCodecs.Open, ReplyCodecs.OpenedFile);
    public static readonly RequestType<ReadRequest, FsReply<FileData>> Read =
        Request(33, "Read", idempotent: true, RequestCodecs.Read, ReplyCodecs.FileData);
    public static readonly RequestType<WriteRequest, FsReply<long>> Write =
        Request(34, "Write", idempotent: true, RequestCodecs.Write, Codecs.Int64);
    public static readonly RequestType<TruncateRequest, FsReply<Empty>> Truncate =
        Request(35, "Truncate", idempotent: true, RequestCodecs.Truncate, Codecs.Empty);
    public static readonly RequestType<ulong, FsReply<Empty>> Close =
        Request(36, "Close", idempotent: false, Codecs.UInt64, Codecs.Empty);
    public static readonly RequestType<PathRequest, FsReply<FileStatus>> Stat =
        Request(37, "Stat", idempotent: true, RequestCodecs.Path, FileStatus.Codec);
    public static readonly RequestType<ulong, FsReply<FileStatus>> StatHandle =
        Request(38, "StatHandle", idempotent: true, Codecs.UInt64, FileStatus.Codec);
    public static readonly RequestType<ReadDirectoryRequest, FsReply<DirectoryBatch>> ReadDirectory =
        Request(39, "ReadDirectory", idempotent: true, RequestCodecs.ReadDirectory, ReplyCodecs.DirectoryBatch);
    public static readonly RequestType<MakeDirectoryRequest, FsReply<Empty>> Mkdir =
        Request(40, "Mkdir", idempotent: false, RequestCodecs.MakeDirectory, Codecs.Empty);
    public static readonly RequestType<string, FsReply<Empty>> Unlink =
        Request(41, "Unlink", idempotent: false, Codecs.String, Codecs.Empty);
    public static readonly RequestType<string, FsReply<Empty>> Rmdir =
        Request(42, "Rmdir", idempotent: false, Codecs.String, Codecs.Empty);
    public static readonly RequestType<TwoPathsRequest, FsReply<Empty>> Rename =
        Request(43, "Rename", idempotent: false, RequestCodecs.TwoPaths, Codecs.Empty);
    public static readonly RequestType<TwoPathsRequest, FsReply<Empty>> Link =
        Request(44, "Link", idempotent: false, RequestCodecs.TwoPaths, Codecs.Empty);
    public static readonly RequestType<SymlinkRequest, FsReply<Empty>> Symlink =
        Request(45, "Symlink", idempotent: false, RequestCodecs.Symlink, Codecs.Empty);
    public static readonly RequestType<string, FsReply<string>> Readlink =
        Request(46, "Readlink", idempotent: true, Codecs.String, Codecs.String);
    public static readonly RequestType<ChmodRequest, FsReply<Empty>> Chmod =
        Request(47, "Chmod", idempotent: true, RequestCodecs.Chmod, Codecs.Empty);
    public static readonly RequestType<ChownRequest, FsReply<Empty>> Chown =
        Request(48, "Chown", idempotent: true, RequestCodecs.Chown, Codecs.Empty);
    public static readonly RequestType<UtimesRequest, FsReply<Empty>> Utimes =
        Request(49, "Utimes", idempotent: true, RequestCodecs.Utimes, Codecs.Empty);
    public static readonly RequestType<ulong, FsReply<Empty>> Fsync =
        Request(50, "Fsync", idempotent: true, Codecs.UInt64, Codecs.Empty);
    public static readonly RequestType<Empty, FsReply<Empty>> Sync =
        Request(51, "Sync", idempotent: true, Codecs.Empty, Codecs.Empty);
    public static readonly RequestType<Empty, FsReply<FsStatistics>> Statfs =
        Request(52, "Statfs", idempotent: true, Codecs.Empty, ReplyCodecs.FsStatistics);
    public static readonly RequestType<Empty, FsReply<FsServerFigures>> FsStats =
        Request(53, "FsStats", idempotent: true, Codecs.Empty, ReplyCodecs.FsServerFigures);
    public static readonly RequestType<Empty, FsReply<long>> ResetClient =
        Request(55, "ResetClient", idempotent: true, Codecs.Empty, Codecs.Int64);
    public static readonly RequestType<ReopenRequest, FsReply<OpenedFile>> Reopen =
        Request(54, "Reopen", idempotent: false, RequestCodecs.Reopen, ReplyCodecs.OpenedFile);

    // The shared data window (DataWindow.cs): file data in pages fs grants to its client, not in messages.
    public static readonly RequestType<long, FsReply<DataWindowLayout>> MapDataWindow =
        Request(56, "MapDataWindow", idempotent: false, Codecs.Int64, DataWindowCodecs.Layout);
    public static readonly RequestType<WindowTransfer, FsReply<long>> ReadToWindow =
        Request(57, "ReadToWindow", idempotent: true, DataWindowCodecs.Transfer, Codecs.Int64);
    public static readonly RequestType<WindowTransfer, FsReply<long>> WriteFromWindow =
        Request(58, "WriteFromWindow", idempotent: true, DataWindowCodecs.Transfer, Codecs.Int64);
}
