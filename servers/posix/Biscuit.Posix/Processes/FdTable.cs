// A process's file-descriptor table: slot -> (open file description, FD_CLOEXEC). POSIX rules kept:
// a new descriptor is the lowest free number (>= a floor for F_DUPFD); the table holds at most
// `Limit` descriptors (RLIMIT_NOFILE, EMFILE past it); dup2 onto an open descriptor closes it first,
// atomically; dup2(fd, fd) is fd, dup3(fd, fd) is EINVAL; every descriptor owns one reference to its
// description (OpenFile.AddReference/DropReference).
// Invariant: `slots` changes only under `gate`; a description's reference is dropped outside the
// lock (its Release may call the fs or net server).
namespace Biscuit.Posix;

public sealed class FdTable
{
    public const int DefaultLimit = 1024, DefaultHardLimit = 4096, MaxLimit = 1 << 20;   // Linux: 1024, 4096, nr_open

    private readonly object gate = new();
    private readonly Dictionary<int, (OpenFile File, bool CloseOnExec)> slots = [];   // guarded by gate
    private int limit;                                                              // guarded by gate: RLIMIT_NOFILE soft
    private int hardLimit = DefaultHardLimit;                                       // guarded by gate: RLIMIT_NOFILE hard

    public FdTable(int limit = DefaultLimit) { this.limit = limit; }

    /// <summary>Told when closing a descriptor released its description (the last reference went), so
    /// that epoll instances drop their registrations of it (epoll(7): "closing the file removes it").</summary>
    public Action<OpenFile>? DescriptionReleased { get; set; }

    private void Drop(OpenFile file)
    {
        if (file.DropReference()) DescriptionReleased?.Invoke(file);
    }

    public int Limit { get { lock (gate) return limit; } set { lock (gate) limit = value; } }
    public int HardLimit { get { lock (gate) return hardLimit; } }

    /// <summary>setrlimit(RLIMIT_NOFILE): soft &lt;= hard &lt;= MaxLimit (EINVAL, as Linux's nr_open check);
    /// raising the hard limit needs privilege (EPERM). Descriptors already open above a lowered
    /// limit stay open, as on Linux.</summary>
    public long SetLimits(ulong soft, ulong hard, bool privileged)
    {
        if (soft > hard || hard > MaxLimit) return -Errno.EINVAL;
        lock (gate)
        {
            if ((int)hard > hardLimit && !privileged) return -Errno.EPERM;
            (limit, hardLimit) = ((int)soft, (int)hard);
            return 0;
        }
    }
    public int Count { get { lock (gate) return slots.Count; } }

    /// <summary>A snapshot of the open file descriptions this table refers to (one per descriptor).</summary>
    public List<OpenFile> Descriptions()
    {
        lock (gate) return slots.Values.Select(s => s.File).ToList();
    }

    /// <summary>Installs `file` (whose reference the caller hands over) at the lowest free number >= floor.</summary>
    public int Add(OpenFile file, bool closeOnExec, int floor = 0)
    {
        lock (gate)
        {
            for (int fd = floor; fd < limit; fd++)
            {
                if (slots.ContainsKey(fd)) continue;
                slots[fd] = (file, closeOnExec);
                return fd;
            }
        }
        file.DropReference();
        return floor >= Limit ? -Errno.EINVAL : -Errno.EMFILE;
    }

    /// <summary>The description `fd` names; EBADF (SyscallFailure) if none.</summary>
    public OpenFile Get(int fd)
    {
        lock (gate)
            if (slots.TryGetValue(fd, out var entry)) return entry.File;
        throw new SyscallFailure(Errno.EBADF);
    }

    public bool TryGet(int fd, out OpenFile file)
    {
        lock (gate)
        {
            bool found = slots.TryGetValue(fd, out var entry);
            file = entry.File;
            return found;
        }
    }

    public long Close(int fd)
    {
        OpenFile file;
        lock (gate)
        {
            if (!slots.Remove(fd, out var entry)) return -Errno.EBADF;
            file = entry.File;
        }
        Drop(file);
        return 0;
    }

    public long GetCloseOnExec(int fd)
    {
        lock (gate) return slots.TryGetValue(fd, out var e) ? (e.CloseOnExec ? Fcntl.FD_CLOEXEC : 0) : -Errno.EBADF;
    }

    public long SetCloseOnExec(int fd, bool on)
    {
        lock (gate)
        {
            if (!slots.TryGetValue(fd, out var e)) return -Errno.EBADF;
            slots[fd] = (e.File, on);
            return 0;
        }
    }

    /// <summary>dup / F_DUPFD / F_DUPFD_CLOEXEC: a new descriptor >= floor for the same description.</summary>
    public long Duplicate(int fd, int floor, bool closeOnExec)
    {
        if (floor < 0) return -Errno.EINVAL;
        OpenFile file;
        lock (gate)
        {
            if (!slots.TryGetValue(fd, out var e)) return -Errno.EBADF;
            if (floor >= limit) return -Errno.EINVAL;
            file = e.File;
            file.AddReference();
        }
        return Add(file, closeOnExec, floor);
    }

    /// <summary>dup2 / dup3: `newFd` names `oldFd`'s description, closing what it named before.</summary>
    public long DuplicateTo(int oldFd, int newFd, bool closeOnExec, bool isDup3)
    {
        OpenFile? replaced = null;
        lock (gate)
        {
            if (!slots.TryGetValue(oldFd, out var e)) return -Errno.EBADF;
            if (newFd < 0 || newFd >= limit) return -Errno.EBADF;
            if (oldFd == newFd) return isDup3 ? -Errno.EINVAL : newFd;
            e.File.AddReference();
            if (slots.TryGetValue(newFd, out var old)) replaced = old.File;
            slots[newFd] = (e.File, closeOnExec);
        }
        if (replaced is not null) Drop(replaced);
        return newFd;
    }

    /// <summary>execve: closes every FD_CLOEXEC descriptor.</summary>
    public void CloseOnExec()
    {
        List<OpenFile> closed = [];
        lock (gate)
        {
            foreach (var (fd, e) in slots.ToList())
                if (e.CloseOnExec) { slots.Remove(fd); closed.Add(e.File); }
        }
        foreach (var f in closed) Drop(f);
    }

    /// <summary>Process exit: closes every descriptor.</summary>
    public void CloseAll()
    {
        List<OpenFile> closed;
        lock (gate)
        {
            closed = slots.Values.Select(e => e.File).ToList();
            slots.Clear();
        }
        foreach (var f in closed) Drop(f);
    }

    /// <summary>fork: a copy naming the same descriptions (each gains a reference).</summary>
    public FdTable Clone()
    {
        var copy = new FdTable(Limit);
        lock (gate) copy.hardLimit = hardLimit;
        lock (gate)
        {
            foreach (var (fd, e) in slots)
            {
                e.File.AddReference();
                copy.slots[fd] = e;
            }
        }
        return copy;
    }

    public IReadOnlyList<int> OpenDescriptors()
    {
        lock (gate) return slots.Keys.Order().ToList();
    }
}
