// What posix knows of one application process: its pid (also the badge of its personality
// endpoint), parent, kernel process, descriptor table, working directory, umask, credentials, and
// the program it runs (for /proc/self). Invariant: the mutable fields are guarded by `Gate`; the
// FdTable guards itself; `Kernel` changes only at execve, under `Gate`.
namespace Biscuit.Posix;

public sealed class PosixProcess
{
    public PosixProcess(int pid, int parentPid, KernelProcess kernel, FdTable fds, IProcessKernel kernelCalls)
    {
        Pid = pid;
        ParentPid = parentPid;
        Kernel = kernel;
        Fds = fds;
        KernelCalls = kernelCalls;
        Memory = new UserMemory(kernelCalls, kernel);
        fds.DescriptionReleased = ForgetInEpolls;
    }

    private readonly List<(int Pid, int Status)> exitedChildren = [];   // guarded by Gate: zombies for wait4

    /// <summary>A child ended: its wait status waits for wait4; waiters are woken.</summary>
    public void ChildExited(int pid, int status)
    {
        lock (Gate)
        {
            exitedChildren.Add((pid, status));
            Monitor.PulseAll(Gate);
        }
    }

    /// <summary>Takes the first exited child `matches` accepts (wait4's pid rules), under Gate.</summary>
    public bool TryReap(Func<int, bool> matches, out (int Pid, int Status) child)
    {
        lock (Gate)
        {
            int i = exitedChildren.FindIndex(c => matches(c.Pid));
            child = i >= 0 ? exitedChildren[i] : default;
            if (i >= 0) exitedChildren.RemoveAt(i);
            return i >= 0;
        }
    }

    /// <summary>Waits up to `milliseconds` for a child to exit (woken by ChildExited).</summary>
    public void WaitForChildExit(int milliseconds)
    {
        lock (Gate) Monitor.Wait(Gate, milliseconds);
    }

    private readonly List<EpollFile> epolls = [];          // guarded by Gate: this process's epoll instances

    public void AddEpoll(EpollFile epoll) { lock (Gate) epolls.Add(epoll); }
    public void RemoveEpoll(EpollFile epoll) { lock (Gate) epolls.Remove(epoll); }

    /// <summary>A released description leaves every epoll instance of the process.</summary>
    private void ForgetInEpolls(OpenFile file)
    {
        EpollFile[] current;
        lock (Gate) current = epolls.ToArray();
        foreach (var e in current) e.Instance.ForgetTarget(file);
    }

    public object Gate { get; } = new();
    public int Pid { get; }
    public int ParentPid { get; set; }                     // guarded by Gate (0 once the parent is gone)
    public IProcessKernel KernelCalls { get; }
    public KernelProcess Kernel { get; private set; }      // guarded by Gate
    public UserMemory Memory { get; private set; }         // guarded by Gate (follows Kernel)
    public FdTable Fds { get; }
    public string WorkingDirectory { get; set; } = "/";    // guarded by Gate
    public uint Umask { get; set; } = 0x12;                // guarded by Gate (022)
    public Credentials Credentials { get; } = new();       // guarded by Gate
    public int ProcessGroup { get; set; }                  // guarded by Gate
    public int Session { get; set; }                       // guarded by Gate
    public string ExecutablePath { get; set; } = "";       // guarded by Gate
    public IReadOnlyList<string> Arguments { get; set; } = [];   // guarded by Gate
    public bool Exited { get; set; }                       // guarded by Gate
    public string CommandName { get; set; } = "";          // guarded by Gate: prctl(PR_SET_NAME); execve sets the file name
    public bool Dumpable { get; set; } = true;             // guarded by Gate: prctl(PR_SET_DUMPABLE) (Biscuit writes no core files)
    public int ParentDeathSignal { get; set; }             // guarded by Gate: prctl(PR_SET_PDEATHSIG), posted when the parent ends

    /// <summary>The number /proc shows: the pid, which the kernel also answers getpid() with
    /// (process_set_pid is made before a process runs).</summary>
    public int VisiblePid => Pid;

    /// <summary>execve replaced the kernel process that runs this program.</summary>
    public void ReplaceKernelProcess(KernelProcess kernel)
    {
        lock (Gate)
        {
            Kernel = kernel;
            Memory = new UserMemory(KernelCalls, kernel);
        }
    }
}
