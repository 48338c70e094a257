// Readiness calls, over the events library: epoll_create(2)/epoll_create1(2), epoll_ctl(2),
// epoll_wait(2)/epoll_pwait(2), poll(2)/ppoll(2), select(2)/pselect6(2), eventfd(2)/eventfd2(2).
// The signal masks of epoll_pwait, ppoll and pselect6 are not applied (signal masks are the kernel's;
// README): a non-null mask is accepted and the call behaves as its plain form.
using System.Buffers.Binary;
using Biscuit.Posix.Events;

namespace Biscuit.Posix;

public static class EventCalls
{
    public const int MaxEventsPerWait = 1024;
    private const int EPOLL_CLOEXEC = O.CLOEXEC, FdSetBits = 1024;

    public static void Register(SyscallTable t)
    {
        t.Add(LinuxCall.EpollCreate, "epoll_create", c => c.IntArg(0) <= 0 ? -Errno.EINVAL : CreateEpoll(c, 0));
        t.Add(LinuxCall.EpollCreate1, "epoll_create1", c => (c.IntArg(0) & ~EPOLL_CLOEXEC) != 0 ? -Errno.EINVAL : CreateEpoll(c, c.IntArg(0)));
        t.Add(LinuxCall.EpollCtl, "epoll_ctl", EpollControl);
        t.Add(LinuxCall.EpollWait, "epoll_wait", EpollWait);
        t.Add(LinuxCall.EpollPwait, "epoll_pwait", EpollWait);
        t.Add(LinuxCall.Poll, "poll", c => Poll(c, c.Arg(0), c.Arg(1), c.IntArg(2)));
        t.Add(LinuxCall.Ppoll, "ppoll", c => Poll(c, c.Arg(0), c.Arg(1), TimespecTimeout(c, c.Arg(2))));
        t.Add(LinuxCall.Select, "select", c => Select(c, TimevalTimeout(c, c.Arg(4))));
        t.Add(LinuxCall.Pselect6, "pselect6", c => Select(c, TimespecTimeout(c, c.Arg(4))));
        t.Add(LinuxCall.Eventfd, "eventfd", c => CreateEventFd(c, (uint)c.Arg(0), 0));
        t.Add(LinuxCall.Eventfd2, "eventfd2", c => CreateEventFd(c, (uint)c.Arg(0), c.IntArg(1)));
    }

    private static long CreateEpoll(CallContext c, int flags) =>
        c.Fds.Add(new EpollFile(c.Process), (flags & EPOLL_CLOEXEC) != 0);

    /// <summary>epoll_ctl(2): epfd must be an epoll (EINVAL); a regular file, a directory, /dev/null or
    /// /dev/zero target is EPERM (none supports poll on Linux); the event is read for ADD and MOD (EFAULT).</summary>
    private static long EpollControl(CallContext c)
    {
        var epoll = c.Fds.Get(c.IntArg(0));
        int op = c.IntArg(1), fd = c.IntArg(2);
        var target = c.Fds.Get(fd);
        if (epoll is not EpollFile e) return -Errno.EINVAL;
        if (ReferenceEquals(target, epoll)) return -Errno.EINVAL;
        if (target is FsFile or FsDirectory or SyntheticDirectory or DeviceFile { SupportsEpoll: false }) return -Errno.EPERM;
        uint events = 0;
        ulong data = 0;
        if (op != EpollConstants.EPOLL_CTL_DEL)
        {
            var bytes = c.Memory.Read(c.Arg(3), EpollEvent.PackedSize);
            EpollEvent.TryDecode(bytes, out var ev);
            (events, data) = (ev.Events, ev.Data);
        }
        IPollable pollable = target is EpollFile nested ? nested.Instance : target;
        return e.Instance.Control(op, fd, pollable, events, data);
    }

    private static long EpollWait(CallContext c)
    {
        if (c.Fds.Get(c.IntArg(0)) is not EpollFile e) return -Errno.EINVAL;
        int max = c.IntArg(2);
        if (max <= 0 || max > int.MaxValue / EpollEvent.PackedSize) return -Errno.EINVAL;
        ulong buffer = c.Arg(1);
        c.Memory.Read(buffer, new byte[1]);   // EFAULT before waiting, as ep_events_available's access_ok
        var events = new EpollEvent[Math.Min(max, MaxEventsPerWait)];
        int n = e.Instance.Wait(events, c.IntArg(3), c.Cancel);
        if (n <= 0) return n;
        var bytes = new byte[n * EpollEvent.PackedSize];
        for (int i = 0; i < n; i++) events[i].TryEncode(bytes.AsSpan(i * EpollEvent.PackedSize));
        c.Memory.Write(buffer, bytes);
        return n;
    }

