// A read-only file whose contents are made when it is opened (/proc files): reads, pread and lseek
// over that snapshot. Invariant: the bytes never change after open (Linux's seq_file shows the same
// consistency for a read from offset 0 in one go). Unlike Linux, whose /proc files stat as size 0,
// an open snapshot reports its real size: programs that trust st_size (nginx serves a file by its
// fstat size, with sendfile) then serve /proc files whole, which is how the host reads the servers'
// GC figures through nginx.
namespace Biscuit.Posix;

public sealed class SnapshotFile(byte[] contents, string path, ulong inode, int statusFlags) : OpenFile(statusFlags)
{
    private readonly object gate = new();
    private long position;   // guarded by gate

    public override string? Path => path;

    public override long Read(Span<byte> into)
    {
        lock (gate)
        {
            long n = ReadAt(into, position);
            if (n > 0) position += n;
            return n;
        }
    }

    public override long ReadAt(Span<byte> into, long offset)
    {
        if (offset < 0) return -Errno.EINVAL;
        if (offset >= contents.Length) return 0;
        int n = (int)Math.Min(into.Length, contents.Length - offset);
        contents.AsSpan((int)offset, n).CopyTo(into);
        return n;
    }

    public override long Write(ReadOnlySpan<byte> from) => -Errno.EBADF;
    public override long WriteAt(ReadOnlySpan<byte> from, long offset) => -Errno.EBADF;

    public override long Seek(long offset, int whence)
    {
        lock (gate)
        {
            long target = whence switch
            {
                Biscuit.Posix.Seek.SET => offset,
                Biscuit.Posix.Seek.CUR => position + offset,
                Biscuit.Posix.Seek.END => contents.Length + offset,
                _ => -1,
            };
            if (target < 0) return -Errno.EINVAL;
            return position = target;
        }
    }

    public override FileStatus Status() => FileStatus.Synthetic(Mode.IFREG | 0x124, inode, size: contents.Length);
}
