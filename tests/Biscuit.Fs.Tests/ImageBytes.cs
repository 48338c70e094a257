// Raw edits of an image file, for corruption tests: read and overwrite little-endian fields at byte offsets.
namespace Biscuit.Fs.Tests;

using System.Buffers.Binary;

public static class ImageBytes
{
    public static void WriteU16(string image, long offset, ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        Write(image, offset, bytes);
    }

    public static void WriteU32(string image, long offset, uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        Write(image, offset, bytes);
    }

    public static uint ReadU32(string image, long offset)
    {
        using var stream = File.OpenRead(image);
        stream.Position = offset;
        var bytes = new byte[4];
        stream.ReadExactly(bytes);
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }

    public static void Write(string image, long offset, byte[] bytes)
    {
        using var stream = File.OpenWrite(image);
        stream.Position = offset;
        stream.Write(bytes);
    }

    public static byte[] Hash(string image) =>
        System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(image));
}
