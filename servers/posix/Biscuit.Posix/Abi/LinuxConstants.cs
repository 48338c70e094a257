// Flag and constant values of the Linux x86-64 ABI used by the calls posix serves
// (include/uapi/asm-generic/fcntl.h, linux/fcntl.h, asm-generic/ioctls.h, linux/socket.h, linux/in.h,
// asm-generic/signal.h, asm-generic/siginfo.h, linux/prctl.h).
namespace Biscuit.Posix;

public static class O
{
    public const int RDONLY = 0, WRONLY = 1, RDWR = 2, ACCMODE = 3, CREAT = 0x40, EXCL = 0x80, NOCTTY = 0x100,
        TRUNC = 0x200, APPEND = 0x400, NONBLOCK = 0x800, DSYNC = 0x1000, ASYNC = 0x2000, DIRECT = 0x4000, LARGEFILE = 0x8000,
        DIRECTORY = 0x10000, NOFOLLOW = 0x20000, NOATIME = 0x40000, CLOEXEC = 0x80000, PATH = 0x200000;
    /// <summary>The status flags F_SETFL may change (fs/fcntl.c SETFL_MASK, the subset posix keeps).</summary>
    public const int SettableStatus = APPEND | NONBLOCK | DIRECT | NOATIME;
}

/// <summary>Signal numbers and si_code values posix posts with process_signal.</summary>
public static class Sig
{
    public const int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGKILL = 9, SIGUSR1 = 10, SIGPIPE = 13, SIGTERM = 15,
        SIGCHLD = 17, SIGIO = 29, Max = 64;
    public const int SI_USER = 0, SI_KERNEL = 0x80;
    public const int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;
}

public static class At
{
    public const int FDCWD = -100, SYMLINK_NOFOLLOW = 0x100, REMOVEDIR = 0x200, EACCESS = 0x200,
        SYMLINK_FOLLOW = 0x400, EMPTY_PATH = 0x1000;
}

public static class Fcntl
{
    public const int DUPFD = 0, GETFD = 1, SETFD = 2, GETFL = 3, SETFL = 4, SETOWN = 8, GETOWN = 9,
        DUPFD_CLOEXEC = 1030, FD_CLOEXEC = 1;
}

public static class Ioctl
{
    public const uint TCGETS = 0x5401, TIOCGWINSZ = 0x5413, FIONREAD = 0x541B, FIONBIO = 0x5421, FIOASYNC = 0x5452,
        FIOCLEX = 0x5451, FIONCLEX = 0x5450;
}

public static class Seek
{
    public const int SET = 0, CUR = 1, END = 2;
}

public static class Sock
{
    public const int AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10;
    public const int STREAM = 1, DGRAM = 2, TYPE_MASK = 0xF, NONBLOCK = O.NONBLOCK, CLOEXEC = O.CLOEXEC;
    public const int SOL_SOCKET = 1, IPPROTO_TCP = 6;
    public const int MSG_PEEK = 0x2, MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000;
    public const int MSG_CTRUNC = 0x8, MSG_CMSG_CLOEXEC = 0x40000000;
    // Ancillary message types at SOL_SOCKET (include/linux/socket.h); SCM_MAX_FD (include/net/scm.h).
    public const int SCM_RIGHTS = 1, SCM_CREDENTIALS = 2, SCM_MAX_FD = 253;
    public const int SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;
}

/// <summary>File type bits of st_mode (include/uapi/linux/stat.h).</summary>
public static class Mode
{
    public const uint IFMT = 0xF000, IFSOCK = 0xC000, IFLNK = 0xA000, IFREG = 0x8000, IFDIR = 0x4000,
        IFCHR = 0x2000, IFIFO = 0x1000;
}
