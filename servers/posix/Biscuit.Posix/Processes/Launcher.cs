// Starting programs: Spawn makes a new application process (the first one, nginx, is spawned by
// the server program), Exec replaces the program of an existing one (execve). Both build a fresh
// kernel process (process_create), load the ELF into it, set its personality endpoint badged with the
// posix pid, start it and watch it. execve cannot empty an address space with the kernel calls posix
// has, so the pid moves to the new kernel process and the old one is killed: descriptors (minus
// FD_CLOEXEC), working directory, credentials and parentage are kept, as execve(2) keeps them.
// Invariant: a kernel process's death ends its posix process only while it is still that process's
// kernel process (an exec'd-away one dies silently); a failed load kills the half-built process and
// leaves the caller untouched (execve returns the error).
namespace Biscuit.Posix;

public sealed partial class Personality
{
    /// <summary>Hardware capabilities for AT_HWCAP (CPUID.1:EDX on x86-64); the server sets the real value.</summary>
    public ulong HardwareCapabilities { get; set; }

    /// <summary>Starts `path` as a new process with descriptors 0, 1, 2 on /dev/console; its pid or -errno.</summary>
    public long Spawn(string path, IReadOnlyList<string> arguments, IReadOnlyList<string> environment)
    {
        int pid = Processes.NextPid();
        long created = Kernel.Create(Path.GetFileName(path), out var kernelProcess);
        if (created < 0) return created;
        var process = new PosixProcess(pid, 0, kernelProcess, new FdTable(), Kernel) { ProcessGroup = pid, Session = pid };
        try
        {
            for (int fd = 0; fd < 3; fd++)
                process.Fds.Add(Files.Open(process, "/dev/console", O.RDWR, 0), closeOnExec: false);
            Processes.Add(process);
            StartIn(process, kernelProcess, path, arguments, environment);
            return pid;
        }
        catch (SyscallFailure failure)
        {
            Services.Log($"posix: starting {path} failed: {failure.Message}");
            Kernel.Kill(kernelProcess);
            Kernel.Release(kernelProcess);
            Processes.Exit(pid);
            process.Fds.CloseAll();
            return -failure.Errno;
        }
    }

    /// <summary>execve(2) by `process`: on success the caller's kernel process is gone (no reply reaches it).
    /// Everything that can fail for a bad program happens before the commit point; a kernel failure
    /// after it (watch or start of the new process) ends the process, as a failed execve past the
    /// point of no return does on Linux.</summary>
    public long Exec(PosixProcess process, string path, IReadOnlyList<string> arguments, IReadOnlyList<string> environment)
    {
        long created = Kernel.Create(Path.GetFileName(path), out var fresh);
        if (created < 0) return created;
        KernelProcess old = process.Kernel;
        LoadedProgram loaded;
        try
        {
            loaded = ProgramLoader.Load(this, process, fresh, path, arguments, environment, HardwareCapabilities);
            Adopt(fresh, process.Pid);
        }
        catch (SyscallFailure failure)
        {
            Kernel.Kill(fresh);
            Kernel.Release(fresh);
            return -failure.Errno;
        }
        // The point of no return.
        process.Fds.CloseOnExec();
        process.ReplaceKernelProcess(fresh);
        try
        {
            Begin(process, fresh, path, arguments, loaded, personalitySet: true);
        }
        catch (SyscallFailure failure)
        {
            Services.Log($"posix: pid {process.Pid} could not start {path} after its old image was given up: errno {failure.Errno}");
            Kernel.Kill(fresh);
            Kernel.Kill(old);
            Processes.Exit(process.Pid);
            return -failure.Errno;
        }
        Kernel.Kill(old);
        return 0;
    }

    public const ulong CloneVm = 0x100, CloneVfork = 0x4000, CloneParentSetTid = 0x100000, CloneChildClearTid = 0x200000,
        CloneChildSetTid = 0x01000000, CloneExitSignalMask = 0xFF;

