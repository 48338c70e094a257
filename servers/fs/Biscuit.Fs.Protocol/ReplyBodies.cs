// The results of the fs requests that carry more than one value, and their wire forms.
using Biscuit.Lib.Messages;
using Biscuit.Lib.Telemetry;
using MessagePack;

namespace Biscuit.Fs.Protocol;

/// <summary>An open file: the handle to name it by in Read/Write/.../Close, its attributes, and its
/// inode's generation (with Status.Inode, what Reopen needs after a restart of the server).</summary>
public readonly record struct OpenedFile(ulong Handle, FileStatus Status, uint Generation = 0);

/// <summary>Bytes read: the first Count bytes of Buffer (Count 0 at or past the end of the file).</summary>
public readonly record struct FileData(byte[] Buffer, int Count)
{
    public ReadOnlySpan<byte> Span => Buffer.AsSpan(0, Count);
}

/// <summary>One getdents64 entry: inode, d_type (Linux DT_* values), name, and the cookie that
/// continues the listing after this entry (d_off).</summary>
public readonly record struct DirectoryEntry(ulong Inode, byte Type, string Name, long NextCookie)
{
    public const byte DT_UNKNOWN = 0, DT_FIFO = 1, DT_CHR = 2, DT_DIR = 4, DT_BLK = 6, DT_REG = 8, DT_LNK = 10, DT_SOCK = 12;
}

/// <summary>A batch: the first Count of Entries. NextCookie continues after the last one; it is
/// FsLimits.EndOfDirectory once the listing is complete (a batch asked from there is empty).</summary>
public readonly record struct DirectoryBatch(DirectoryEntry[] Entries, int Count, long NextCookie)
{
    public bool IsEnd => NextCookie == FsLimits.EndOfDirectory;
    public ReadOnlySpan<DirectoryEntry> Span => Entries.AsSpan(0, Count);
}

/// <summary>statfs(2): sizes in blocks of BlockSize; Available = Free (reserved blocks are not held back).</summary>
public readonly record struct FsStatistics(int BlockSize, long Blocks, long FreeBlocks, long AvailableBlocks,
    long Files, long FreeFiles, int MaxNameLength);

/// <summary>The fs server's figures: lib's GC and request report, and the file system's own.</summary>
public sealed record FsServerFigures(StatsReport Gc, long CacheBytes, long CacheHits, long CacheMisses,
    long LookupHits, long LookupMisses, long JournalTransactions, long JournalBlocksLogged, long TransactionsReplayedAtMount,
    long OpenFiles, long WindowBytesRead = 0, long WindowBytesWritten = 0, long MessageBytesRead = 0, long MessageBytesWritten = 0)
{
    /// <summary>Block-cache hits over lookups (0 before the first lookup).</summary>
    public double CacheHitRate => CacheHits + CacheMisses == 0 ? 0 : (double)CacheHits / (CacheHits + CacheMisses);
}

public static class ReplyCodecs
{
    public static readonly RecordCodec<OpenedFile> OpenedFile = new("OpenedFile", 3,
        (ref MessagePackWriter w, OpenedFile o) => { w.Write(o.Handle); FileStatus.Codec.Write(ref w, o.Status); w.Write(o.Generation); },
        (ref MessagePackReader r) => new OpenedFile(r.ReadUInt64(), FileStatus.Codec.Read(ref r), r.ReadUInt32()));

    public static readonly IMessageCodec<FileData> FileData = new FileDataCodec();

    public static readonly RecordCodec<DirectoryEntry> DirectoryEntry = new("DirectoryEntry", 4,
        (ref MessagePackWriter w, DirectoryEntry e) => { w.Write(e.Inode); w.Write(e.Type); w.Write(e.Name); w.Write(e.NextCookie); },
        (ref MessagePackReader r) => new DirectoryEntry(r.ReadUInt64(), r.ReadByte(), Codecs.ReadRequiredString(ref r, "DirectoryEntry.Name"),
            Fields.NonNegativeLong(ref r, "DirectoryEntry.NextCookie")));

    public static readonly RecordCodec<DirectoryBatch> DirectoryBatch = new("DirectoryBatch", 2,
        (ref MessagePackWriter w, DirectoryBatch b) =>
        {
            w.WriteArrayHeader(b.Count);
            foreach (var e in b.Span) DirectoryEntry.Write(ref w, e);
            w.Write(b.NextCookie);
        },
        (ref MessagePackReader r) =>
        {
            int n = r.ReadArrayHeader();
            // Each entry takes at least 5 bytes; a count the message cannot hold is malformed, not an allocation.
            if (n > FsLimits.MaxDirectoryBatchBytes / 5) throw new MalformedMessageException($"DirectoryBatch: {n} entries cannot fit in one message");
            var entries = new DirectoryEntry[n];
            for (int i = 0; i < n; i++) entries[i] = DirectoryEntry.Read(ref r);
            return new DirectoryBatch(entries, n, Fields.NonNegativeLong(ref r, "DirectoryBatch.NextCookie"));
        });

    public static readonly RecordCodec<FsStatistics> FsStatistics = new("FsStatistics", 7,
        (ref MessagePackWriter w, FsStatistics s) =>
        {
            w.Write(s.BlockSize); w.Write(s.Blocks); w.Write(s.FreeBlocks); w.Write(s.AvailableBlocks);
            w.Write(s.Files); w.Write(s.FreeFiles); w.Write(s.MaxNameLength);
        },
        (ref MessagePackReader r) => new FsStatistics(r.ReadInt32(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt32()));

    public static readonly RecordCodec<FsServerFigures> FsServerFigures = new("FsServerFigures", 14,
        (ref MessagePackWriter w, FsServerFigures f) =>
        {
            StatsReportCodec.Instance.Write(ref w, f.Gc);
            w.Write(f.CacheBytes); w.Write(f.CacheHits); w.Write(f.CacheMisses); w.Write(f.LookupHits); w.Write(f.LookupMisses);
            w.Write(f.JournalTransactions); w.Write(f.JournalBlocksLogged); w.Write(f.TransactionsReplayedAtMount); w.Write(f.OpenFiles);
            w.Write(f.WindowBytesRead); w.Write(f.WindowBytesWritten); w.Write(f.MessageBytesRead); w.Write(f.MessageBytesWritten);
        },
        (ref MessagePackReader r) => new FsServerFigures(StatsReportCodec.Instance.Read(ref r),
            r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(),
            r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64()));

    private sealed class FileDataCodec : IMessageCodec<FileData>
    {
        public void Write(ref MessagePackWriter writer, FileData value) => writer.Write(value.Span);

        public FileData Read(ref MessagePackReader reader)
        {
            var bytes = reader.ReadBytes() ?? throw new MalformedMessageException("FileData: nil where bytes are required");
            var buffer = System.Buffers.BuffersExtensions.ToArray(bytes);
            return new FileData(buffer, buffer.Length);
        }
    }
}
