// A reusable, fixed-capacity IBufferWriter for MessagePackWriter: one per thread that encodes
// (a server worker, a client). It never grows: a message that does not fit fails with
// MessageTooLargeException, and a message longer than one IPC payload (4032 bytes) is refused by
// Envelope after encoding. The extra room past 4032 only lets MessagePackWriter ask for its
// worst-case span sizes (UTF-8 strings: 3 bytes a character) without failing early.
// Owner: one thread at a time; nothing here is locked.
using System.Buffers;

namespace Biscuit.Lib.Messages;

public sealed class MessageBuilder : IBufferWriter<byte>
{
    public const int Capacity = 16 * 1024;
    private readonly byte[] buffer = new byte[Capacity];
    private int written;

    public int WrittenCount => written;
    public ReadOnlySpan<byte> WrittenSpan => buffer.AsSpan(0, written);

    public void Reset() => written = 0;

    public void Advance(int count)
    {
        if (count < 0 || written + count > buffer.Length) throw new ArgumentOutOfRangeException(nameof(count));
        written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => buffer.AsMemory(written, Room(sizeHint));

    public Span<byte> GetSpan(int sizeHint = 0) => buffer.AsSpan(written, Room(sizeHint));

    private int Room(int sizeHint)
    {
        int left = buffer.Length - written;
        if (left < Math.Max(sizeHint, 1)) throw new MessageTooLargeException(written + Math.Max(sizeHint, 1));
        return left;
    }
}

/// <summary>An encoded message would not fit in one IPC payload.</summary>
public sealed class MessageTooLargeException(int bytes)
    : Exception($"message of at least {bytes} bytes exceeds the IPC payload limit of {Biscuit.Lib.Ipc.IpcBuffer.MaxPayload} bytes");
