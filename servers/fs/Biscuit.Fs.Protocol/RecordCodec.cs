// A codec for a record sent as a MessagePack array of a fixed number of fields (lib/README.md, "The
// message format": a reader accepts a longer array from a newer writer and skips the extra fields;
// a shorter one is malformed). Each record supplies how to write and read its fields in order; this
// class writes the array header and checks it on reading, so the field code stays one line a field.
using Biscuit.Lib.Messages;
using MessagePack;

namespace Biscuit.Fs.Protocol;

public delegate void FieldWriter<T>(ref MessagePackWriter writer, T value);
public delegate T FieldReader<T>(ref MessagePackReader reader);

public sealed class RecordCodec<T>(string name, int fields, FieldWriter<T> write, FieldReader<T> read) : IMessageCodec<T>
{
    public void Write(ref MessagePackWriter writer, T value)
    {
        writer.WriteArrayHeader(fields);
        write(ref writer, value);
    }

    public T Read(ref MessagePackReader reader)
    {
        int count = Codecs.ReadArrayAtLeast(ref reader, fields, name);
        T value = read(ref reader);
        Codecs.SkipExtraFields(ref reader, count, fields);
        return value;
    }
}

/// <summary>Field readers that refuse what the protocol never sends.</summary>
public static class Fields
{
    public static int NonNegativeInt(ref MessagePackReader reader, string what)
    {
        int value = reader.ReadInt32();
        if (value < 0) throw new MalformedMessageException($"{what}: negative ({value})");
        return value;
    }

    public static long NonNegativeLong(ref MessagePackReader reader, string what)
    {
        long value = reader.ReadInt64();
        if (value < 0) throw new MalformedMessageException($"{what}: negative ({value})");
        return value;
    }
}
