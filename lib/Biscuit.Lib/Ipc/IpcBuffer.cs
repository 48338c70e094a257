// A view over one 4 KiB IPC buffer, laid out as the kernel's MessageHeader
// (microkernel/Kernel/Ipc/MessageBuffer.cs):
//   offset  0  Label        u64  request type (in a reply: the status)
//           8  Length       u32  payload bytes, at most MaxPayload (4032)
//          12  HandleCount  u32  handles carried, at most MaxHandles (4)
//          16  Handles[4]   u32  sender: handles to pass; receiver: the new handles in its table
//          32  Badge        u64  written by the kernel on receive
//          40  Dropped      u64  written by the kernel: handles that could not be delivered
//          48  reserved     16 bytes
//          64  Payload
// All fields are little-endian (x86-64). The view checks nothing on read: a receiver must treat
// Length and HandleCount as untrusted and use PayloadSpan/ReceivedHandles, which clamp them.
using System.Buffers.Binary;
using Biscuit.Lib.Kernel;

namespace Biscuit.Lib.Ipc;

public readonly ref struct IpcBuffer
{
    public const int Size = 4096, HeaderBytes = 64, MaxPayload = Size - HeaderBytes, MaxHandles = 4;
    private const int LabelOffset = 0, LengthOffset = 8, HandleCountOffset = 12, HandlesOffset = 16,
        BadgeOffset = 32, DroppedOffset = 40;

    private readonly Span<byte> bytes;

    public IpcBuffer(Span<byte> bytes)
    {
        if (bytes.Length != Size) throw new ArgumentException($"an IPC buffer is {Size} bytes, not {bytes.Length}", nameof(bytes));
        this.bytes = bytes;
    }

    /// <summary>The calling thread's kernel IPC buffer (address from ipc_buffer(), cached per thread).
    /// Only meaningful on Biscuit: on another kernel the call fails and this throws.</summary>
    public static unsafe IpcBuffer Current => new(new Span<byte>((void*)CurrentThreadBuffer.Address, Size));

    public Span<byte> Raw => bytes;

    public ulong Label
    {
        get => BinaryPrimitives.ReadUInt64LittleEndian(bytes[LabelOffset..]);
        set => BinaryPrimitives.WriteUInt64LittleEndian(bytes[LabelOffset..], value);
    }

    /// <summary>The length field as written (untrusted on receive; see PayloadSpan).</summary>
    public uint Length
    {
        get => BinaryPrimitives.ReadUInt32LittleEndian(bytes[LengthOffset..]);
        set => BinaryPrimitives.WriteUInt32LittleEndian(bytes[LengthOffset..], value);
    }

    public uint HandleCount
    {
        get => BinaryPrimitives.ReadUInt32LittleEndian(bytes[HandleCountOffset..]);
        set => BinaryPrimitives.WriteUInt32LittleEndian(bytes[HandleCountOffset..], value);
    }

    public ulong Badge
    {
        get => BinaryPrimitives.ReadUInt64LittleEndian(bytes[BadgeOffset..]);
        set => BinaryPrimitives.WriteUInt64LittleEndian(bytes[BadgeOffset..], value);
    }

    public ulong Dropped
    {
        get => BinaryPrimitives.ReadUInt64LittleEndian(bytes[DroppedOffset..]);
        set => BinaryPrimitives.WriteUInt64LittleEndian(bytes[DroppedOffset..], value);
    }

    public uint GetHandle(int index)
    {
        if ((uint)index >= MaxHandles) throw new ArgumentOutOfRangeException(nameof(index));
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes[(HandlesOffset + 4 * index)..]);
    }

    public void SetHandle(int index, uint handle)
    {
        if ((uint)index >= MaxHandles) throw new ArgumentOutOfRangeException(nameof(index));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[(HandlesOffset + 4 * index)..], handle);
    }

    /// <summary>The whole payload area, for writing a message in place.</summary>
    public Span<byte> PayloadArea => bytes[HeaderBytes..];

    /// <summary>True when the header's Length and HandleCount are within the kernel's limits.</summary>
    public bool HeaderIsValid => Length <= MaxPayload && HandleCount <= MaxHandles;

    /// <summary>The payload as the header describes it, clamped to the buffer (never throws).</summary>
    public Span<byte> PayloadSpan => bytes.Slice(HeaderBytes, (int)Math.Min(Length, (uint)MaxPayload));

    /// <summary>Sets label, payload and handle count for a message with no handles.</summary>
    public void SetMessage(ulong label, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MaxPayload) throw new ArgumentException($"payload of {payload.Length} bytes exceeds {MaxPayload}", nameof(payload));
        Label = label;
        payload.CopyTo(PayloadArea);
        Length = (uint)payload.Length;
        HandleCount = 0;
    }

    /// <summary>Copies one message (header fields a sender controls, handles and payload) from `source`,
    /// setting the badge as a kernel would. Used by the in-memory transport to mimic MessageTransfer.Copy.</summary>
    public void CopyMessageFrom(IpcBuffer source, ulong badge)
    {
        Label = source.Label;
        uint length = Math.Min(source.Length, (uint)MaxPayload);
        Length = length;
        uint handles = Math.Min(source.HandleCount, (uint)MaxHandles);
        HandleCount = handles;
        for (int i = 0; i < (int)handles; i++) SetHandle(i, source.GetHandle(i));
        Badge = badge;
        Dropped = 0;
        source.bytes.Slice(HeaderBytes, (int)length).CopyTo(bytes[HeaderBytes..]);
    }
}

/// <summary>The calling thread's IPC buffer address, asked of the kernel once per thread.</summary>
internal static class CurrentThreadBuffer
{
    [ThreadStatic] private static nint address;   // owner: the thread itself

    public static nint Address
    {
        get
        {
            if (address != 0) return address;
            var r = Syscalls.IpcBufferAddress();
            if (!r.IsOk || r.Value == 0)
                throw new InvalidOperationException("no IPC buffer for this thread: ipc_buffer() answered " + r.Error.Symbol() + " (not running on Biscuit?)");
            address = r.Value;
            return address;
        }
    }
}
