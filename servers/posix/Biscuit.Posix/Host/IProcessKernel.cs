// posix's view of the kernel calls it uses to build and serve application processes (issue 7 ABI:
// process_create 0x817 ... process_start 0x81D, process_kill, process_watch, process_set_pid 0x870,
// process_signal 0x871). The server program
// implements it over Biscuit's system calls; tests implement it with a recording fake.
// Every method answers like the kernel: a non-negative value, or a negative Linux errno.
namespace Biscuit.Posix;

/// <summary>A kernel process as posix holds it: the handle of its process capability.</summary>
public readonly record struct KernelProcess(uint Handle);

public interface IProcessKernel
{
    /// <summary>process_create: an empty process with no thread (its handle), or -errno.</summary>
    long Create(string name, out KernelProcess process);

    /// <summary>process_set_personality: forward the process's non-core calls to posix, badged `badge`.</summary>
    long SetPersonality(KernelProcess process, ulong badge);

    /// <summary>process_read: bytes copied from the process at `remote`; -EFAULT if a page is not mapped.</summary>
    long Read(KernelProcess process, ulong remote, Span<byte> into);

    /// <summary>process_write: bytes copied into the process (even read-only pages); -EFAULT.</summary>
    long Write(KernelProcess process, ulong remote, ReadOnlySpan<byte> from);

    /// <summary>process_mmap: an anonymous mapping with Linux mmap semantics; the address or -errno.</summary>
    long Map(KernelProcess process, ulong address, ulong length, int prot, int flags);

    /// <summary>process_mprotect with Linux mprotect semantics.</summary>
    long Protect(KernelProcess process, ulong address, ulong length, int prot);

    /// <summary>process_start: the first thread at `entry` with RSP = `stackPointer`; its thread id.</summary>
    long Start(KernelProcess process, ulong entry, ulong stackPointer, ulong brkBase);

    /// <summary>process_fork: a copy of `parent` made for its thread `threadId`, which waits in a forwarded
    /// call; the child's personality endpoint is badged `badge`; `stack` 0 keeps the parent's RSP;
    /// `flags` CLONE_CHILD_SETTID/CLONE_CHILD_CLEARTID at `childTid`. The child runs after StartForked.</summary>
    long Fork(KernelProcess parent, ulong threadId, ulong badge, ulong stack, ulong flags, ulong childTid, out KernelProcess child);

    /// <summary>process_start(child, 0, 0, 0) of a forked child: its thread id.</summary>
    long StartForked(KernelProcess child);

    /// <summary>process_set_pid: getpid() answers `pid` in the process (set before it runs).</summary>
    long SetPid(KernelProcess process, int pid);

    /// <summary>process_signal: `signal` posted to the process with si_code `code`, si_pid `senderPid`,
    /// si_status `status`; if it goes to the thread whose call posix is serving on this thread, that
    /// call is not cancelled (the signal comes with the reply); with `keepForwardedCalls` no forwarded
    /// call of the target is. Signal 0 checks it lives (-ESRCH).</summary>
    long Signal(KernelProcess process, int signal, int code, int senderPid, int status, bool keepForwardedCalls = false);

    /// <summary>process_kill: the process ends with SIGKILL.</summary>
    long Kill(KernelProcess process);

    /// <summary>process_watch: `onExit(waitStatus)` runs once, on some thread, when the process has died.</summary>
    long Watch(KernelProcess process, Action<int> onExit);

    /// <summary>Drops posix's handle of a dead process.</summary>
    void Release(KernelProcess process);
}

/// <summary>mmap's prot and flags values (include/uapi/asm-generic/mman-common.h, mman.h).</summary>
public static class Mman
{
    public const int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    public const int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_TYPE = 0x0F, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20,
        MAP_DENYWRITE = 0x800, MAP_NORESERVE = 0x4000, MAP_FIXED_NOREPLACE = 0x100000;
    public const ulong PageSize = 4096;

    public static ulong PageDown(ulong value) => value & ~(PageSize - 1);
    public static ulong PageUp(ulong value) => (value + PageSize - 1) & ~(PageSize - 1);
}
