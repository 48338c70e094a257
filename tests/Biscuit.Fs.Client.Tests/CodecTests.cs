// The wire forms of the fs protocol: every request and reply survives a round trip through its
// codec and lib's envelope, and the readers are strict (lib/README.md, "The message format").
using Biscuit.Fs.Protocol;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Telemetry;
using MessagePack;

namespace Biscuit.Fs.Client.Tests;

public class CodecTests
{
    private static T RoundTrip<T>(IMessageCodec<T> codec, T value)
    {
        var builder = new MessageBuilder();
        Assert.True(Envelope.TryEncode(builder, 32, codec, value, out string? failure), failure);
        Assert.True(Envelope.TryOpen(builder.WrittenSpan.ToArray(), 32, out _, out var body, out _, out string why), why);
        Assert.True(Envelope.TryReadBody(ref body, codec, out T back, out why), why);
        return back;
    }

    private static readonly FileStatus SomeStatus = new(1, 2, 0x81A4, 3, 4, 5, 6, 7, 4096, 8, 9, 10, 11, 12, 13);

    [Fact]
    public void Every_request_body_survives_a_round_trip()
    {
        Assert.Equal(new OpenRequest("/a", 0x241, 0x1A4, 7, 8), RoundTrip(RequestCodecs.Open, new OpenRequest("/a", 0x241, 0x1A4, 7, 8)));
        Assert.Equal(new ReadRequest(5, 1 << 40, 4000), RoundTrip(RequestCodecs.Read, new ReadRequest(5, 1 << 40, 4000)));
        var write = RoundTrip(RequestCodecs.Write, new WriteRequest(5, 9, new byte[] { 1, 2, 3 }));
        Assert.Equal((5UL, 9L), (write.Handle, write.Offset));
        Assert.Equal(new byte[] { 1, 2, 3 }, write.Data.ToArray());
        Assert.Equal(new TruncateRequest(1, 2), RoundTrip(RequestCodecs.Truncate, new TruncateRequest(1, 2)));
        Assert.Equal(new PathRequest("/p", false), RoundTrip(RequestCodecs.Path, new PathRequest("/p", false)));
        Assert.Equal(new ReadDirectoryRequest(3, 99), RoundTrip(RequestCodecs.ReadDirectory, new ReadDirectoryRequest(3, 99)));
        Assert.Equal(new MakeDirectoryRequest("/d", 0x1ED, 1, 2), RoundTrip(RequestCodecs.MakeDirectory, new MakeDirectoryRequest("/d", 0x1ED, 1, 2)));
        Assert.Equal(new TwoPathsRequest("/a", "/b"), RoundTrip(RequestCodecs.TwoPaths, new TwoPathsRequest("/a", "/b")));
        Assert.Equal(new SymlinkRequest("t", "/l", 1, 2), RoundTrip(RequestCodecs.Symlink, new SymlinkRequest("t", "/l", 1, 2)));
        Assert.Equal(new ChmodRequest("/c", 0x1FF), RoundTrip(RequestCodecs.Chmod, new ChmodRequest("/c", 0x1FF)));
        Assert.Equal(new ChownRequest("/c", -1, 5, true), RoundTrip(RequestCodecs.Chown, new ChownRequest("/c", -1, 5, true)));
        var utimes = new UtimesRequest("/u", 1, TimeSpecial.UTIME_NOW, 3, TimeSpecial.UTIME_OMIT, false);
        Assert.Equal(utimes, RoundTrip(RequestCodecs.Utimes, utimes));
    }

