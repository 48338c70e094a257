// The pure rules of the user-space pager option (issue 8; Syscalls.md "Memory", 0x859-0x85B), kept
// apart from the blocking and IPC machinery (PagerFaults.cs) so that host tests compile them as
// they are (tests/Biscuit.Kernel.Tests/PagerRulesTests.cs):
//   - the message the pager receives for a demand-zero fault of an application: label LabelTag,
//     80 payload bytes of little-endian u64 `process_id, thread_id, address, access (bit 0 write,
//     bit 1 instruction fetch), rip, resident pages, page quota (0: none), free frames, the
//     servers' reserve in frames, 0`;
//   - what a memory_page_supply answer may say: Zero (a zeroed frame), or a signal — SIGKILL ends
//     the process, SIGSEGV is the fault's signal for the thread —; any other value is EINVAL;
//   - whether a supply names the fault it answers: same process id, same page; otherwise EINVAL
//     (the kernel never trusts the pager).
// Invariant: this layout is the one servers/mm/Biscuit.Mm/PagerFault.cs decodes.
using Biscuit.Kernel.Ipc;
using Biscuit.Kernel.Syscalls;

namespace Biscuit.Kernel.Memory
{
    public enum SupplyAction { Invalid, Zero, Kill, Segv }

    public static unsafe class PagerRules
    {
        public const ulong LabelTag = 0x5047_4600_0000_0000;   // "PGF\0" in the high 32 bits
        public const uint PayloadBytes = 80;
        public const ulong AccessWrite = 1, AccessExecute = 2;
        public const ulong SignalKill = 9, SignalSegv = 11;

        public static ulong Access(bool write, bool execute) => (write ? AccessWrite : 0) | (execute ? AccessExecute : 0);

        // Writes the fault message (header + payload) into an IPC buffer.
        public static void WriteMessage(MessageHeader* m, ulong processId, ulong threadId, ulong address, ulong access,
                                        ulong rip, ulong residentPages, ulong quotaPages, ulong freeFrames, ulong reserveFrames)
        {
            m->Label = LabelTag;
            m->Length = PayloadBytes;
            m->HandleCount = 0;
            ulong* w = (ulong*)((byte*)m + MessageHeader.HeaderBytes);
            w[0] = processId;
            w[1] = threadId;
            w[2] = address;
            w[3] = access;
            w[4] = rip;
            w[5] = residentPages;
            w[6] = quotaPages;
            w[7] = freeFrames;
            w[8] = reserveFrames;
            w[9] = 0;
        }

        // memory_page_supply's third argument: 0 a zeroed page, 9 SIGKILL, 11 SIGSEGV.
        public static SupplyAction ActionOf(ulong value) => value switch
        {
            0 => SupplyAction.Zero,
            SignalKill => SupplyAction.Kill,
            SignalSegv => SupplyAction.Segv,
            _ => SupplyAction.Invalid,
        };

        // 0 if a supply for (`processId`, `address`) answers the fault of `faultProcessId` at
        // `faultAddress`; EINVAL if it names another process or another page.
        public static long CheckSupply(ulong faultProcessId, ulong faultAddress, ulong processId, ulong address) =>
            processId == faultProcessId && (address & ~0xFFFUL) == (faultAddress & ~0xFFFUL) ? 0 : -Errno.EINVAL;
    }
}
