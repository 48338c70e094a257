// One demand-zero page fault of an application, as the kernel sends it to the pager (the `pager`
// option; Syscalls.md 0x859 memory_pager_set): label "PGF\0" in the high 32 bits, 80 payload bytes
// of little-endian u64 `process_id, thread_id, address, access (bit 0 write, bit 1 instruction
// fetch), rip, resident pages, page quota (0: none), free frames, the servers' reserve, 0`.
// Invariant: this is the layout microkernel/Kernel/Memory/PagerRules.cs writes (checked by
// tests/Biscuit.Kernel.Tests/PagerRulesTests.cs against the kernel's own writer).
using System.Buffers.Binary;

namespace Biscuit.Mm;

public readonly record struct PagerFault(long ProcessId, long ThreadId, ulong Address, bool Write, bool Execute, ulong Rip,
    long ResidentPages, long QuotaPages, long FreeFrames, long ReserveFrames)
{
    public const ulong Label = 0x5047_4600_0000_0000;
    public const int PayloadBytes = 80;
    private const ulong AccessWrite = 1, AccessExecute = 2, KnownAccess = AccessWrite | AccessExecute;

    /// <summary>The fault in a received message, or false (with why) for anything else: another
    /// label, a short payload, unknown access bits, or figures no kernel writes (negative counts).</summary>
    public static bool TryDecode(ulong label, ReadOnlySpan<byte> payload, out PagerFault fault, out string why)
    {
        fault = default;
        if (label != Label) { why = $"label 0x{label:X16} is not a page fault"; return false; }
        if (payload.Length < PayloadBytes) { why = $"{payload.Length} payload bytes, a page fault has {PayloadBytes}"; return false; }
        Span<ulong> w = stackalloc ulong[PayloadBytes / 8];
        for (int i = 0; i < w.Length; i++) w[i] = BinaryPrimitives.ReadUInt64LittleEndian(payload.Slice(i * 8, 8));
        ulong access = w[3];
        if ((access & ~KnownAccess) != 0) { why = $"unknown access bits 0x{access:X}"; return false; }
        for (int i = 5; i <= 8; i++)
            if (w[i] > long.MaxValue) { why = $"field {i} is out of range"; return false; }
        if (w[0] > long.MaxValue || w[1] > long.MaxValue) { why = "process or thread id out of range"; return false; }
        fault = new PagerFault((long)w[0], (long)w[1], w[2], (access & AccessWrite) != 0, (access & AccessExecute) != 0, w[4],
            (long)w[5], (long)w[6], (long)w[7], (long)w[8]);
        why = "";
        return true;
    }
}
