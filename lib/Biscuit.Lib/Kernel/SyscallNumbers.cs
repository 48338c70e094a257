// Biscuit's native system-call numbers, exactly as microkernel/Kernel/Syscalls/Syscalls.md lists
// them (and tests/guest/biscuit.h for C). Numbers below 0x800 are Linux's; these are Biscuit's own.
// Invariant: this table and Syscalls.md agree; a renumbering in the kernel must be made here too.
namespace Biscuit.Lib.Kernel;

public static class SyscallNumbers
{
    // Threads and time
    public const long DebugWrite = 0x800, ThreadCreate = 0x801, ThreadExit = 0x802, ThreadYield = 0x803,
        ThreadSleep = 0x804, ThreadSetPriority = 0x805, IpcBuffer = 0x806, ClockTicks = 0x807, SystemInfo = 0x808;

    // Processes
    public const long ProcessSpawn = 0x810, ProcessWatch = 0x811, ProcessStatus = 0x812, ProcessKill = 0x813,
        ProcessExit = 0x814, ProcessSetLimits = 0x815, ModuleRead = 0x816;

    // Application processes (issue 7: what posix uses to build and serve Linux programs; ApplicationProcess.cs)
    public const long ProcessCreate = 0x817, ProcessSetPersonality = 0x818, ProcessRead = 0x819, ProcessWrite = 0x81A,
        ProcessMmap = 0x81B, ProcessMprotect = 0x81C, ProcessStart = 0x81D, IpcReplyPending = 0x81E,
        ProcessFork = 0x81F, ProcessSetPid = 0x870, ProcessSignal = 0x871, ProcessInject = 0x872, CpuCensus = 0x87C,
        OrphansKill = 0x87D;

    // IPC
    public const long EndpointCreate = 0x820, IpcCall = 0x821, IpcSend = 0x822, IpcRecv = 0x823,
        IpcReplyRecv = 0x824, IpcReply = 0x825;
    public const long NotificationCreate = 0x830, NotifySignal = 0x831, NotifyWait = 0x832, NotifyPoll = 0x833;

    // Handles
    public const long HandleDup = 0x840, HandleClose = 0x841, HandleInfo = 0x842;

    // Memory
    public const long MemoryMap = 0x850, MemoryUnmap = 0x851, GrantCreate = 0x852, GrantRevoke = 0x853;
    public const long MemoryInfo = 0x854, MemorySetQuota = 0x855, MemoryCensus = 0x856, MemoryOomKill = 0x857, MemoryFaultCensus = 0x858;
    public const long MemoryPagerSet = 0x859, MemoryPageSupply = 0x85A, MemoryPagerCensus = 0x85B;

    // Devices (numbers only: lib/ has no typed wrappers for them yet, see lib/README.md)
    public const long PciInfo = 0x860, DeviceClaim = 0x861, IrqBind = 0x862, IrqAck = 0x863, MmioMap = 0x864,
        IoportRead = 0x865, IoportWrite = 0x866, DmaAlloc = 0x867, IrqClaim = 0x868, IoportClaim = 0x869,
        ConsoleClaim = 0x86A, ConsoleRead = 0x86B, ConsoleStats = 0x86C, DmaPin = 0x86D, DmaUnpin = 0x86E;
}
