// A directory posix makes up (/dev, /proc, /proc/self): a fixed list of entries, listed by
// getdents64 like an fs directory. Invariant: the list is fixed when the directory is opened.
namespace Biscuit.Posix;

public sealed class SyntheticDirectory(IReadOnlyList<FsDirEntry> entries, string path, ulong inode) : OpenFile(O.RDONLY | O.DIRECTORY)
{
    private readonly object gate = new();
    private int next;   // guarded by gate: index of the next entry to list

    public override string? Path => path;
    public override long Read(Span<byte> into) => -Errno.EISDIR;
    public override long Write(ReadOnlySpan<byte> from) => -Errno.EBADF;

    public long ReadEntries(Span<byte> buffer)
    {
        lock (gate)
        {
            int used = 0;
            while (next < entries.Count)
            {
                int written = DirentLayout.Write(buffer[used..], entries[next], next + 1);
                if (written == 0) return used > 0 ? used : -Errno.EINVAL;
                used += written;
                next++;
            }
            return used;
        }
    }

    public override long Seek(long offset, int whence)
    {
        if (whence != Biscuit.Posix.Seek.SET || offset != 0) return -Errno.EINVAL;
        lock (gate) next = 0;
        return 0;
    }

    public override FileStatus Status() => FileStatus.Synthetic(Mode.IFDIR | 0x16D, inode) with { Links = 2 };
}
