// Every application process posix serves, by pid. The pid is also the badge of the process's
// personality endpoint handle, so a forwarded call finds its process in one lookup.
// Invariants: pids are never reused while posix runs (they count up from 1... wrapping is not
// handled below 2^31); a process leaves the table when its kernel process died, after its
// descriptors were closed (Exit), and its wait status goes to its parent for wait4.
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
    public void Exit(int pid, int waitStatus = 0)
    {
        PosixProcess? p, parent;
        lock (gate) processes.TryGetValue(pid, out p);
        if (p is null) return;
        lock (p.Gate)
        {
            if (p.Exited) return;   // once
            p.Exited = true;
        }
        p.Fds.CloseAll();           // as Linux: files close before the parent can reap the child
        List<PosixProcess> orphans;
        lock (gate)
        {
            processes.TryGetValue(p.ParentPid, out parent);
            orphans = processes.Values.Where(c => c.ParentPid == pid).ToList();
        }
        parent?.ChildExited(pid, waitStatus);   // before leaving the table: wait4 never sees neither
        lock (gate) processes.Remove(pid);
        if (parent is not null) Personality.PostChildExit(parent, pid, waitStatus);   // after: its handler's wait4 finds the zombie
        foreach (var orphan in orphans)
        {
            int deathSignal;
            lock (orphan.Gate)
            {
                orphan.ParentPid = 0;   // no init adopts them
                deathSignal = orphan.ParentDeathSignal;
            }
            if (deathSignal != 0) Personality.PostParentDeath(orphan, deathSignal);
        }
    }

    /// <summary>Whether `parent` has a live child that `matches` accepts (wait4's ECHILD test).</summary>
    public bool HasLiveChild(int parent, Func<PosixProcess, bool> matches)
    {
        lock (gate) return processes.Values.Any(c => c.ParentPid == parent && matches(c));
    }
}
