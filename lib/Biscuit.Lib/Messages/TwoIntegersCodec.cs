// A codec for any body made of two 64-bit integers (a pair of operands, a count and a result...),
// encoded as a MessagePack array of two; a newer writer's extra fields are skipped.
using MessagePack;

namespace Biscuit.Lib.Messages;

public sealed class TwoIntegersCodec<T>(string name, Func<long, long, T> make, Func<T, (long First, long Second)> split) : IMessageCodec<T>
{
    public void Write(ref MessagePackWriter writer, T value)
    {
        var (first, second) = split(value);
        writer.WriteArrayHeader(2);
        writer.Write(first);
        writer.Write(second);
    }

    public T Read(ref MessagePackReader reader)
    {
        int n = Codecs.ReadArrayAtLeast(ref reader, 2, name);
        long first = reader.ReadInt64(), second = reader.ReadInt64();
        Codecs.SkipExtraFields(ref reader, n, 2);
        return make(first, second);
    }
}
