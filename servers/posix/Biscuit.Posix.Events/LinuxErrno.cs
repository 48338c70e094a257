// LinuxErrno: the Linux x86-64 errno values this library answers with (include/uapi/asm-generic/errno-base.h,
// errno.h). Every operation returns 0 or a count on success and the negated errno on failure, the way
// the kernel's system-call return convention does, so the posix server can hand the value straight back.
namespace Biscuit.Posix.Events;

/// <summary>Linux errno values (positive; operations return them negated).</summary>
public static class LinuxErrno
{
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int EEXIST = 17;
    public const int EINVAL = 22;
    public const int EPIPE = 32;
    public const int ELOOP = 40;
}
