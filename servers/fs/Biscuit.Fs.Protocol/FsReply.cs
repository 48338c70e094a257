// Every fs reply body: [errno, message, value]. errno 0 means success and `value` is the request's
// result; any other errno is the Linux error (Errno.cs) of a failed operation, with `message`
// saying what was wrong (at most FsLimits.MaxMessageChars characters) and `value` nil. A file-system
// error is an ordinary Ok reply at lib's level: lib's own error statuses (Malformed, Busy...) stay
// for requests the server could not serve at all.
using Biscuit.Lib.Messages;
using MessagePack;

namespace Biscuit.Fs.Protocol;

public readonly record struct FsReply<T>(int Errno, string? Message, T? Value)
{
    public bool IsOk => Errno == Protocol.Errno.None;

    public static FsReply<T> Ok(T value) => new(Protocol.Errno.None, null, value);

    /// <summary>A failure; the caller keeps `message` within FsLimits.MaxMessageChars so that the reply fits.</summary>
    public static FsReply<T> Fail(int errno, string message) => new(errno, message, default);
}

public sealed class FsReplyCodec<T>(IMessageCodec<T> value) : IMessageCodec<FsReply<T>>
{
    public void Write(ref MessagePackWriter writer, FsReply<T> reply)
    {
        writer.WriteArrayHeader(3);
        writer.Write(reply.Errno);
        if (reply.Message is null) writer.WriteNil(); else writer.Write(reply.Message);
        if (reply.IsOk) value.Write(ref writer, reply.Value!); else writer.WriteNil();
    }

    public FsReply<T> Read(ref MessagePackReader reader)
    {
        int count = Codecs.ReadArrayAtLeast(ref reader, 3, "FsReply");
        int errno = reader.ReadInt32();
        if (errno < 0) throw new MalformedMessageException($"FsReply: negative errno {errno}");
        string? message = reader.TryReadNil() ? null : reader.ReadString();
        FsReply<T> reply;
        if (errno == Errno.None)
            reply = new FsReply<T>(errno, message, value.Read(ref reader));
        else if (reader.TryReadNil())
            reply = new FsReply<T>(errno, message ?? "", default);
        else
            throw new MalformedMessageException($"FsReply: an error ({errno}) with a value");
        Codecs.SkipExtraFields(ref reader, count, 3);
        return reply;
    }
}
