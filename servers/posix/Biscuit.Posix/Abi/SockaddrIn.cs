// struct sockaddr_in (include/uapi/linux/in.h), 16 bytes: sin_family u16 @0 (host order, AF_INET = 2),
// sin_port u16 @2 (network order), sin_addr u32 @4 (network order), zero padding @8..15.
// Value-result lengths (accept(2), getsockname(2)): the caller's length says how much room there is;
// posix writes at most that much of the 16 bytes and stores 16 (the real size) back.
using System.Buffers.Binary;

namespace Biscuit.Posix;

public static class SockaddrIn
{
    public const int Size = 16;

    public static byte[] Encode(Ipv4Endpoint endpoint)
    {
        var b = new byte[Size];
        BinaryPrimitives.WriteUInt16LittleEndian(b, Sock.AF_INET);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), endpoint.Port);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), endpoint.Address);
        return b;
    }

    /// <summary>Decodes a sockaddr_in: EINVAL if shorter than 16 bytes, EAFNOSUPPORT if not AF_INET.</summary>
    public static Ipv4Endpoint Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 2) throw new SyscallFailure(Errno.EINVAL);
        if (BinaryPrimitives.ReadUInt16LittleEndian(bytes) != Sock.AF_INET) throw new SyscallFailure(Errno.EAFNOSUPPORT);
        if (bytes.Length < Size) throw new SyscallFailure(Errno.EINVAL);
        return new Ipv4Endpoint(BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]), BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]));
    }

    public static Ipv4Endpoint Read(UserMemory memory, ulong address, ulong length)
    {
        if (length > 128) throw new SyscallFailure(Errno.EINVAL);
        return Decode(memory.Read(address, (int)length));
    }

    /// <summary>Stores `endpoint` at `address` with the value-result length at `lengthPointer` (both may be 0).</summary>
    public static void Write(UserMemory memory, ulong address, ulong lengthPointer, Ipv4Endpoint endpoint)
    {
        if (address == 0 || lengthPointer == 0) return;
        uint room = memory.ReadU32(lengthPointer);
        if (room > int.MaxValue) throw new SyscallFailure(Errno.EINVAL);
        var bytes = Encode(endpoint);
        memory.Write(address, bytes.AsSpan(0, (int)Math.Min(room, (uint)Size)));
        memory.WriteU32(lengthPointer, Size);
    }
}
