// Errors of the file-system library, as Linux errno values (include/uapi/asm-generic/errno-base.h,
// errno.h), so that the fs server can hand them to the posix server unchanged.
// Every failure the library reports is an FsException carrying one of these codes and a message that
// says what was wrong (for corruption: which structure, which number).
namespace Biscuit.Fs;

public enum FsError
{
    EPERM = 1,
    ENOENT = 2,
    EIO = 5,
    EBADF = 9,
    EBUSY = 16,
    EEXIST = 17,
    EXDEV = 18,
    ENOTDIR = 20,
    EISDIR = 21,
    EINVAL = 22,
    EFBIG = 27,
    ENOSPC = 28,
    EROFS = 30,
    EMLINK = 31,
    ENAMETOOLONG = 36,
    ENOTEMPTY = 39,
    ELOOP = 40,
    EOPNOTSUPP = 95,
    /// <summary>"Structure needs cleaning": the on-disk data is corrupt (Linux uses it for EFSCORRUPTED).</summary>
    EUCLEAN = 117,
}

/// <summary>A failed file-system operation. When thrown out of a public operation, the operation
/// changed nothing on disk (its metadata changes were rolled back).</summary>
public sealed class FsException : Exception
{
    public FsError Error { get; }

    public FsException(FsError error, string message) : base($"{error}: {message}")
    {
        Error = error;
    }

    /// <summary>Corruption found in an on-disk structure.</summary>
    public static FsException Corrupt(string message) => new(FsError.EUCLEAN, "corrupt file system: " + message);
}
