// A directory of the fs server opened by an application: getdents64 in batches (the description
// keeps the fs cookie to go on from), fstat, fchdir. read(2) of a directory is EISDIR.
// Invariant: the cookie only moves under `gate`; entries that did not fit the caller's buffer are
// kept in `pending` and returned first by the next call, so none is lost or repeated.
namespace Biscuit.Posix;

public sealed class FsDirectory(IFileSystem fs, FsNode node, string path, int statusFlags) : OpenFile(statusFlags)
{
    private const int Batch = 64;
    private readonly object gate = new();
    private long cookie;                                  // guarded by gate; -1 at the end
    private readonly Queue<FsDirEntry> pending = new();   // guarded by gate
    private int released;

    public override string? Path => path;

    public override long Read(Span<byte> into) => -Errno.EISDIR;
    public override long ReadAt(Span<byte> into, long offset) => -Errno.EISDIR;
    public override long Write(ReadOnlySpan<byte> from) => -Errno.EBADF;

    public override long Seek(long offset, int whence)
    {
        if (whence != Biscuit.Posix.Seek.SET || offset != 0) return -Errno.EINVAL;
        lock (gate) { cookie = 0; pending.Clear(); }
        return 0;
    }

    /// <summary>getdents64: as many whole linux_dirent64 records as fit `buffer`; 0 at the end;
    /// EINVAL if even the next record does not fit.</summary>
    public long ReadEntries(Span<byte> buffer)
    {
        lock (gate)
        {
            int used = 0;
            while (true)
            {
                if (pending.Count == 0)
                {
                    if (cookie < 0) break;
                    var batch = new List<FsDirEntry>();
                    long r = fs.ReadDirectory(node, cookie, batch, Batch, out long next);
                    if (r < 0) return used > 0 ? used : r;
                    cookie = next;
                    foreach (var e in batch) pending.Enqueue(e);
                    if (pending.Count == 0) break;
                }
                var entry = pending.Peek();
                int written = DirentLayout.Write(buffer[used..], entry, nextOffset: used + 1);
                if (written == 0)
                    return used > 0 ? used : -Errno.EINVAL;
                used += written;
                pending.Dequeue();
            }
            return used;
        }
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
