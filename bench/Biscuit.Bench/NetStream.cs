// The byte stream and the checksum that bench/linux/netbench.c and the host agree on (its header
// comment is the specification): word k (k = 0, 1, ...) of the stream of SEED is
// splitmix64(SEED + (k + 1) * 0x9E3779B97F4A7C15), little-endian, the last word cut to the length;
// the checksum reads bytes as little-endian 64-bit words (the last padded with zero bytes) and
// keeps A += word, B += A modulo 2^64 (a Fletcher sum over words: a lost, added or reordered word
// changes B). Both are the guest's definitions, so a figure is only kept when the two sides agree.
using System.Buffers.Binary;

namespace Biscuit.Bench;

public readonly record struct NetChecksum(ulong A, ulong B)
{
    public override string ToString() => $"{A:x16} {B:x16}";
}

public static class NetStream
{
    // The first `length` bytes of the stream of `seed`.
    public static byte[] Bytes(ulong seed, int length)
    {
        var bytes = new byte[length];
        Span<byte> word = stackalloc byte[8];
        for (int at = 0, k = 0; at < length; at += 8, k++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(word, Word(seed, (ulong)k));
            word[..Math.Min(8, length - at)].CopyTo(bytes.AsSpan(at));
        }
        return bytes;
    }

    public static ulong Word(ulong seed, ulong k)
    {
        unchecked
        {
            ulong z = seed + (k + 1) * 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    public static NetChecksum Checksum(ReadOnlySpan<byte> bytes)
    {
        ulong a = 0, b = 0;
        int whole = bytes.Length & ~7;
        unchecked
        {
            for (int at = 0; at < whole; at += 8)
            {
                a += BinaryPrimitives.ReadUInt64LittleEndian(bytes[at..]);
                b += a;
            }
            if (whole < bytes.Length)
            {
                Span<byte> last = stackalloc byte[8];
                last.Clear();
                bytes[whole..].CopyTo(last);
                a += BinaryPrimitives.ReadUInt64LittleEndian(last);
                b += a;
            }
        }
        return new NetChecksum(a, b);
    }
}
