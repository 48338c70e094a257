// The one door into the kernel: glibc's `syscall(number, a0..a5)`, called through P/Invoke, plus the
// untyped native calls of Syscalls.md. Arguments go in RDI, RSI, RDX, R10, R8, R9 (glibc moves
// them); Biscuit answers with RAX >= 0 or a negative errno.
//
// glibc's wrapper turns a result in [-4095, -1] into -1 and stores the errno in its thread-local
// `errno` (syscall(2)), so a -1 is turned back into -errno here (SetLastError makes the runtime
// capture errno right after the call). No Biscuit call returns -1 as a value: handles, addresses,
// counts and notification bits (bit 63 is never usable) are all non-negative.
//
// NativeAOT: the server program's project MUST list <DirectPInvoke Include="libc" /> so that the
// static binary binds `syscall` at link time. Without it the runtime tries to dlopen "libc"
// (libc.so, liblibc.so... observed with strace) at the first call: on a Linux host the static binary
// then calls into a second glibc whose errno is not the one the runtime reads (observed: ENOSYS
// came back as EPERM), and on Biscuit there is no shared libc to load at all. ErrnoPathWorks() checks this at server start. The calls are not marked SuppressGCTransition:
// several of them block (ipc_call, notify_wait), and a thread blocked in the kernel must be in
// preemptive mode so that the GC can run without it.
using System.Runtime.InteropServices;

namespace Biscuit.Lib.Kernel;

public static partial class Syscalls
{
    /// <summary>Timeout that waits forever (~0 in Syscalls.md).</summary>
    public const ulong Forever = ulong.MaxValue;

    /// <summary>Timeout that does not block (EAGAIN instead of waiting; ipc_call refuses it with EINVAL).</summary>
    public const ulong NoWait = 0;

    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern long LibcSyscall(long number, long a0, long a1, long a2, long a3, long a4, long a5);

    /// <summary>Any system call by number: the non-negative result, or a negative errno.</summary>
    public static long Invoke(long number, long a0 = 0, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0)
    {
        long result = LibcSyscall(number, a0, a1, a2, a3, a4, a5);
        if (result == -1)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno > 0 ? -errno : -1;
        }
        return result;
    }

    private static KernelError Status(long result) => KernelErrors.FromResult(result);

    /// <summary>True when errors come back intact through glibc's errno: handle_close(0) must fail
    /// with EBADF (Biscuit) or ENOSYS (another kernel). Anything else means the binding reads the
    /// wrong errno (a missing DirectPInvoke, see above) and no error from Invoke can be trusted.</summary>
    public static bool ErrnoPathWorks()
    {
        long r = Invoke(SyscallNumbers.HandleClose, 0);
        return r == -(long)KernelError.BadHandle || r == -(long)KernelError.NotImplemented;
    }

    // ---- threads and time ----

    /// <summary>debug_write: bytes to the kernel console. Returns the count written.</summary>
    public static unsafe KernelResult<int> DebugWrite(ReadOnlySpan<byte> text)
    {
        fixed (byte* p = text)
        {
            long r = Invoke(SyscallNumbers.DebugWrite, (long)p, text.Length);
            return r < 0 ? KernelResult<int>.Fail(Status(r)) : KernelResult<int>.Ok((int)r);
        }
    }

    public static KernelError Yield() => Status(Invoke(SyscallNumbers.ThreadYield));

    /// <summary>thread_sleep: at least `milliseconds` (timer resolution 10 ms); Forever sleeps forever.</summary>
    public static KernelError Sleep(ulong milliseconds) => Status(Invoke(SyscallNumbers.ThreadSleep, (long)milliseconds));

    public static KernelError SetPriority(int priority) => Status(Invoke(SyscallNumbers.ThreadSetPriority, priority));

    /// <summary>clock_ticks: timer ticks since boot (100 Hz).</summary>
    public static KernelResult<ulong> ClockTicks()
    {
        long r = Invoke(SyscallNumbers.ClockTicks);
        return r < 0 ? KernelResult<ulong>.Fail(Status(r)) : KernelResult<ulong>.Ok((ulong)r);
    }

    /// <summary>system_info: the kernel's counters (frames, ticks, context switches, free pool slots).</summary>
    public static unsafe KernelResult<SystemInfo> GetSystemInfo()
    {
        SystemInfo info = default;
        long r = Invoke(SyscallNumbers.SystemInfo, (long)&info, sizeof(SystemInfo));
        return r < 0 ? KernelResult<SystemInfo>.Fail(Status(r)) : KernelResult<SystemInfo>.Ok(info);
    }

    /// <summary>ipc_buffer: the user address of the calling thread's 4 KiB IPC buffer.</summary>
    public static KernelResult<nint> IpcBufferAddress()
    {
        long r = Invoke(SyscallNumbers.IpcBuffer);
        return r < 0 ? KernelResult<nint>.Fail(Status(r)) : KernelResult<nint>.Ok((nint)r);
    }

    // ---- memory ----

    /// <summary>memory_map: `pages` zeroed pages at `address` (page aligned), all or nothing.</summary>
    public static KernelError MapMemory(nint address, long pages, bool writable) =>
        Status(Invoke(SyscallNumbers.MemoryMap, address, pages, writable ? 1 : 0));

    public static KernelError UnmapMemory(nint address, long pages) =>
        Status(Invoke(SyscallNumbers.MemoryUnmap, address, pages));

    // ---- IPC on the calling thread's buffer (the typed forms are on Endpoint) ----

    internal static KernelError Call(uint endpoint, ulong timeoutMs) => Status(Invoke(SyscallNumbers.IpcCall, endpoint, (long)timeoutMs));
    internal static KernelError Send(uint endpoint, ulong timeoutMs) => Status(Invoke(SyscallNumbers.IpcSend, endpoint, (long)timeoutMs));
    internal static KernelError Receive(uint endpoint, ulong timeoutMs) => Status(Invoke(SyscallNumbers.IpcRecv, endpoint, (long)timeoutMs));
    internal static KernelError ReplyReceive(uint endpoint, ulong timeoutMs) => Status(Invoke(SyscallNumbers.IpcReplyRecv, endpoint, (long)timeoutMs));

    /// <summary>ipc_reply: the calling thread's buffer goes to the caller it owes a reply (ESRCH if none).</summary>
    public static KernelError Reply() => Status(Invoke(SyscallNumbers.IpcReply));
}
