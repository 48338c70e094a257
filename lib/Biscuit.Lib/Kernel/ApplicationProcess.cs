// An application process as posix builds and serves it (Syscalls.md "Application processes",
// issue 7): made empty with process_create, filled with process_mmap/process_write, given a
// personality endpoint, started with process_start — or copied from a running one with process_fork
// (then started with StartForked). Its memory is reached with process_read / process_write (bounded
// copies; the kernel faults demand pages in and never touches kernel pages).
// Invariant: every method is one system call; errors are values (Linux errno numbers), never exceptions.
using System.Text;

namespace Biscuit.Lib.Kernel;

public readonly record struct ApplicationProcess(Handle Handle)
{
    public const int MaxNameBytes = ProcessHandle.MaxNameBytes, MaxHandles = ProcessHandle.MaxHandles;

    /// <summary>Linux mmap/mprotect protection bits (mman-common.h).</summary>
    public const int ProtNone = 0, ProtRead = 1, ProtWrite = 2, ProtExec = 4;

    /// <summary>Linux mmap flags (mman-common.h, x86-64 values).</summary>
    public const int MapShared = 0x01, MapPrivate = 0x02, MapFixed = 0x10, MapAnonymous = 0x20, MapFixedNoReplace = 0x100000;

    /// <summary>The same capability as a ProcessHandle (watch, status, kill).</summary>
    public ProcessHandle AsProcess => new(Handle);

    /// <summary>process_create: a new process with an empty user address space and no thread; `handles`
    /// (each needs Transfer) go into its slots 0.. as for process_spawn. Returns a handle with Control,
    /// Transfer and Duplicate. ENAMETOOLONG / EINVAL are answered here without a system call.</summary>
    public static unsafe KernelResult<ApplicationProcess> Create(string name, ReadOnlySpan<Handle> handles)
    {
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        if (nameBytes.Length == 0 || nameBytes.Length > MaxNameBytes) return KernelResult<ApplicationProcess>.Fail(KernelError.NameTooLong);
        if (handles.Length > MaxHandles) return KernelResult<ApplicationProcess>.Fail(KernelError.InvalidArgument);
        Span<uint> raw = stackalloc uint[MaxHandles];
        for (int i = 0; i < handles.Length; i++) raw[i] = handles[i].Value;
        fixed (byte* n = nameBytes)
        fixed (uint* h = raw)
        {
            long r = Syscalls.Invoke(SyscallNumbers.ProcessCreate, (long)n, nameBytes.Length, (long)h, handles.Length);
            return r < 0 ? KernelResult<ApplicationProcess>.Fail(KernelErrors.FromResult(r))
                : KernelResult<ApplicationProcess>.Ok(new ApplicationProcess(new Handle((uint)r)));
        }
    }

    /// <summary>process_set_personality: from now on the process's non-core Linux calls are forwarded to
    /// `endpoint` (the handle needs Send; its badge names the process in every ForwardedCall).</summary>
    public KernelError SetPersonality(Endpoint endpoint) =>
        KernelErrors.FromResult(Syscalls.Invoke(SyscallNumbers.ProcessSetPersonality, Handle.Value, endpoint.Handle.Value));

    /// <summary>process_read: copies from the process's memory at `remoteAddress` into `destination`;
    /// the count copied, or EFAULT if any page of the range is not a user mapping.</summary>
    public unsafe KernelResult<int> Read(ulong remoteAddress, Span<byte> destination)
    {
        fixed (byte* d = destination)
            return Count(Syscalls.Invoke(SyscallNumbers.ProcessRead, Handle.Value, (long)remoteAddress, (long)d, destination.Length));
    }

    /// <summary>process_write: copies `source` into the process at `remoteAddress`, even into pages the
    /// process may only read (as ptrace's POKEDATA does), never into kernel pages; EFAULT.</summary>
    public unsafe KernelResult<int> Write(ulong remoteAddress, ReadOnlySpan<byte> source)
    {
        fixed (byte* s = source)
            return Count(Syscalls.Invoke(SyscallNumbers.ProcessWrite, Handle.Value, (long)remoteAddress, (long)s, source.Length));
    }

    /// <summary>process_mmap: Linux mmap of anonymous memory in the process (MAP_FIXED, MAP_PRIVATE,
    /// MAP_SHARED|MAP_ANONYMOUS, hints): the address chosen, or the Linux error.</summary>
    public KernelResult<ulong> Map(ulong address, ulong length, int prot, int flags)
    {
        long r = Syscalls.Invoke(SyscallNumbers.ProcessMmap, Handle.Value, (long)address, (long)length, prot, flags);
        return r < 0 ? KernelResult<ulong>.Fail(KernelErrors.FromResult(r)) : KernelResult<ulong>.Ok((ulong)r);
    }

    /// <summary>process_mprotect: Linux mprotect in the process.</summary>
    public KernelError Protect(ulong address, ulong length, int prot) =>
        KernelErrors.FromResult(Syscalls.Invoke(SyscallNumbers.ProcessMprotect, Handle.Value, (long)address, (long)length, prot));

    /// <summary>process_start: the first thread, at `entry` with RSP = `stackPointer` and every other
    /// general register 0 (System V process entry, RDX = 0). `brkBase` (page aligned) is where brk's heap
    /// starts; 0 makes brk always fail. Returns the first thread's Linux tid (the pid set by SetPid, else the kernel's process id).</summary>
    public KernelResult<long> Start(ulong entry, ulong stackPointer, ulong brkBase)
    {
        long r = Syscalls.Invoke(SyscallNumbers.ProcessStart, Handle.Value, (long)entry, (long)stackPointer, (long)brkBase);
        return r < 0 ? KernelResult<long>.Fail(KernelErrors.FromResult(r)) : KernelResult<long>.Ok(r);
    }

    /// <summary>clone flags process_fork honours in the child (Linux values, include/uapi/linux/sched.h).</summary>
    public const ulong CloneChildClearTid = 0x0020_0000, CloneChildSetTid = 0x0100_0000;

    /// <summary>process_fork: a copy of this process made for its thread `threadId`, which waits in a
    /// forwarded clone/fork/vfork (Syscalls.md "fork"): private pages copied, MAP_SHARED|MAP_ANONYMOUS pages
    /// shared, signal actions and brk inherited; one suspended thread with the caller's registers and RAX = 0
    /// (RSP = `stack` unless 0). `personality` (needs Send) becomes the child's personality endpoint.
    /// `flags`: 0 or CloneChildSetTid / CloneChildClearTid at `childTid`. Run the child with StartForked.
    /// ESRCH (no such waiting thread), EINVAL, EFAULT, ENOMEM (all or nothing), EMFILE.</summary>
    public KernelResult<ApplicationProcess> Fork(ulong threadId, Endpoint personality, ulong stack, ulong flags, ulong childTid)
    {
        long r = Syscalls.Invoke(SyscallNumbers.ProcessFork, Handle.Value, (long)threadId, personality.Handle.Value,
            (long)stack, (long)flags, (long)childTid);
        return r < 0 ? KernelResult<ApplicationProcess>.Fail(KernelErrors.FromResult(r))
            : KernelResult<ApplicationProcess>.Ok(new ApplicationProcess(new Handle((uint)r)));
    }

    /// <summary>process_start(child, 0, 0, 0) for a child of Fork: its thread runs; returns its Linux tid
    /// (the pid set by SetPid: what CLONE_PARENT_SETTID stores in the parent).</summary>
    public KernelResult<long> StartForked() => Start(0, 0, 0);

    public KernelError Kill() => AsProcess.Kill();

    /// <summary>process_set_pid: the Linux pid getpid answers in this process (and kill/tgkill accept as
    /// its own); EINVAL outside 1..2^31-1.</summary>
    public KernelError SetPid(int pid) =>
        KernelErrors.FromResult(Syscalls.Invoke(SyscallNumbers.ProcessSetPid, Handle.Value, pid));

    /// <summary>process_signal: posts `signal` to the process as kill(2) or a child's death would, with
    /// si_code `code`, si_pid `senderPid`, si_status `status`; signal 0 only checks that it lives. With
    /// `keepForwardedCalls` a forwarded call the thread waits in is not cancelled by it.</summary>
    public KernelError Signal(int signal, int code, int senderPid, int status, bool keepForwardedCalls = false) =>
        KernelErrors.FromResult(Syscalls.Invoke(SyscallNumbers.ProcessSignal, Handle.Value, signal, code, senderPid, status, keepForwardedCalls ? 1 : 0));

    public KernelError Close() => Handle.Close();

    private static KernelResult<int> Count(long r) =>
        r < 0 ? KernelResult<int>.Fail(KernelErrors.FromResult(r)) : KernelResult<int>.Ok((int)r);
}
