// The record system_info (0x808) fills: the same eleven u64 fields, in the same order, as the
// kernel's SystemInfoBlock (microkernel/Kernel/Syscalls/ThreadCalls.cs) and biscuit.h's struct.
using System.Runtime.InteropServices;

namespace Biscuit.Lib.Kernel;

[StructLayout(LayoutKind.Sequential)]
public struct SystemInfo
{
    public ulong TotalFrames, FreeFrames, Ticks, TicksPerSecond, ContextSwitches, Syscalls;
    public ulong FreeThreads, FreeEndpoints, FreeNotifications, FreeProcesses, FreeGrants;
}
