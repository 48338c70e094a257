// Linux x86-64 system-call numbers (arch/x86/entry/syscalls/syscall_64.tbl) of the calls posix
// serves or names in logs. The kernel forwards every call outside its core set (issue 7 ABI).
namespace Biscuit.Posix;

public static class LinuxCall
{
    public const int Read = 0, Write = 1, Open = 2, Close = 3, Stat = 4, Fstat = 5, Lstat = 6, Poll = 7, Lseek = 8,
        Mmap = 9, Ioctl = 16, Pread64 = 17, Pwrite64 = 18, Readv = 19, Writev = 20, Access = 21, Pipe = 22,
        Select = 23, Dup = 32, Dup2 = 33, Sendfile = 40, Socket = 41, Connect = 42, Accept = 43, Sendto = 44,
        Recvfrom = 45, Sendmsg = 46, Recvmsg = 47, Shutdown = 48, Bind = 49, Listen = 50, Getsockname = 51,
        Getpeername = 52, Socketpair = 53, Setsockopt = 54, Getsockopt = 55, Clone = 56, Fork = 57, Vfork = 58,
        Execve = 59, Wait4 = 61, Kill = 62, Fcntl = 72, Fsync = 74, Fdatasync = 75, Truncate = 76, Ftruncate = 77,
        Getdents = 78, Getcwd = 79, Chdir = 80, Fchdir = 81, Rename = 82, Mkdir = 83, Rmdir = 84, Creat = 85,
        Link = 86, Unlink = 87, Symlink = 88, Readlink = 89, Chmod = 90, Fchmod = 91, Chown = 92, Fchown = 93,
        Lchown = 94, Umask = 95, Getuid = 102, Getgid = 104, Setuid = 105, Setgid = 106, Geteuid = 107,
        Getegid = 108, Setpgid = 109, Getppid = 110, Getpgrp = 111, Setsid = 112, Setreuid = 113,
        Setregid = 114, Getgroups = 115, Setgroups = 116, Setresuid = 117, Getresuid = 118, Setresgid = 119,
        Getresgid = 120, Getpgid = 121, Getsid = 124, Getrlimit = 97, Setrlimit = 160, Prctl = 157, EpollCreate = 213, Getdents64 = 217, EpollWait = 232,
        EpollCtl = 233, Openat = 257, Mkdirat = 258, Fchownat = 260, Newfstatat = 262, Unlinkat = 263,
        Renameat = 264, Linkat = 265, Symlinkat = 266, Readlinkat = 267, Fchmodat = 268, Faccessat = 269,
        Pselect6 = 270, Ppoll = 271, EpollPwait = 281, Eventfd = 284, Accept4 = 288, Eventfd2 = 290,
        EpollCreate1 = 291, Dup3 = 292, Pipe2 = 293, Prlimit64 = 302, Renameat2 = 316, Faccessat2 = 439;
}
