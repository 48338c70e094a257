// The deterministic byte stream every large transfer sends: a block of pseudo-random bytes (fixed
// seed) of a prime length, repeated. Both sides compute the expected SHA-256 from it, and Linux-side
// scripts read the same block from a file.
using System.Security.Cryptography;

namespace Biscuit.Net.Tests.Harness;

internal static class Pattern
{
    public const int BlockLength = 1_000_003;
    public static readonly byte[] Block = MakeBlock();

    static byte[] MakeBlock()
    {
        var b = new byte[BlockLength];
        new Random(20261130).NextBytes(b);
        return b;
    }

    /// <summary>Fills dst with the stream's bytes starting at offset.</summary>
    public static void Fill(long offset, Span<byte> dst)
    {
        while (dst.Length > 0)
        {
            int i = (int)(offset % BlockLength);
            int n = Math.Min(dst.Length, BlockLength - i);
            Block.AsSpan(i, n).CopyTo(dst);
            dst = dst.Slice(n);
            offset += n;
        }
    }

    public static string Sha256Hex(long length)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunk = new byte[65536];
        for (long o = 0; o < length; o += chunk.Length)
        {
            int n = (int)Math.Min(chunk.Length, length - o);
            Fill(o, chunk.AsSpan(0, n));
            h.AppendData(chunk, 0, n);
        }
        return Convert.ToHexString(h.GetHashAndReset()).ToLowerInvariant();
    }

    public static string WriteBlockFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"bnt-pattern-{Environment.ProcessId}.bin");
        if (!File.Exists(path) || new FileInfo(path).Length != BlockLength) File.WriteAllBytes(path, Block);
        return path;
    }
}
