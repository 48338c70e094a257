// Every application process posix serves, by pid. The pid is also the badge of the process's
// personality endpoint handle, so a forwarded call finds its process in one lookup.
// Invariants: pids are never reused while posix runs (they count up from 1... wrapping is not
// handled below 2^31); a process leaves the table when its kernel process died, after its
// descriptors were closed (Exit).
namespace Biscuit.Posix;

public sealed class ProcessTable
{
    private readonly object gate = new();
    private readonly Dictionary<int, PosixProcess> processes = [];   // guarded by gate
    private int lastPid;                                            // guarded by gate

    public int Count { get { lock (gate) return processes.Count; } }

    public int NextPid()
    {
        lock (gate) return ++lastPid;
    }

    public void Add(PosixProcess process)
    {
        lock (gate) processes.Add(process.Pid, process);
    }

    public PosixProcess? Find(ulong badge)
    {
        if (badge == 0 || badge > int.MaxValue) return null;
        lock (gate) return processes.TryGetValue((int)badge, out var p) ? p : null;
    }

    /// <summary>The process /proc names `visiblePid` (PosixProcess.VisiblePid), or null.</summary>
    public PosixProcess? FindVisible(int visiblePid)
    {
        lock (gate) return processes.Values.FirstOrDefault(p => p.VisiblePid == visiblePid);
    }

    public IReadOnlyList<PosixProcess> All()
    {
        lock (gate) return processes.Values.OrderBy(p => p.Pid).ToList();
    }

    /// <summary>The process died: its descriptors close (sockets, pipes, fs nodes are released) and
    /// it leaves the table. Idempotent.</summary>
    public void Exit(int pid)
    {
        PosixProcess? p;
        lock (gate)
        {
            if (!processes.Remove(pid, out p)) return;
        }
        lock (p.Gate) p.Exited = true;
        p.Fds.CloseAll();
    }
}
