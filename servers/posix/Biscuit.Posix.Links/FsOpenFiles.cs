// The files posix holds open in the fs server, kept so that they survive a restart of fs (issue 9,
// DESIGN.md §7). posix names each open file by a number of its own (FsNode.Id), mapped here to the
// fs handle of the fs run that opened it and to what re-opening it needs: the inode number and
// generation. The offset is posix's own (FsFile), so it needs no recovery.
// When a call on a handle answers EBADF, the run that gave the handle has died (fs handles carry a
// per-run nonce, so a stale handle never names another file): the file is re-opened by inode and
// generation (fs's Reopen) and the caller makes its call once more. A file that cannot be re-opened —
// unlinked while open and freed by the new run's orphan cleanup, or its number reused (ESTALE) — is
// lost: its calls answer EIO until it is closed.
// Locking: `gate` guards the table; an entry's own lock serialises its re-open (one fs call at most
// per stale handle), and no fs call is made under `gate`.
using Biscuit.Fs.Protocol;

namespace Biscuit.Posix.Links;

public sealed class FsOpenFiles
{
    private sealed class Entry(ulong handle, ulong inode, uint generation)
    {
        public ulong Handle = handle;            // guarded by the entry's lock
        public readonly ulong Inode = inode;
        public readonly uint Generation = generation;
        public bool Lost;                        // guarded by the entry's lock: the re-open failed
    }

    private readonly object gate = new();
    private readonly Dictionary<ulong, Entry> entries = new();   // guarded by gate: FsNode.Id -> entry
    private ulong lastId;                                         // guarded by gate
    private long reopened, lost;                                  // Interlocked: statistics

    public int Count { get { lock (gate) return entries.Count; } }
    /// <summary>Files re-opened after a restart of fs, and files that could not be.</summary>
    public long Reopened => Interlocked.Read(ref reopened);
    public long Lost => Interlocked.Read(ref lost);

    public FsNode Add(OpenedFile opened)
    {
        lock (gate)
        {
            var node = new FsNode(++lastId);
            entries.Add(node.Id, new Entry(opened.Handle, opened.Status.Inode, opened.Generation));
            return node;
        }
    }

    /// <summary>The fs handle to use for `node` now; EBADF if posix has no such open file, EIO if it
    /// was lost in a restart.</summary>
    public long Handle(FsNode node, out ulong handle)
    {
        handle = 0;
        Entry? e;
        lock (gate) if (!entries.TryGetValue(node.Id, out e)) return -Errno.EBADF;
        lock (e)
        {
            if (e.Lost) return -Errno.EIO;
            handle = e.Handle;
            return 0;
        }
    }

    /// <summary>A call with `stale` answered EBADF: re-open the file (unless another thread has) and
    /// answer 0 to make the call again, or EIO when the file is gone.</summary>
    public long Recover(FsNode node, ulong stale, FileServiceClient fs)
    {
        Entry? e;
        lock (gate) if (!entries.TryGetValue(node.Id, out e)) return -Errno.EBADF;
        lock (e)
        {
            if (e.Lost) return -Errno.EIO;
            if (e.Handle != stale) return 0;
            var r = fs.Reopen(e.Inode, e.Generation, 0);
            if (!r.IsOk)
            {
                if (r.Errno is Biscuit.Fs.Protocol.Errno.ESTALE or Biscuit.Fs.Protocol.Errno.ENOENT) { e.Lost = true; Interlocked.Increment(ref lost); }
                return -Errno.EIO;
            }
            e.Handle = r.Value.Handle;
            Interlocked.Increment(ref reopened);
            return 0;
        }
    }

    /// <summary>Forgets `node`; its current fs handle, or false if posix had no such open file.</summary>
    public bool Remove(FsNode node, out ulong handle, out bool wasLost)
    {
        handle = 0; wasLost = false;
        Entry? e;
        lock (gate) if (!entries.Remove(node.Id, out e)) return false;
        lock (e) { handle = e.Handle; wasLost = e.Lost; }
        return true;
    }
}
