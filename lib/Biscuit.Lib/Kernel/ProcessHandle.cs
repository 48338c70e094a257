// A process capability (Syscalls.md "Processes"): spawn a boot module, watch for its death through
// a notification, read its wait status, kill it. init's reincarnation logic is built on these.
using System.Text;

namespace Biscuit.Lib.Kernel;

public readonly record struct ProcessHandle(Handle Handle)
{
    public const int MaxNameBytes = 32, MaxArgumentBytes = 2048, MaxHandles = 8;

    /// <summary>process_spawn: starts boot module `name` with NUL-separated `arguments` (empty: argv = name)
    /// and up to 8 handles (each needs Transfer) copied into the child's slots 0... Invalid lengths are
    /// refused here with the kernel's own errors (ENAMETOOLONG, E2BIG, EINVAL) without a system call.</summary>
    public static unsafe KernelResult<ProcessHandle> Spawn(string name, ReadOnlySpan<string> arguments, ReadOnlySpan<Handle> handles)
    {
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        if (nameBytes.Length == 0 || nameBytes.Length > MaxNameBytes) return KernelResult<ProcessHandle>.Fail(KernelError.NameTooLong);
        if (handles.Length > MaxHandles) return KernelResult<ProcessHandle>.Fail(KernelError.InvalidArgument);
        var args = new List<byte>();
        foreach (string a in arguments)
        {
            args.AddRange(Encoding.UTF8.GetBytes(a));
            args.Add(0);
        }
        if (args.Count > MaxArgumentBytes) return KernelResult<ProcessHandle>.Fail(KernelError.ArgumentListTooLong);
        byte[] argBytes = args.ToArray();
        Span<uint> raw = stackalloc uint[MaxHandles];
        for (int i = 0; i < handles.Length; i++) raw[i] = handles[i].Value;
        fixed (byte* n = nameBytes)
        fixed (byte* a = argBytes)
        fixed (uint* h = raw)
        {
            long r = Syscalls.Invoke(SyscallNumbers.ProcessSpawn, (long)n, nameBytes.Length, argBytes.Length == 0 ? 0 : (long)a,
                argBytes.Length, (long)h, handles.Length);
            return r < 0 ? KernelResult<ProcessHandle>.Fail(KernelErrors.FromResult(r)) : KernelResult<ProcessHandle>.Ok(new ProcessHandle(new Handle((uint)r)));
        }
    }

    /// <summary>process_watch: signal `bits` on `notification` when the process dies (at once if dead).</summary>
    public KernelError Watch(Notification notification, ulong bits) =>
        KernelErrors.FromResult(Syscalls.Invoke(SyscallNumbers.ProcessWatch, Handle.Value, notification.Handle.Value, (long)bits));

    /// <summary>process_status: the wait status (exit code << 8, or the signal number); EAGAIN while alive.</summary>
    public KernelResult<int> Status()
    {
        long r = Syscalls.Invoke(SyscallNumbers.ProcessStatus, Handle.Value);
        return r < 0 ? KernelResult<int>.Fail(KernelErrors.FromResult(r)) : KernelResult<int>.Ok((int)r);
    }

    /// <summary>process_kill: the process ends with SIGKILL.</summary>
    public KernelError Kill() => KernelErrors.FromResult(Syscalls.Invoke(SyscallNumbers.ProcessKill, Handle.Value));

    public KernelError Close() => Handle.Close();

    /// <summary>process_exit: ends the calling process with `status`; does not return on Biscuit.</summary>
    public static KernelError ExitCurrent(int status) => KernelErrors.FromResult(Syscalls.Invoke(SyscallNumbers.ProcessExit, status));
}
