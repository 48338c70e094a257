// A Linux system call forwarded by the kernel to a personality server (Syscalls.md "Forwarded
// calls", issue 7). The kernel makes an ipc_call on the process's personality endpoint for the
// application thread; the message posix receives is:
//   label   = 0x4C4E5800_00000000 | number   ("LNX\0" in the high 32 bits)
//   badge   = the badge of the personality endpoint handle (one per process, chosen by posix)
//   payload = 80 bytes, little-endian u64: number, arg0..arg5, kernel_process_id, thread_id, flags (0)
// The reply's payload is one i64: what the thread receives in RAX (negative errno on failure); a
// reply shorter than 8 bytes gives the thread -EIO.
// Invariant: TryParse accepts only a message with the LNX label and a full 80-byte payload.
using System.Buffers.Binary;
using Biscuit.Lib.Ipc;

namespace Biscuit.Lib.Kernel;

public readonly record struct ForwardedCall(long Number, long Arg0, long Arg1, long Arg2, long Arg3, long Arg4, long Arg5,
    ulong KernelProcessId, ulong ThreadId, ulong Flags, ulong Badge)
{
    public const ulong LabelTag = 0x4C4E5800_00000000, LabelTagMask = 0xFFFFFFFF_00000000;
    public const int PayloadBytes = 80, ReplyBytes = 8;

    /// <summary>True when `label` marks a forwarded Linux call.</summary>
    public static bool IsForwardedLabel(ulong label) => (label & LabelTagMask) == LabelTag;

    public long Argument(int index) => index switch
    {
        0 => Arg0, 1 => Arg1, 2 => Arg2, 3 => Arg3, 4 => Arg4, 5 => Arg5,
        _ => throw new ArgumentOutOfRangeException(nameof(index), index, "a system call has six arguments"),
    };

    /// <summary>Decodes a received message; false if it is not a forwarded call (wrong label or short payload).</summary>
    public static bool TryParse(ulong label, ulong badge, ReadOnlySpan<byte> payload, out ForwardedCall call)
    {
        call = default;
        if (!IsForwardedLabel(label) || payload.Length < PayloadBytes) return false;
        Span<long> w = stackalloc long[PayloadBytes / 8];
        for (int i = 0; i < w.Length; i++) w[i] = BinaryPrimitives.ReadInt64LittleEndian(payload[(i * 8)..]);
        call = new ForwardedCall(w[0], w[1], w[2], w[3], w[4], w[5], w[6], (ulong)w[7], (ulong)w[8], (ulong)w[9], badge);
        return true;
    }

    /// <summary>Decodes the message in an IPC buffer (as received by ipc_recv / ipc_reply_recv).</summary>
    public static bool TryParse(IpcBuffer buffer, out ForwardedCall call) =>
        TryParse(buffer.Label, buffer.Badge, buffer.PayloadSpan, out call);

    /// <summary>Encodes the message the kernel sends (used by host tests and fakes of the kernel).</summary>
    public void WritePayload(Span<byte> payload)
    {
        if (payload.Length < PayloadBytes) throw new ArgumentException($"a forwarded call needs {PayloadBytes} bytes", nameof(payload));
        Span<long> words = [Number, Arg0, Arg1, Arg2, Arg3, Arg4, Arg5, (long)KernelProcessId, (long)ThreadId, (long)Flags];
        for (int i = 0; i < words.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(payload[(i * 8)..], words[i]);
    }

    /// <summary>The label of the message the kernel sends for Linux call `number`.</summary>
    public static ulong LabelFor(long number) => LabelTag | (uint)number;

    /// <summary>Fills `buffer` with the reply: RAX for the application thread (a negative errno on failure).
    /// Then ipc_reply or ipc_reply_recv sends it.</summary>
    public static void WriteReply(IpcBuffer buffer, long result)
    {
        buffer.Label = 0;
        buffer.HandleCount = 0;
        buffer.Length = ReplyBytes;
        BinaryPrimitives.WriteInt64LittleEndian(buffer.Raw[IpcBuffer.HeaderBytes..], result);
    }

    /// <summary>ipc_reply_pending: true while the caller of the last call this thread received still waits
    /// for its reply; false once it gave up (signal, death); NoSuchProcess (ESRCH) if no reply is owed.</summary>
    public static KernelResult<bool> ReplyPending()
    {
        long r = Syscalls.Invoke(SyscallNumbers.IpcReplyPending);
        return r < 0 ? KernelResult<bool>.Fail(KernelErrors.FromResult(r)) : KernelResult<bool>.Ok(r != 0);
    }
}
