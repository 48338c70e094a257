// Codecs for the bodies that need no type of their own: nothing (Empty, encoded as nil), a string,
// integers, raw bytes. Also the helpers codecs use to read fixed-shape arrays strictly.
using MessagePack;

namespace Biscuit.Lib.Messages;

/// <summary>The body of a request or response that carries nothing.</summary>
public readonly record struct Empty;

public static class Codecs
{
    public static readonly IMessageCodec<Empty> Empty = new EmptyCodec();
    public static readonly IMessageCodec<string> String = new StringCodec();
    public static readonly IMessageCodec<long> Int64 = new Int64Codec();
    public static readonly IMessageCodec<ulong> UInt64 = new UInt64Codec();
    public static readonly IMessageCodec<byte[]> Bytes = new BytesCodec();

    /// <summary>Reads an array header and checks it has at least `fields` elements (a newer writer may
    /// append fields; the caller skips the extra ones with SkipExtraFields).</summary>
    public static int ReadArrayAtLeast(ref MessagePackReader reader, int fields, string what)
    {
        int count = reader.ReadArrayHeader();
        if (count < fields) throw new MalformedMessageException($"{what}: expected an array of {fields} fields, got {count}");
        return count;
    }

    /// <summary>Skips the fields beyond the ones this version knows.</summary>
    public static void SkipExtraFields(ref MessagePackReader reader, int count, int known)
    {
        for (int i = known; i < count; i++) reader.Skip();
    }

    /// <summary>A string field that must be present (nil is refused).</summary>
    public static string ReadRequiredString(ref MessagePackReader reader, string what) =>
        reader.ReadString() ?? throw new MalformedMessageException($"{what}: nil where a string is required");

    private sealed class EmptyCodec : IMessageCodec<Empty>
    {
        public void Write(ref MessagePackWriter writer, Empty value) => writer.WriteNil();

        public Empty Read(ref MessagePackReader reader)
        {
            if (!reader.TryReadNil()) throw new MalformedMessageException("expected nil (an empty body)");
            return default;
        }
    }

    private sealed class StringCodec : IMessageCodec<string>
    {
        public void Write(ref MessagePackWriter writer, string value) => writer.Write(value);
        public string Read(ref MessagePackReader reader) => ReadRequiredString(ref reader, "string body");
    }

    private sealed class Int64Codec : IMessageCodec<long>
    {
        public void Write(ref MessagePackWriter writer, long value) => writer.Write(value);
        public long Read(ref MessagePackReader reader) => reader.ReadInt64();
    }

    private sealed class UInt64Codec : IMessageCodec<ulong>
    {
        public void Write(ref MessagePackWriter writer, ulong value) => writer.Write(value);
        public ulong Read(ref MessagePackReader reader) => reader.ReadUInt64();
    }

    private sealed class BytesCodec : IMessageCodec<byte[]>
    {
        public void Write(ref MessagePackWriter writer, byte[] value) => writer.Write(value);

        public byte[] Read(ref MessagePackReader reader)
        {
            var sequence = reader.ReadBytes() ?? throw new MalformedMessageException("nil where bytes are required");
            return System.Buffers.BuffersExtensions.ToArray(sequence);
        }
    }
}
