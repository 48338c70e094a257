// The envelope every request and reply carries in its IPC payload, MessagePack-encoded
// (MessagePack spec, https://github.com/msgpack/msgpack/blob/master/spec.md):
//
//     [ version : uint, code : uint, body : any ]        a fixarray of exactly 3 elements
//
// code is the request type id in a request and the ReplyStatus in a reply; the IPC label carries
// the same number (so the kernel's tracing and the ipc benchmarks can see it without decoding), and
// a message whose label and code disagree is malformed. body is the request/response encoded by
// the type's IMessageCodec; in a reply whose status is not Ok it is a string saying what went wrong.
// Version 1 is the only version; a receiver refuses another one with VersionMismatch rather than
// guessing. After the body nothing may follow (trailing bytes are malformed).
// Every decoding failure is returned as a value with a message; nothing here throws on bad input.
using MessagePack;

namespace Biscuit.Lib.Messages;

public static class Envelope
{
    public const uint Version = 1;
    public const int Elements = 3;

    /// <summary>Encodes [Version, code, body] into `builder` (reset first). False, with a reason, when the
    /// result would exceed one IPC payload (4032 bytes) or the codec failed.</summary>
    public static bool TryEncode<T>(MessageBuilder builder, uint code, IMessageCodec<T> codec, T body, out string? failure)
    {
        builder.Reset();
        try
        {
            var writer = new MessagePackWriter(builder);
            writer.WriteArrayHeader(Elements);
            writer.Write(Version);
            writer.Write(code);
            codec.Write(ref writer, body);
            writer.Flush();
        }
        catch (MessageTooLargeException e)
        {
            failure = e.Message;
            return false;
        }
        if (builder.WrittenCount > Ipc.IpcBuffer.MaxPayload)
        {
            failure = new MessageTooLargeException(builder.WrittenCount).Message;
            return false;
        }
        failure = null;
        return true;
    }

    /// <summary>Encodes an error reply: [Version, status, message]. Always fits: the message is cut to 1000 characters.</summary>
    public static void EncodeError(MessageBuilder builder, ReplyStatus status, string message)
    {
        if (message.Length > 1000) message = message[..1000];
        if (!TryEncode(builder, (uint)status, Codecs.String, message, out _))
            throw new InvalidOperationException("an error reply of at most 1000 characters always fits");
    }

    /// <summary>Opens an envelope: on success `body` is positioned at the body value. On failure returns
    /// false with the status to answer (Malformed or VersionMismatch) and a reason.</summary>
    public static bool TryOpen(ReadOnlyMemory<byte> payload, ulong label, out uint code, out MessagePackReader body,
        out ReplyStatus failure, out string reason)
    {
        code = 0;
        body = default;
        failure = ReplyStatus.Malformed;
        try
        {
            var reader = new MessagePackReader(payload);
            if (reader.End) { reason = "empty message"; return false; }
            if (reader.NextMessagePackType != MessagePackType.Array) { reason = $"envelope is a {reader.NextMessagePackType}, not an array"; return false; }
            int count = reader.ReadArrayHeader();
            if (count < 1) { reason = "envelope is an empty array"; return false; }
            if (reader.NextMessagePackType != MessagePackType.Integer) { reason = $"envelope version is a {reader.NextMessagePackType}, not an integer"; return false; }
            ulong version = reader.ReadUInt64();
            if (version != Version)
            {
                failure = ReplyStatus.VersionMismatch;
                reason = $"message version {version}, this side speaks version {Version}";
                return false;
            }
            if (count != Elements) { reason = $"envelope has {count} elements, version {Version} has {Elements}"; return false; }
            if (reader.NextMessagePackType != MessagePackType.Integer) { reason = $"envelope code is a {reader.NextMessagePackType}, not an integer"; return false; }
            ulong wideCode = reader.ReadUInt64();
            if (wideCode > uint.MaxValue) { reason = $"envelope code {wideCode} is out of range"; return false; }
            code = (uint)wideCode;
            if (label != code) { reason = $"IPC label {label} disagrees with envelope code {code}"; return false; }
            if (reader.End) { reason = "envelope has no body"; return false; }
            body = reader;
            reason = "";
            return true;
        }
        catch (Exception e) when (IsDecodingFailure(e))
        {
            reason = "undecodable envelope: " + e.Message;
            return false;
        }
    }

    /// <summary>Decodes the body with `codec` and checks that nothing follows it.</summary>
    public static bool TryReadBody<T>(ref MessagePackReader body, IMessageCodec<T> codec, out T value, out string reason)
    {
        try
        {
            value = codec.Read(ref body);
            if (!body.End)
            {
                reason = "trailing bytes after the body";
                return false;
            }
            reason = "";
            return true;
        }
        catch (Exception e) when (IsDecodingFailure(e))
        {
            value = default!;
            reason = $"undecodable body ({e.GetType().Name}): {e.Message}";
            return false;
        }
    }

    /// <summary>Any exception a codec or MessagePackReader throws on bad input. A codec that throws
    /// something else on bad input (a bug) is still answered as Malformed rather than killing the
    /// server; only the process-fatal exceptions pass.</summary>
    private static bool IsDecodingFailure(Exception e) => e is not (OutOfMemoryException or InsufficientExecutionStackException);
}
