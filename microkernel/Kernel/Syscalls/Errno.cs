// Error numbers returned by system calls, negated in RAX as Linux does. Linux's values are used
// where the meaning matches (asm-generic/errno-base.h, errno.h); OwnerDead is the distinct error a
// caller gets when the server it called dies before replying (DESIGN.md §3).
namespace Biscuit.Kernel.Syscalls
{
    public static class Errno
    {
        public const long EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, E2BIG = 7, ENOEXEC = 8,
            EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16,
            EEXIST = 17, ENODEV = 19, EINVAL = 22, EPIPE = 32, ENFILE = 23, EMFILE = 24, ENOTTY = 25, ENOSPC = 28, ERANGE = 34,
            ENOSYS = 38, ENAMETOOLONG = 36, EMSGSIZE = 90, ETIMEDOUT = 110, ECANCELED = 125, EOWNERDEAD = 130;
    }
}
