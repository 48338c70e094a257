// A Linux call the kernel forwarded (issue 7 ABI, "The forwarded call"): IPC label
// 0x4C4E5800_00000000 | number ("LNX\0" in the high 32 bits), the badge of the process's personality
// endpoint, and an 80-byte payload of little-endian u64s: number, arg0..arg5, kernel_process_id,
// thread_id, flags (0). The reply is one i64: the result the thread gets in RAX.
// Invariant: TryDecode accepts only a message that matches this layout exactly (label tag, payload
// of at least 80 bytes, the number in the label equal to the one in the payload, flags 0).
using System.Buffers.Binary;

namespace Biscuit.Posix;

public readonly record struct ForwardedCall(ulong Badge, int Number, ulong[] Arguments, ulong KernelProcessId, ulong ThreadId)
{
    public const ulong LabelTag = 0x4C4E5800_00000000, TagMask = 0xFFFFFFFF_00000000;
    public const int PayloadBytes = 80, ReplyBytes = 8;

    public static bool TryDecode(ulong label, ulong badge, ReadOnlySpan<byte> payload, out ForwardedCall call, out string problem)
    {
        call = default;
        if ((label & TagMask) != LabelTag) { problem = $"label 0x{label:x} is not a forwarded Linux call"; return false; }
        if (payload.Length < PayloadBytes) { problem = $"payload of {payload.Length} bytes, not {PayloadBytes}"; return false; }
        ulong number = BinaryPrimitives.ReadUInt64LittleEndian(payload);
        if (number != (label & ~TagMask)) { problem = $"label says call {label & ~TagMask}, payload says {number}"; return false; }
        if (BinaryPrimitives.ReadUInt64LittleEndian(payload[72..]) != 0) { problem = "unknown flags"; return false; }
        var args = new ulong[6];
        for (int i = 0; i < 6; i++) args[i] = BinaryPrimitives.ReadUInt64LittleEndian(payload[(8 + 8 * i)..]);
        call = new ForwardedCall(badge, (int)Math.Min(number, int.MaxValue), args,
            BinaryPrimitives.ReadUInt64LittleEndian(payload[56..]), BinaryPrimitives.ReadUInt64LittleEndian(payload[64..]));
        problem = "";
        return true;
    }

    public static void EncodeReply(Span<byte> payload, long result) => BinaryPrimitives.WriteInt64LittleEndian(payload, result);

    /// <summary>The request bytes the kernel would send (tests and tools).</summary>
    public static byte[] EncodeRequest(int number, ReadOnlySpan<ulong> args, ulong kernelProcessId, ulong threadId)
    {
        var b = new byte[PayloadBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)number);
        for (int i = 0; i < 6 && i < args.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8 + 8 * i), args[i]);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(56), kernelProcessId);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(64), threadId);
        return b;
    }
}
