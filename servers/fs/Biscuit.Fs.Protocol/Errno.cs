// The errors of the fs protocol: Linux errno values (include/uapi/asm-generic/errno-base.h and
// errno.h), so that the posix server can hand them to applications unchanged. The fs library's
// FsError uses the same numbers; the ones below it lacks are the protocol's own (a closed handle,
// a full open-file table, a transport failure, a refused admission).
namespace Biscuit.Fs.Protocol;

public static class Errno
{
    public const int None = 0;
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EIO = 5;
    public const int EFAULT = 14;
    public const int EBADF = 9;
    public const int ENOMEM = 12;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int EXDEV = 18;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int ENFILE = 23;
    public const int EFBIG = 27;
    public const int ENOSPC = 28;
    public const int ERANGE = 34;
    public const int EROFS = 30;
    public const int EMLINK = 31;
    public const int ENAMETOOLONG = 36;
    public const int ENOTEMPTY = 39;
    public const int ELOOP = 40;
    public const int EPROTO = 71;
    public const int EOPNOTSUPP = 95;
    public const int ENOTCONN = 107;
    public const int ETIMEDOUT = 110;
    public const int ESTALE = 116;
    public const int EUCLEAN = 117;

    /// <summary>The symbol of an errno value ("ENOENT"), or its number.</summary>
    public static string Name(int errno) => errno switch
    {
        None => "OK", EPERM => "EPERM", ENOENT => "ENOENT", EIO => "EIO", EFAULT => "EFAULT", EBADF => "EBADF", ENOMEM => "ENOMEM",
        EBUSY => "EBUSY", EEXIST => "EEXIST", EXDEV => "EXDEV", ENOTDIR => "ENOTDIR", EISDIR => "EISDIR",
        EINVAL => "EINVAL", ENFILE => "ENFILE", EFBIG => "EFBIG", ENOSPC => "ENOSPC", EROFS => "EROFS",
        EMLINK => "EMLINK", ENAMETOOLONG => "ENAMETOOLONG", ENOTEMPTY => "ENOTEMPTY", ELOOP => "ELOOP",
        EPROTO => "EPROTO", ERANGE => "ERANGE", ENOTCONN => "ENOTCONN", EOPNOTSUPP => "EOPNOTSUPP", ETIMEDOUT => "ETIMEDOUT", ESTALE => "ESTALE", EUCLEAN => "EUCLEAN",
        _ => "errno " + errno,
    };
}
