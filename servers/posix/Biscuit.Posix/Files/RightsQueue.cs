// The open file descriptions travelling in one direction of a socketpair (SCM_RIGHTS, unix(7)),
// each batch tied to the bytes of the write that carried it, as Linux ties them to that write's
// socket buffer (net/unix/af_unix.c): the descriptions arrive with the first byte of that write, and a
// read that takes them stops at the end of that write's bytes (unix_stream_read_generic: "if
// (scm.fp) break"). A read may begin with earlier bytes and continue into a batch's write, as Linux's
// does (it only refuses to glue writes of different credentials).
// Invariants: every description in `batches` holds one reference of its own ("in flight" counts as
// open: closing the sender's descriptor does not release it); a batch leaves the queue exactly once,
// handed to a reader (who then owns the references) or dropped when the reading end is released
// (the message is discarded unread). Writes and reads of this direction's pipe, and the byte counts,
// change together under `gate`, so a batch's position is exact under concurrent writers and readers.
// Not done (README): Linux's garbage collector of unix sockets in flight; a socketpair end sent over
// itself and never received keeps both ends open until the process that holds the other end exits.
namespace Biscuit.Posix;

public sealed class RightsQueue
{
    private readonly object gate = new();
    private long written;    // guarded by gate: bytes ever written into this direction
    private long read;       // guarded by gate: bytes ever read out of it
    private bool readerReleased;   // guarded by gate: the reading end is gone; batches are dropped on arrival
    private readonly Queue<(long At, long Length, OpenFile[] Files)> batches = new();   // guarded by gate, At ascending

    /// <summary>Writes `data` into `pipe` and, if at least one byte went, takes `files` (their
    /// references handed over) to travel with those bytes, or drops them if the reading end is gone.
    /// If no byte went (an error, or an empty write: Linux sends no descriptions without data on a
    /// stream socket) the caller keeps them. Answers what the pipe answered.</summary>
    public long Write(PipeEnd pipe, ReadOnlySpan<byte> data, OpenFile[]? files)
    {
        long n;
        bool dropped = false;
        lock (gate)
        {
            n = pipe.Write(data);
            if (n <= 0) return n;
            written += n;
            if (files is { Length: > 0 })
            {
                if (readerReleased) dropped = true;
                else batches.Enqueue((written - n, n, files));
            }
        }
        if (dropped) Drop(files);
        return n;
    }

    /// <summary>Reads from `pipe` at most up to the end of the next batch's write; `files` is that
    /// batch if this read reached its first byte (the caller owns their references), else null.</summary>
    public long Read(PipeEnd pipe, Span<byte> into, out OpenFile[]? files)
    {
        files = null;
        lock (gate)
        {
            bool pending = batches.TryPeek(out var next);
            if (pending) into = into[..(int)Math.Min(into.Length, next.At + next.Length - read)];
            long n = pipe.Read(into);
            if (n <= 0) return n;
            read += n;
            if (pending && read > next.At) files = batches.Dequeue().Files;
            return n;
        }
    }

    /// <summary>The reading end is released: every batch still queued, and any later one, is dropped.</summary>
    public void ReaderReleased()
    {
        List<OpenFile[]> discarded;
        lock (gate)
        {
            readerReleased = true;
            discarded = batches.Select(b => b.Files).ToList();
            batches.Clear();
        }
        foreach (var files in discarded) Drop(files);   // outside the lock: a release may reach this queue again
    }

    public static void Drop(IEnumerable<OpenFile>? files)
    {
        foreach (var file in files ?? []) file.DropReference();
    }
}
