// A regular file of the fs server opened by an application: reads and writes at the description's
// position (or at the end with O_APPEND), pread/pwrite at an offset (pwrite at the end with
// O_APPEND, as Linux does), lseek, ftruncate, fsync. File data passes through `shared` when posix
// has one: while the inode is mapped MAP_SHARED its held pages are the newest bytes
// (Memory/SharedFileTable.cs), so read/write stay coherent with the mappings.
// Invariant: `position` only moves under `gate`, so concurrent read(2)s through dup'ed descriptors
// each get their own bytes (Linux holds f_pos_lock the same way).
namespace Biscuit.Posix;

public sealed class FsFile(IFileSystem fs, FsNode node, string path, int statusFlags, SharedFileTable? shared = null, ulong inode = 0)
    : OpenFile(statusFlags)
{
    private readonly object gate = new();
    private long position;                  // guarded by gate
    private int released;                   // 1 once Release ran (Interlocked)

    public FsNode Node => node;
    public ulong Inode => inode;

    private long ReadData(long offset, Span<byte> into) => shared is null ? fs.Read(node, offset, into) : shared.Read(node, inode, offset, into);
    private long WriteData(long offset, ReadOnlySpan<byte> from) => shared is null ? fs.Write(node, offset, from) : shared.Write(node, inode, offset, from);
    public override string? Path => path;

    public override long Read(Span<byte> into)
    {
        if (!CanRead) return -Errno.EBADF;
        lock (gate)
        {
            long n = ReadData(position, into);
            if (n > 0) position += n;
            return n;
        }
    }

    public override long Write(ReadOnlySpan<byte> from)
    {
        if (!CanWrite) return -Errno.EBADF;
        lock (gate)
        {
            if ((StatusFlags & O.APPEND) != 0)
            {
                long r = fs.Attributes(node, out var a);
                if (r < 0) return r;
                position = a.Size;
            }
            long n = WriteData(position, from);
            if (n > 0) position += n;
            return n;
        }
    }

    public override long ReadAt(Span<byte> into, long offset)
    {
        if (!CanRead) return -Errno.EBADF;
        if (offset < 0) return -Errno.EINVAL;
        return ReadData(offset, into);
    }

    /// <summary>pwrite(2). With O_APPEND Linux appends whatever the offset (pwrite(2), BUGS) and
    /// leaves the description's position alone; applications are checked against Linux, so posix does
    /// the same (tests/conformance/files.c).</summary>
    public override long WriteAt(ReadOnlySpan<byte> from, long offset)
    {
        if (!CanWrite) return -Errno.EBADF;
        if (offset < 0) return -Errno.EINVAL;
        if ((StatusFlags & O.APPEND) == 0) return WriteData(offset, from);
        lock (gate)     // the end of file is read and written under the same lock as write(2)'s appends
        {
            long r = fs.Attributes(node, out var a);
            if (r < 0) return r;
            return WriteData(a.Size, from);
        }
    }

    /// <summary>lseek(2): SEEK_SET/CUR/END; a resulting negative position is EINVAL.</summary>
    public override long Seek(long offset, int whence)
    {
        lock (gate)
        {
            long basePosition;
            switch (whence)
            {
                case Biscuit.Posix.Seek.SET: basePosition = 0; break;
                case Biscuit.Posix.Seek.CUR: basePosition = position; break;
                case Biscuit.Posix.Seek.END:
                    long r = fs.Attributes(node, out var a);
                    if (r < 0) return r;
                    basePosition = a.Size;
                    break;
                default: return -Errno.EINVAL;
            }
            long target = basePosition + offset;
            if (target < 0) return -Errno.EINVAL;
            position = target;
            return target;
        }
    }

    public override long Truncate(long size) =>
        !CanWrite ? -Errno.EINVAL : size < 0 ? -Errno.EINVAL : shared is null ? fs.Truncate(node, size) : shared.Truncate(node, inode, size);

    public override long Sync()
    {
        long r = shared?.Flush(inode) ?? 0;
        return r < 0 ? r : fs.Fsync(node);
    }

    public override FileStatus Status()
    {
        long r = fs.Attributes(node, out var a);
        if (r < 0) throw new SyscallFailure((int)-r);
        return FileStatus.FromFs(a);
    }

    protected override void Release()
    {
        if (Interlocked.Exchange(ref released, 1) == 0) fs.Close(node);
    }
}
