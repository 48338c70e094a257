// EpollEvent: struct epoll_event as the application sees it. On x86-64 Linux declares it packed:
// 12 bytes, a 32-bit events mask at offset 0 and the 64-bit user data at offset 4, little-endian
// (include/uapi/linux/eventpoll.h, EPOLL_PACKED). Encode/TryDecode are the only places that know it.
using System.Buffers.Binary;

namespace Biscuit.Posix.Events;

/// <summary>struct epoll_event: the events mask and the caller's data (epoll_ctl(2)).</summary>
public readonly record struct EpollEvent(uint Events, ulong Data)
{
    /// <summary>sizeof(struct epoll_event) on x86-64.</summary>
    public const int PackedSize = 12;

    /// <summary>Writes the packed 12-byte form; false if the destination is too small.</summary>
    public bool TryEncode(Span<byte> destination)
    {
        if (destination.Length < PackedSize) return false;
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Events);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[4..], Data);
        return true;
    }

    /// <summary>Reads the packed 12-byte form; false (and a default value) if the source is too short.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, out EpollEvent value)
    {
        if (source.Length < PackedSize) { value = default; return false; }
        value = new EpollEvent(BinaryPrimitives.ReadUInt32LittleEndian(source),
                               BinaryPrimitives.ReadUInt64LittleEndian(source[4..]));
        return true;
    }
}