    /// <summary>fork(2)/vfork(2)/clone(2) without CLONE_VM, by thread `threadId` of `parent` (Syscalls.md
    /// "fork"): the kernel copies the address space (process_fork); posix gives the child a copy of the
    /// descriptor table (descriptions shared), working directory, umask, credentials, process group and
    /// session, watches it, starts it. vfork is served as fork. The child's pid, or -errno.</summary>
    public long Fork(PosixProcess parent, ulong threadId, ulong flags, ulong newStack, ulong parentTid, ulong childTid)
    {
        ulong served = CloneExitSignalMask | CloneChildSetTid | CloneChildClearTid | CloneParentSetTid | CloneVfork;
        if ((flags & ~served) != 0) return -Errno.EINVAL;
        int pid = Processes.NextPid();
        long forked = Kernel.Fork(parent.Kernel, threadId, (ulong)pid, newStack, flags & (CloneChildSetTid | CloneChildClearTid), childTid, out var kernelChild);
        if (forked < 0) return forked;
        var child = new PosixProcess(pid, parent.Pid, kernelChild, parent.Fds.Clone(), Kernel);
        lock (parent.Gate)
        {
            child.WorkingDirectory = parent.WorkingDirectory;
            child.Umask = parent.Umask;
            child.Credentials.CopyFrom(parent.Credentials);
            child.ProcessGroup = parent.ProcessGroup;
            child.Session = parent.Session;
            child.ExecutablePath = parent.ExecutablePath;
            child.Arguments = parent.Arguments;
            child.CommandName = parent.CommandName;
            child.Dumpable = parent.Dumpable;      // PR_SET_PDEATHSIG is not inherited (prctl(2))
        }
        Processes.Add(child);
        long watched = Kernel.SetPid(kernelChild, pid);
        if (watched >= 0) watched = Kernel.Watch(kernelChild, status => KernelProcessDied(child, kernelChild, status));
        long inherited = watched < 0 || Files.SharedFiles is null ? watched : Files.SharedFiles.Inherit(parent.Kernel, kernelChild);   // MAP_SHARED file mappings
        long threadOfChild = inherited < 0 ? inherited : Kernel.StartForked(kernelChild);
        if (threadOfChild < 0)
        {
            Kernel.Kill(kernelChild);
            if (watched < 0) Kernel.Release(kernelChild);   // no watcher will
            Processes.Exit(pid);
            return threadOfChild;
        }
        if ((flags & CloneParentSetTid) != 0) parent.Memory.WriteU32(parentTid, (uint)threadOfChild);
        return pid;
    }

    private void StartIn(PosixProcess process, KernelProcess kernelProcess, string path, IReadOnlyList<string> arguments, IReadOnlyList<string> environment)
    {
        var loaded = ProgramLoader.Load(this, process, kernelProcess, path, arguments, environment, HardwareCapabilities);
        Begin(process, kernelProcess, path, arguments, loaded);
    }

    private void Begin(PosixProcess process, KernelProcess kernelProcess, string path, IReadOnlyList<string> arguments, LoadedProgram loaded,
        bool personalitySet = false)
    {
        lock (process.Gate)
        {
            process.ExecutablePath = path;
            string name = Path.GetFileName(path);
            process.CommandName = name.Length < SignalCalls.NameBytes ? name : name[..(SignalCalls.NameBytes - 1)];
            process.Arguments = arguments.ToList();
        }
        if (!personalitySet) Adopt(kernelProcess, process.Pid);
        Check(Kernel.Watch(kernelProcess, status => KernelProcessDied(process, kernelProcess, status)));
        Check(Kernel.Start(kernelProcess, loaded.Entry, loaded.StackPointer, loaded.BrkBase));
    }

    /// <summary>The kernel process runs program `pid`: its non-core calls come to posix badged with the
    /// pid, and getpid() answers the pid (across execve too, which makes a new kernel process).</summary>
    private void Adopt(KernelProcess kernelProcess, int pid)
    {
        Check(Kernel.SetPersonality(kernelProcess, (ulong)pid));
        Check(Kernel.SetPid(kernelProcess, pid));
    }

    private void KernelProcessDied(PosixProcess process, KernelProcess kernelProcess, int status)
    {
        bool current;
        lock (process.Gate) current = process.Kernel == kernelProcess;
        Files.SharedFiles?.ProcessGone(kernelProcess);   // before the handle goes: write back, revoke its grants
        Kernel.Release(kernelProcess);
        if (!current) return;
        Services.Log($"posix: pid {process.Pid} ({Path.GetFileName(process.ExecutablePath)}) ended, wait status {status}");
        Processes.Exit(process.Pid, status);
    }

    private static void Check(long result)
    {
        if (result < 0) throw new SyscallFailure((int)-result);
    }
}
