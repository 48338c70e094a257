// Path arithmetic of path_resolution(7) that posix does itself: an absolute path from the working
// directory (or a directory descriptor) and the caller's path, with "." and empty components
// dropped and ".." taken lexically. Symbolic links inside the path are followed by the file system
// (fs), so "a/link/../b" is resolved lexically here — a known difference from Linux (README).
// Invariant: a result starts with "/", has no "." or ".." or empty component and no trailing "/"
// (except "/" itself). An empty path is ENOENT; a path longer than PATH_MAX is ENAMETOOLONG.
namespace Biscuit.Posix;

public static class PathNames
{
    public const int PathMax = 4096, NameMax = 255;

    /// <summary>`path` made absolute against `directory` (itself absolute and normalised).</summary>
    public static string Combine(string directory, string path)
    {
        if (path.Length == 0) throw new SyscallFailure(Errno.ENOENT, "empty path");
        if (path.Length >= PathMax) throw new SyscallFailure(Errno.ENAMETOOLONG);
        var parts = new List<string>();
        if (!path.StartsWith('/'))
            parts.AddRange(directory.Split('/', StringSplitOptions.RemoveEmptyEntries));
        foreach (string part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            if (part.Length > NameMax) throw new SyscallFailure(Errno.ENAMETOOLONG);
            parts.Add(part);
        }
        return "/" + string.Join('/', parts);
    }

    /// <summary>True when the caller's path ends in "/" (it must then name a directory).</summary>
    public static bool NamesDirectory(string path) => path.Length > 1 && path.EndsWith('/');

    /// <summary>Whether `path` is `root` or inside it ("/proc" and "/proc/x" are inside "/proc").</summary>
    public static bool IsUnder(string path, string root) => path == root || path.StartsWith(root + "/", StringComparison.Ordinal);
}
