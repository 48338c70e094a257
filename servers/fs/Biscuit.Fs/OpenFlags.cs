// What Open should do besides finding the file: the O_CREAT / O_EXCL / O_TRUNC / O_DIRECTORY / O_NOFOLLOW
// subset of open(2) that concerns the file system (access modes are the posix server's business).
namespace Biscuit.Fs;

[Flags]
public enum OpenFlags
{
    None = 0,
    Create = 1,
    Exclusive = 2,
    Truncate = 4,
    Directory = 8,
    NoFollow = 16,
}
