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
            Check(Kernel.SetPersonality(fresh, (ulong)process.Pid));
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
            process.Arguments = arguments.ToList();
        }
        if (!personalitySet) Check(Kernel.SetPersonality(kernelProcess, (ulong)process.Pid));
        Check(Kernel.Watch(kernelProcess, status => KernelProcessDied(process, kernelProcess, status)));
        Check(Kernel.Start(kernelProcess, loaded.Entry, loaded.StackPointer, loaded.BrkBase));
    }

    private void KernelProcessDied(PosixProcess process, KernelProcess kernelProcess, int status)
    {
        bool current;
        lock (process.Gate) current = process.Kernel == kernelProcess;
        Kernel.Release(kernelProcess);
        if (!current) return;
        Services.Log($"posix: pid {process.Pid} ({Path.GetFileName(process.ExecutablePath)}) ended, wait status {status}");
        Processes.Exit(process.Pid);
    }

    private static void Check(long result)
    {
        if (result < 0) throw new SyscallFailure((int)-result);
    }
}
