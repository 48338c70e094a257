// Calls on descriptors themselves: dup(2), dup2(2), dup3(2), fcntl(2) (F_DUPFD, F_DUPFD_CLOEXEC,
// F_GETFD, F_SETFD, F_GETFL, F_SETFL with O_ASYNC, F_GETOWN/F_SETOWN), ioctl(2) (FIONBIO, FIOCLEX,
// FIONCLEX, FIOASYNC: signal-driven I/O, SIGIO to the owner; the rest by the description), pipe(2), pipe2(2).
namespace Biscuit.Posix;

public static class DescriptorCalls
{
    public static void Register(SyscallTable t)
    {
        t.Add(LinuxCall.Dup, "dup", c => c.Fds.Duplicate(c.IntArg(0), 0, closeOnExec: false));
        t.Add(LinuxCall.Dup2, "dup2", c => c.Fds.DuplicateTo(c.IntArg(0), c.IntArg(1), closeOnExec: false, isDup3: false));
        t.Add(LinuxCall.Dup3, "dup3", Dup3);
        t.Add(LinuxCall.Fcntl, "fcntl", FileControl);
        t.Add(LinuxCall.Ioctl, "ioctl", IoControl);
        t.Add(LinuxCall.Pipe, "pipe", c => MakePipe(c, c.Arg(0), 0));
        t.Add(LinuxCall.Pipe2, "pipe2", c => MakePipe(c, c.Arg(0), c.IntArg(1)));
    }

    private static long Dup3(CallContext c)
    {
        int flags = c.IntArg(2);
        if ((flags & ~O.CLOEXEC) != 0) return -Errno.EINVAL;
        return c.Fds.DuplicateTo(c.IntArg(0), c.IntArg(1), (flags & O.CLOEXEC) != 0, isDup3: true);
    }

    private static long FileControl(CallContext c)
    {
        int fd = c.IntArg(0);
        var file = c.Fds.Get(fd);
        switch (c.IntArg(1))
        {
            case Fcntl.DUPFD: return c.Fds.Duplicate(fd, c.IntArg(2), closeOnExec: false);
            case Fcntl.DUPFD_CLOEXEC: return c.Fds.Duplicate(fd, c.IntArg(2), closeOnExec: true);
            case Fcntl.GETFD: return c.Fds.GetCloseOnExec(fd);
            case Fcntl.SETFD: return c.Fds.SetCloseOnExec(fd, (c.Arg(2) & Fcntl.FD_CLOEXEC) != 0);
            case Fcntl.GETFL: return file.StatusFlags;
            case Fcntl.SETFL:
                file.SetAsync((c.IntArg(2) & O.ASYNC) != 0, c.Posix.PostSigio);
                file.SetStatusFlags(c.IntArg(2));
                return 0;
            case Fcntl.GETOWN: return file.Owner;
            case Fcntl.SETOWN: file.Owner = c.IntArg(2); return 0;
            default: return -Errno.EINVAL;
        }
    }

    private static long IoControl(CallContext c)
    {
        int fd = c.IntArg(0);
        var file = c.Fds.Get(fd);
        uint request = (uint)c.Arg(1);
        switch (request)
        {
            case Ioctl.FIONBIO:
                file.SetNonBlocking(c.Memory.ReadU32(c.Arg(2)) != 0);
                return 0;
            case Ioctl.FIOCLEX: return c.Fds.SetCloseOnExec(fd, true);
            case Ioctl.FIONCLEX: return c.Fds.SetCloseOnExec(fd, false);
            case Ioctl.FIOASYNC:
                file.SetAsync(c.Memory.ReadU32(c.Arg(2)) != 0, c.Posix.PostSigio);
                return 0;
            default:
                return file.Control(request, c.Arg(2), c.Memory);
        }
    }

    /// <summary>pipe2(2): O_CLOEXEC and O_NONBLOCK only (O_DIRECT packet mode is EINVAL here).</summary>
    private static long MakePipe(CallContext c, ulong fdsPointer, int flags)
    {
        if ((flags & ~(O.CLOEXEC | O.NONBLOCK)) != 0) return -Errno.EINVAL;
        c.Memory.Read(fdsPointer, new byte[8]);   // EFAULT before anything is made
        var pipe = new Pipe(flags);
        bool cloexec = (flags & O.CLOEXEC) != 0;
        long readFd = c.Fds.Add(pipe.ReadEnd, cloexec);
        if (readFd < 0) { pipe.WriteEnd.DropReference(); return readFd; }
        long writeFd = c.Fds.Add(pipe.WriteEnd, cloexec);
        if (writeFd < 0) { c.Fds.Close((int)readFd); return writeFd; }
        var pair = new byte[8];
        BitConverter.TryWriteBytes(pair.AsSpan(0), (int)readFd);
        BitConverter.TryWriteBytes(pair.AsSpan(4), (int)writeFd);
        c.Memory.Write(fdsPointer, pair);
        return 0;
    }
}
