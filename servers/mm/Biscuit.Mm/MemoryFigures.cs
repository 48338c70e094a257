// What the kernel tells mm about memory (Syscalls.md "Memory": memory_info, memory_census), as
// plain records: the system's frames and paging counters, and one line per live process. A frame
// shared by fork is counted in the resident pages of every holder (as Linux's RSS counts it).
namespace Biscuit.Mm;

/// <summary>System-wide figures, from memory_info.</summary>
public sealed record SystemMemory(long FreeFrames, long UsedFrames, long TotalFrames,
    long CopyOnWriteFaults, long PagesCopied, long DemandZeroFaults, long QuotaKills);

/// <summary>One live process, from memory_census. An application has a personality (posix made it);
/// everything else is a server (started by init), and init is marked on its own.</summary>
public sealed record ProcessMemory(long Id, string Name, long ResidentPages, long QuotaPages,
    long PageFaults, long CopiesOnWrite, bool IsApplication, bool IsInit);

/// <summary>The kernel as mm sees it: implemented with system calls on Biscuit (KernelMemory in the
/// server program) and by a fake in host tests.</summary>
public interface IMemoryKernel
{
    SystemMemory System();

    IReadOnlyList<ProcessMemory> Census();

    /// <summary>memory_oom_kill: 0, or a negative errno (EPERM for a server or init, ESRCH if gone).</summary>
    long OomKill(long processId);
}
