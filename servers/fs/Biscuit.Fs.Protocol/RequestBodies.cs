// The bodies of the fs requests that carry more than one value, and their wire forms (each a
// MessagePack array of its fields in declaration order; RecordCodec.cs). Paths are absolute within
// the file system ("/etc/motd"); a request that does not fit in one IPC message is never sent (the
// client reports ENAMETOOLONG), so one path is at most about 4000 bytes on the wire.
using Biscuit.Lib.Messages;
using MessagePack;

namespace Biscuit.Fs.Protocol;

/// <summary>open(2): Flags are Linux O_* values (LinuxOpenFlags); Mode, Uid and Gid are used when the file is created.</summary>
public readonly record struct OpenRequest(string Path, int Flags, int Mode, uint Uid, uint Gid);

/// <summary>pread(2) of at most Count bytes (the server sends at most FsLimits.MaxDataBytes).</summary>
public readonly record struct ReadRequest(ulong Handle, long Offset, int Count);

/// <summary>pwrite(2) of Data (at most FsLimits.MaxDataBytes) at Offset.</summary>
public readonly record struct WriteRequest(ulong Handle, long Offset, ReadOnlyMemory<byte> Data);

/// <summary>ftruncate(2).</summary>
public readonly record struct TruncateRequest(ulong Handle, long Size);

/// <summary>stat(2) (FollowLinks) or lstat(2).</summary>
public readonly record struct PathRequest(string Path, bool FollowLinks);

/// <summary>getdents64(2): entries of the open directory Handle from Cookie (0 at first).</summary>
public readonly record struct ReadDirectoryRequest(ulong Handle, long Cookie);

/// <summary>mkdir(2) with the creator's ids.</summary>
public readonly record struct MakeDirectoryRequest(string Path, int Mode, uint Uid, uint Gid);

/// <summary>rename(2) (From to To) and link(2) (From is the existing name, To the new one).</summary>
public readonly record struct TwoPathsRequest(string From, string To);

/// <summary>symlink(2): a link at Path whose contents are Target.</summary>
public readonly record struct SymlinkRequest(string Target, string Path, uint Uid, uint Gid);

/// <summary>chmod(2): permission bits (the low 12 bits of Mode).</summary>
public readonly record struct ChmodRequest(string Path, int Mode);

/// <summary>chown(2)/lchown(2); an id of -1 is left unchanged, as in the system call.</summary>
public readonly record struct ChownRequest(string Path, long Uid, long Gid, bool FollowLinks);

/// <summary>utimensat(2): nanoseconds may be TimeSpecial.UTIME_NOW or UTIME_OMIT.</summary>
public readonly record struct UtimesRequest(string Path, long AccessSeconds, long AccessNanoseconds,
    long ModifySeconds, long ModifyNanoseconds, bool FollowLinks);

/// <summary>Re-open, after a restart of the server, a file a client held open: by inode number and the
/// generation Open reported (ESTALE if the number is free or now names another file). Flags are
/// Linux O_* values; O_CREAT, O_EXCL and O_TRUNC are refused (EINVAL): a re-open changes nothing.</summary>
public readonly record struct ReopenRequest(ulong Inode, uint Generation, int Flags);

public static class RequestCodecs
{
    public static readonly RecordCodec<ReopenRequest> Reopen = new("Reopen", 3,
        (ref MessagePackWriter w, ReopenRequest q) => { w.Write(q.Inode); w.Write(q.Generation); w.Write(q.Flags); },
        (ref MessagePackReader r) => new ReopenRequest(r.ReadUInt64(), r.ReadUInt32(), r.ReadInt32()));

    public static readonly RecordCodec<OpenRequest> Open = new("Open", 5,
        (ref MessagePackWriter w, OpenRequest q) => { w.Write(q.Path); w.Write(q.Flags); w.Write(q.Mode); w.Write(q.Uid); w.Write(q.Gid); },
        (ref MessagePackReader r) => new OpenRequest(Codecs.ReadRequiredString(ref r, "Open.Path"), r.ReadInt32(), r.ReadInt32(), r.ReadUInt32(), r.ReadUInt32()));

    public static readonly RecordCodec<ReadRequest> Read = new("Read", 3,
        (ref MessagePackWriter w, ReadRequest q) => { w.Write(q.Handle); w.Write(q.Offset); w.Write(q.Count); },
        (ref MessagePackReader r) => new ReadRequest(r.ReadUInt64(), r.ReadInt64(), Fields.NonNegativeInt(ref r, "Read.Count")));