    [Fact]
    public void Every_reply_body_survives_a_round_trip()
    {
        Assert.Equal(SomeStatus, RoundTrip(FileStatus.Codec, SomeStatus));
        Assert.Equal(new OpenedFile(42, SomeStatus, 7), RoundTrip(ReplyCodecs.OpenedFile, new OpenedFile(42, SomeStatus, 7)));
        var data = RoundTrip(ReplyCodecs.FileData, new FileData(new byte[] { 1, 2, 3, 4 }, 2));
        Assert.Equal(new byte[] { 1, 2 }, data.Span.ToArray());
        var entries = new[] { new DirectoryEntry(2, DirectoryEntry.DT_DIR, ".", 12), new DirectoryEntry(11, DirectoryEntry.DT_REG, "f", FsLimits.EndOfDirectory), default };
        var batch = RoundTrip(ReplyCodecs.DirectoryBatch, new DirectoryBatch(entries, 2, FsLimits.EndOfDirectory));
        Assert.Equal(entries[..2], batch.Span.ToArray());
        Assert.True(batch.IsEnd);
        var statfs = new FsStatistics(4096, 100, 50, 50, 64, 32, 255);
        Assert.Equal(statfs, RoundTrip(ReplyCodecs.FsStatistics, statfs));
        var figures = new FsServerFigures(new StatsReport { Server = "fs", HistogramCounts = [0] }, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        var back = RoundTrip(ReplyCodecs.FsServerFigures, figures);
        Assert.Equal("fs", back.Gc.Server);
        Assert.Equal((1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), (back.CacheBytes, back.CacheHits, back.CacheMisses, back.LookupHits, back.LookupMisses,
            back.JournalTransactions, back.JournalBlocksLogged, back.TransactionsReplayedAtMount, back.OpenFiles));
    }

    [Fact]
    public void An_error_reply_carries_the_errno_and_message_without_a_value()
    {
        var codec = new FsReplyCodec<FileStatus>(FileStatus.Codec);
        var back = RoundTrip(codec, FsReply<FileStatus>.Fail(Errno.ENOENT, "no such file"));
        Assert.Equal((Errno.ENOENT, "no such file", false), (back.Errno, back.Message, back.IsOk));
        Assert.Equal(SomeStatus, RoundTrip(codec, FsReply<FileStatus>.Ok(SomeStatus)).Value);
    }

    private delegate void BodyWriter(ref MessagePackWriter writer);

    private static bool Refused<T>(IMessageCodec<T> codec, BodyWriter write)
    {
        var builder = new MessageBuilder();
        var w = new MessagePackWriter(builder);
        write(ref w);
        w.Flush();
        var reader = new MessagePackReader(builder.WrittenSpan.ToArray());
        try { codec.Read(ref reader); return false; }
        catch (Exception e) when (e is MalformedMessageException or MessagePackSerializationException or EndOfStreamException or OverflowException) { return true; }
    }

    [Fact]
    public void Readers_refuse_short_records_wrong_types_and_impossible_values()
    {
        Assert.True(Refused(RequestCodecs.Open, (ref MessagePackWriter w) => { w.WriteArrayHeader(4); w.Write("/a"); w.Write(0); w.Write(0); w.Write(0); }));
        Assert.True(Refused(RequestCodecs.Read, (ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(1); w.Write(0); w.Write(-5); }));
        Assert.True(Refused(RequestCodecs.Write, (ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(1); w.Write(0); w.WriteNil(); }));
        Assert.True(Refused(RequestCodecs.TwoPaths, (ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write("/a"); w.WriteNil(); }));
        Assert.True(Refused(FileStatus.Codec, (ref MessagePackWriter w) => { w.WriteArrayHeader(15); for (int i = 0; i < 6; i++) w.Write(1); w.Write(-1); for (int i = 0; i < 8; i++) w.Write(1); }));
        Assert.True(Refused(ReplyCodecs.DirectoryBatch, (ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.WriteArrayHeader(100_000); }));
        var reply = new FsReplyCodec<Empty>(Codecs.Empty);
        Assert.True(Refused(reply, (ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(2); w.Write("x"); w.Write(5); }));   // an error with a value
        Assert.True(Refused(reply, (ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(-3); w.WriteNil(); w.WriteNil(); })); // a negative errno
    }

    [Fact]
    public void Readers_accept_the_same_shapes_when_well_formed()
    {
        Assert.False(Refused(RequestCodecs.Open, (ref MessagePackWriter w) => { w.WriteArrayHeader(5); w.Write("/a"); w.Write(0); w.Write(0); w.Write(0); w.Write(0); }));
        Assert.False(Refused(RequestCodecs.Read, (ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(1); w.Write(0); w.Write(5); }));
        Assert.False(Refused(RequestCodecs.TwoPaths, (ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write("/a"); w.Write("/b"); }));
        var reply = new FsReplyCodec<Empty>(Codecs.Empty);
        Assert.False(Refused(reply, (ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(2); w.Write("x"); w.WriteNil(); }));
    }

    [Fact]
    public void A_newer_writers_extra_fields_are_skipped()
    {
        var builder = new MessageBuilder();
        var w = new MessagePackWriter(builder);
        w.WriteArrayHeader(3);
        w.Write("/p");
        w.Write(true);
        w.Write("a field from the future");
        w.Flush();
        var reader = new MessagePackReader(builder.WrittenSpan.ToArray());
        Assert.Equal(new PathRequest("/p", true), RequestCodecs.Path.Read(ref reader));
        Assert.True(reader.End);
    }

    [Fact]
    public void The_largest_read_reply_and_write_request_fit_in_one_IPC_message()
    {
        var builder = new MessageBuilder();
        var full = new FileData(new byte[FsLimits.MaxDataBytes], FsLimits.MaxDataBytes);
        Assert.True(Envelope.TryEncode(builder, 0, FsContracts.Read.ResponseCodec, FsReply<FileData>.Ok(full), out string? f1), f1);
        var write = new WriteRequest(ulong.MaxValue, long.MaxValue, new byte[FsLimits.MaxDataBytes]);
        Assert.True(Envelope.TryEncode(builder, FsContracts.Write.Id, FsContracts.Write.RequestCodec, write, out string? f2), f2);
    }

    [Fact]
    public void Only_requests_whose_repetition_is_harmless_are_idempotent()
    {
        var idempotent = new RequestTypeInfo[] { FsContracts.Read, FsContracts.Write, FsContracts.Truncate, FsContracts.Stat, FsContracts.StatHandle,
            FsContracts.ReadDirectory, FsContracts.Readlink, FsContracts.Chmod, FsContracts.Chown, FsContracts.Utimes, FsContracts.Fsync,
            FsContracts.Sync, FsContracts.Statfs, FsContracts.FsStats };
        var not = new RequestTypeInfo[] { FsContracts.Open, FsContracts.Close, FsContracts.Mkdir, FsContracts.Unlink, FsContracts.Rmdir,
            FsContracts.Rename, FsContracts.Link, FsContracts.Symlink };
        Assert.All(idempotent, t => Assert.True(t.Idempotent, t.Name));
        Assert.All(not, t => Assert.False(t.Idempotent, t.Name));
        Assert.Equal(22, idempotent.Concat(not).Select(t => t.Id).Distinct().Count());
    }
}
