// The rest of the world posix reaches: the kernel console (/dev/console, /dev/tty), a process's memory
// figures for /proc/meminfo, the servers' GC statistics for /proc/biscuit/gc, the processes' CPU
// figures for /proc/biscuit/cpu, random bytes for /dev/urandom
// and AT_RANDOM, and the log. The server program implements it over the kernel and lib's Stats;
// tests implement it with a recording fake.
namespace Biscuit.Posix;

public interface ISystemServices
{
    /// <summary>Bytes to the kernel console (debug_write).</summary>
    void ConsoleWrite(ReadOnlySpan<byte> bytes);

    /// <summary>The memory figures of `process` (memory_info): its page quota (0: none), its resident
    /// pages, and the machine's free and total frames; null if the kernel does not answer.</summary>
    MemoryFigures? MemoryOf(KernelProcess process);

    /// <summary>Every server's GC and request figures as a text table (lib's StatsTable), or a line
    /// saying why they are not available.</summary>
    string ServerStatistics();

    /// <summary>Every process's CPU figures as a text table (CpuCensus.Format), or a line saying why not.</summary>
    string CpuStatistics();

    /// <summary>What the other servers hold for posix, one "server name value" line each (fs's open
    /// files, net's open sockets): with /proc/biscuit/resources, what a leak test compares.</summary>
    string ServerResources();

    /// <summary>Fills `into` with unpredictable bytes (not cryptographic on Biscuit today).</summary>
    void RandomBytes(Span<byte> into);

    /// <summary>One line to posix's log (the console on Biscuit).</summary>
    void Log(string line);
}

/// <summary>What the kernel says about one process's memory, in 4 KiB pages (memory_info).</summary>
public readonly record struct MemoryFigures(long QuotaPages, long ResidentPages, long FreeFrames, long TotalFrames);