    public static readonly RecordCodec<WriteRequest> Write = new("Write", 3,
        (ref MessagePackWriter w, WriteRequest q) => { w.Write(q.Handle); w.Write(q.Offset); w.Write(q.Data.Span); },
        (ref MessagePackReader r) =>
        {
            ulong handle = r.ReadUInt64();
            long offset = r.ReadInt64();
            var bytes = r.ReadBytes() ?? throw new MalformedMessageException("Write.Data: nil where bytes are required");
            return new WriteRequest(handle, offset, System.Buffers.BuffersExtensions.ToArray(bytes));
        });

    public static readonly RecordCodec<TruncateRequest> Truncate = new("Truncate", 2,
        (ref MessagePackWriter w, TruncateRequest q) => { w.Write(q.Handle); w.Write(q.Size); },
        (ref MessagePackReader r) => new TruncateRequest(r.ReadUInt64(), r.ReadInt64()));

    public static readonly RecordCodec<PathRequest> Path = new("PathRequest", 2,
        (ref MessagePackWriter w, PathRequest q) => { w.Write(q.Path); w.Write(q.FollowLinks); },
        (ref MessagePackReader r) => new PathRequest(Codecs.ReadRequiredString(ref r, "Path"), r.ReadBoolean()));

    public static readonly RecordCodec<ReadDirectoryRequest> ReadDirectory = new("ReadDirectory", 2,
        (ref MessagePackWriter w, ReadDirectoryRequest q) => { w.Write(q.Handle); w.Write(q.Cookie); },
        (ref MessagePackReader r) => new ReadDirectoryRequest(r.ReadUInt64(), r.ReadInt64()));

    public static readonly RecordCodec<MakeDirectoryRequest> MakeDirectory = new("Mkdir", 4,
        (ref MessagePackWriter w, MakeDirectoryRequest q) => { w.Write(q.Path); w.Write(q.Mode); w.Write(q.Uid); w.Write(q.Gid); },
        (ref MessagePackReader r) => new MakeDirectoryRequest(Codecs.ReadRequiredString(ref r, "Mkdir.Path"), r.ReadInt32(), r.ReadUInt32(), r.ReadUInt32()));

    public static readonly RecordCodec<TwoPathsRequest> TwoPaths = new("TwoPaths", 2,
        (ref MessagePackWriter w, TwoPathsRequest q) => { w.Write(q.From); w.Write(q.To); },
        (ref MessagePackReader r) => new TwoPathsRequest(Codecs.ReadRequiredString(ref r, "From"), Codecs.ReadRequiredString(ref r, "To")));

    public static readonly RecordCodec<SymlinkRequest> Symlink = new("Symlink", 4,
        (ref MessagePackWriter w, SymlinkRequest q) => { w.Write(q.Target); w.Write(q.Path); w.Write(q.Uid); w.Write(q.Gid); },
        (ref MessagePackReader r) => new SymlinkRequest(Codecs.ReadRequiredString(ref r, "Symlink.Target"),
            Codecs.ReadRequiredString(ref r, "Symlink.Path"), r.ReadUInt32(), r.ReadUInt32()));

    public static readonly RecordCodec<ChmodRequest> Chmod = new("Chmod", 2,
        (ref MessagePackWriter w, ChmodRequest q) => { w.Write(q.Path); w.Write(q.Mode); },
        (ref MessagePackReader r) => new ChmodRequest(Codecs.ReadRequiredString(ref r, "Chmod.Path"), r.ReadInt32()));

    public static readonly RecordCodec<ChownRequest> Chown = new("Chown", 4,
        (ref MessagePackWriter w, ChownRequest q) => { w.Write(q.Path); w.Write(q.Uid); w.Write(q.Gid); w.Write(q.FollowLinks); },
        (ref MessagePackReader r) => new ChownRequest(Codecs.ReadRequiredString(ref r, "Chown.Path"), r.ReadInt64(), r.ReadInt64(), r.ReadBoolean()));

    public static readonly RecordCodec<UtimesRequest> Utimes = new("Utimes", 6,
        (ref MessagePackWriter w, UtimesRequest q) =>
        {
            w.Write(q.Path); w.Write(q.AccessSeconds); w.Write(q.AccessNanoseconds);
            w.Write(q.ModifySeconds); w.Write(q.ModifyNanoseconds); w.Write(q.FollowLinks);
        },
        (ref MessagePackReader r) => new UtimesRequest(Codecs.ReadRequiredString(ref r, "Utimes.Path"),
            r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadBoolean()));
}
