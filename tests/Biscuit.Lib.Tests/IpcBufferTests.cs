// The IPC buffer view has the kernel's layout (microkernel/Kernel/Ipc/MessageBuffer.cs) and never
// reads outside the buffer whatever the header says.
using System.Buffers.Binary;
using Biscuit.Lib.Ipc;

namespace Biscuit.Lib.Tests;

public class IpcBufferTests
{
    [Fact]
    public void Fields_sit_at_the_kernels_offsets()
    {
        var bytes = new byte[IpcBuffer.Size];
        var buffer = new IpcBuffer(bytes)
        {
            Label = 0x1122334455667788,
            Length = 3,
            HandleCount = 2,
            Badge = 0xAABB,
            Dropped = 7,
        };
        buffer.SetHandle(0, 0x1001);
        buffer.SetHandle(3, 0x2003);
        buffer.PayloadArea[0] = 0xEE;
        Assert.Equal(0x1122334455667788UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(0)));
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12)));
        Assert.Equal(0x1001u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)));
        Assert.Equal(0x2003u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(28)));
        Assert.Equal(0xAABBUL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(32)));
        Assert.Equal(7UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(40)));
        Assert.Equal(0xEE, bytes[64]);
        Assert.Equal(4032, IpcBuffer.MaxPayload);
    }

    [Fact]
    public void A_length_beyond_the_limit_is_flagged_and_clamped()
    {
        var buffer = new IpcBuffer(new byte[IpcBuffer.Size]) { Length = uint.MaxValue, HandleCount = 1 };
        Assert.False(buffer.HeaderIsValid);
        Assert.Equal(IpcBuffer.MaxPayload, buffer.PayloadSpan.Length);
        buffer.Length = 10;
        buffer.HandleCount = 5;
        Assert.False(buffer.HeaderIsValid);
        buffer.HandleCount = 4;
        Assert.True(buffer.HeaderIsValid);
    }

    [Fact]
    public void A_buffer_of_the_wrong_size_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new IpcBuffer(new byte[100]));
    }

    [Fact]
    public void Handle_indexes_outside_0_to_3_are_refused()
    {
        var bytes = new byte[IpcBuffer.Size];
        Assert.Throws<ArgumentOutOfRangeException>(() => new IpcBuffer(bytes).GetHandle(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IpcBuffer(bytes).SetHandle(-1, 1));
    }

    [Fact]
    public void SetMessage_refuses_an_oversized_payload()
    {
        Assert.Throws<ArgumentException>(() => new IpcBuffer(new byte[IpcBuffer.Size]).SetMessage(1, new byte[IpcBuffer.MaxPayload + 1]));
    }
}
