// An open file description (POSIX "open file description"): what several file descriptors share
// after dup or fork — the status flags (O_NONBLOCK, O_APPEND, access mode) and, for seekable files,
// the position. Subclasses: regular files and directories of fs, /dev and /proc files, pipe ends,
// sockets, eventfds, epoll instances.
// Invariants: a description is released (Release) exactly once, when the last descriptor naming it
// closes (reference count under `gate`); operations a kind does not support answer the errno Linux
// gives for them (EINVAL, ESPIPE, ENOTDIR, ENOTSOCK...), never throw. "Would block" is -EAGAIN: the
// caller (Calls/Blocking.cs) waits for readiness unless the description is non-blocking.
using Biscuit.Posix.Events;

namespace Biscuit.Posix;

public abstract class OpenFile : IPollable
{
    private readonly object gate = new();
    private int references = 1;          // guarded by gate: descriptors naming this description
    private int statusFlags;             // guarded by gate: access mode | O_APPEND | O_NONBLOCK ...
    protected readonly ReadinessObservers Observers = new();   // the events library's subscriber list
    private int owner;                   // guarded by gate: F_SETOWN's pid (negative: a process group), 0: none
    private SignalDrivenIo? signalDriven;   // guarded by gate: subscribed while O_ASYNC is on

    protected OpenFile(int statusFlags) { this.statusFlags = statusFlags & ~(O.CLOEXEC | O.CREAT | O.EXCL | O.TRUNC | O.NOCTTY); }

    public int StatusFlags { get { lock (gate) return statusFlags; } }
    public bool NonBlocking => (StatusFlags & O.NONBLOCK) != 0;
    public bool CanRead => (StatusFlags & O.ACCMODE) != O.WRONLY;
    public bool CanWrite => (StatusFlags & O.ACCMODE) is O.WRONLY or O.RDWR;

    /// <summary>F_SETFL: only the settable status bits change (fs/fcntl.c setfl).</summary>
    public void SetStatusFlags(int flags)
    {
        lock (gate) statusFlags = (statusFlags & ~O.SettableStatus) | (flags & O.SettableStatus);
    }

    public void SetNonBlocking(bool on)
    {
        lock (gate) statusFlags = on ? statusFlags | O.NONBLOCK : statusFlags & ~O.NONBLOCK;
    }

    /// <summary>F_GETOWN / F_SETOWN: who gets SIGIO (a pid, or a process group as a negative number).</summary>
    public int Owner
    {
        get { lock (gate) return owner; }
        set { lock (gate) owner = value; }
    }

    /// <summary>O_ASYNC (FIOASYNC, F_SETFL): while on, each readiness change of this description calls
    /// `postSigio(owner)` (fs/fcntl.c send_sigio: the owner gets SIGIO when I/O becomes possible).</summary>
    public void SetAsync(bool on, Action<int> postSigio)
    {
        SignalDrivenIo? added = null, removed = null;
        lock (gate)
        {
            if (on && signalDriven is null) { signalDriven = added = new SignalDrivenIo(this, postSigio); statusFlags |= O.ASYNC; }
            else if (!on && signalDriven is not null) { removed = signalDriven; signalDriven = null; statusFlags &= ~O.ASYNC; }
        }
        if (added is not null) Subscribe(added);
        if (removed is not null) Unsubscribe(removed);
    }

    public void AddReference() { lock (gate) references++; }

    /// <summary>Drops one descriptor's reference; the last one releases the description (true then).</summary>
    public bool DropReference()
    {
        bool last;
        lock (gate) last = --references == 0;
        if (last) Release();
        return last;
    }

    /// <summary>Frees what the description holds (an fs node, a socket, a pipe end). Called once.</summary>
    protected virtual void Release() { }

    public virtual long Read(Span<byte> into) => -Errno.EINVAL;
    public virtual long Write(ReadOnlySpan<byte> from) => -Errno.EINVAL;
    public virtual long ReadAt(Span<byte> into, long offset) => -Errno.ESPIPE;
    public virtual long WriteAt(ReadOnlySpan<byte> from, long offset) => -Errno.ESPIPE;
    public virtual long Seek(long offset, int whence) => -Errno.ESPIPE;
    public virtual long Truncate(long size) => -Errno.EINVAL;
    public virtual long Sync() => -Errno.EINVAL;
    public abstract FileStatus Status();
    /// <summary>ioctl requests other than the generic ones (FIONBIO...). -ENOTTY when unknown.</summary>
    public virtual long Control(uint request, ulong argument, UserMemory memory) => -Errno.ENOTTY;
    /// <summary>The path this description was opened by, for /proc/self/fd and fchdir.</summary>
    public virtual string? Path => null;

    // Readiness: level state now, and edges to subscribers (the events library's IPollable).
    public virtual Readiness CurrentReadiness() => Readiness.In | Readiness.Out;
    public virtual void Subscribe(IReadinessObserver observer) => Observers.Add(observer);
    public virtual void Unsubscribe(IReadinessObserver observer) => Observers.Remove(observer);
    protected void ReadinessChanged() => Observers.Notify(this, CurrentReadiness());
}

/// <summary>What fstat reports of a description (the x86-64 struct stat fields posix fills).</summary>
public readonly record struct FileStatus(ulong Device, ulong Inode, uint Mode, uint Links, uint Uid, uint Gid,
    ulong RDevice, long Size, long BlockSize, long Blocks512, long AccessTime, long ModifyTime, long ChangeTime)
{
    public static FileStatus FromFs(FsAttributes a) =>
        new(FsDevice, a.Inode, a.Mode, a.Links, a.Uid, a.Gid, 0, a.Size, 4096, a.Blocks512, a.AccessTime, a.ModifyTime, a.ChangeTime);

    /// <summary>A character device or pipe status with a synthetic inode.</summary>
    public static FileStatus Synthetic(uint mode, ulong inode, ulong rdev = 0, long size = 0) =>
        new(SyntheticDevice, inode, mode, 1, 0, 0, rdev, size, 4096, 0, 0, 0, 0);

    public const ulong FsDevice = 0x801, SyntheticDevice = 0x5;
}