    /// <summary>poll(2): struct pollfd { int fd; short events; short revents; } (8 bytes); nfds above
    /// RLIMIT_NOFILE is EINVAL; a negative fd is skipped; a closed one gets POLLNVAL.</summary>
    private static long Poll(CallContext c, ulong address, ulong count, int timeoutMs)
    {
        if (count > (ulong)c.Fds.Limit) return -Errno.EINVAL;
        var bytes = c.Memory.Read(address, (int)count * 8);
        var entries = new PollEntry[count];
        for (int i = 0; i < (int)count; i++)
        {
            int fd = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i * 8));
            short events = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(i * 8 + 4));
            entries[i] = fd < 0 ? PollEntry.Ignored : new PollEntry(c.Fds.TryGet(fd, out var f) ? Pollable(f) : null, events);
        }
        int n = PollWait.Wait(entries, timeoutMs, c.Cancel);
        if (n < 0) return n;
        for (int i = 0; i < (int)count; i++) BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 8 + 6), entries[i].Revents);
        c.Memory.Write(address, bytes);
        return n;
    }

    /// <summary>select(2): three fd_set bitmaps of nfds bits (nfds above FD_SETSIZE 1024 is EINVAL); a
    /// closed descriptor in a set is EBADF; the sets are rewritten with the ready ones.</summary>
    private static long Select(CallContext c, int timeoutMs)
    {
        int nfds = c.IntArg(0);
        if (nfds < 0 || nfds > FdSetBits) return -Errno.EINVAL;
        int setBytes = (nfds + 63) / 64 * 8;
        ulong[] pointers = [c.Arg(1), c.Arg(2), c.Arg(3)];
        var sets = pointers.Select(p => p == 0 ? null : c.Memory.Read(p, setBytes)).ToArray();
        var fds = new List<int>();
        var entries = new List<PollEntry>();
        for (int fd = 0; fd < nfds; fd++)
        {
            short events = 0;
            if (IsSet(sets[0], fd)) events |= SelectMasks.Readable;
            if (IsSet(sets[1], fd)) events |= SelectMasks.Writable;
            if (IsSet(sets[2], fd)) events |= SelectMasks.Exceptional;
            if (events == 0) continue;
            if (!c.Fds.TryGet(fd, out var file)) return -Errno.EBADF;
            fds.Add(fd);
            entries.Add(new PollEntry(Pollable(file), events));
        }
        var span = entries.ToArray();
        int n = PollWait.Wait(span, timeoutMs, c.Cancel);
        if (n < 0) return n;
        var results = sets.Select(s => s is null ? null : new byte[s.Length]).ToArray();
        int count = 0;
        for (int i = 0; i < span.Length; i++)
        {
            short r = span[i].Revents;
            if (IsSet(sets[0], fds[i]) && SelectMasks.IsReadable(r)) { Set(results[0]!, fds[i]); count++; }
            if (IsSet(sets[1], fds[i]) && SelectMasks.IsWritable(r)) { Set(results[1]!, fds[i]); count++; }
            if (IsSet(sets[2], fds[i]) && SelectMasks.IsExceptional(r)) { Set(results[2]!, fds[i]); count++; }
        }
        for (int s = 0; s < 3; s++)
            if (results[s] is not null) c.Memory.Write(pointers[s], results[s]);
        return count;
    }

    private static bool IsSet(byte[]? set, int fd) => set is not null && (set[fd / 8] & (1 << (fd % 8))) != 0;
    private static void Set(byte[] set, int fd) => set[fd / 8] |= (byte)(1 << (fd % 8));

    private static IPollable Pollable(OpenFile file) => file is EpollFile e ? e.Instance : file;

    /// <summary>A struct timespec pointer as milliseconds (NULL: forever; rounded up; EINVAL if malformed).</summary>
    private static int TimespecTimeout(CallContext c, ulong pointer) => Timeout(c, pointer, 1_000_000);

    private static int TimevalTimeout(CallContext c, ulong pointer) => Timeout(c, pointer, 1_000);

    private static int Timeout(CallContext c, ulong pointer, long unitsPerMs)
    {
        if (pointer == 0) return -1;
        long seconds = (long)c.Memory.ReadU64(pointer), fraction = (long)c.Memory.ReadU64(pointer + 8);
        if (seconds < 0 || fraction < 0 || fraction >= unitsPerMs * 1000) throw new SyscallFailure(Errno.EINVAL);
        long ms = Math.Min(seconds, int.MaxValue / 1000) * 1000 + (fraction + unitsPerMs - 1) / unitsPerMs;
        return (int)Math.Min(ms, int.MaxValue);
    }

    private static long CreateEventFd(CallContext c, uint initial, int flags)
    {
        if ((flags & ~(EventFd.EFD_SEMAPHORE | EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC)) != 0) return -Errno.EINVAL;
        int r = EventFd.Create(initial, flags, out var counter);
        if (r < 0 || counter is null) return r < 0 ? r : -Errno.EINVAL;
        return c.Fds.Add(new EventFdFile(counter, flags), (flags & EventFd.EFD_CLOEXEC) != 0);
    }
}
