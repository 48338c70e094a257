// posix's file system at "/" is the fs server: IFileSystem over FileServiceClient. One client per
// calling thread (the client's IPC buffer is its thread's), made on first use by `clientFactory`.
// Invariants: every result is either a non-negative value or a negated Linux errno (the fs protocol
// already speaks Linux errnos); an FsNode is posix's own number for a file it holds open in fs
// (FsOpenFiles), closed exactly once by posix through Close.
// A restart of fs (issue 9): a call on a handle of the dead run answers EBADF, and the file is
// re-opened by inode and generation and the call made again (FsOpenFiles.Recover); an Open lost with
// the dead run is sent again unless it was O_EXCL (a second exclusive create could report EEXIST for
// a file the first one made); a Close lost with it is done (the dead run's handles are gone).
// File data: a read or write larger than one message moves through fs's data window (FsDataWindow),
// a slot (64 KiB) a call; a small one, or one that finds no free slot or no window, through
// messages. A window that died with fs (ENOTCONN, or its pages gone) is mapped again from the new
// run and the call made again.
using Biscuit.Fs.Protocol;

namespace Biscuit.Posix.Links;

public sealed class FsLink(Func<FileServiceClient> clientFactory, IDataWindowView? windowView = null) : IFileSystem
{
    /// <summary>Reads and writes of at most this many bytes go in one message; larger ones through the window.</summary>
    public const int MessageDataBytes = FsLimits.MaxDataBytes;
    private const int WindowAttempts = 4;   // ENOTCONN (remap), EBADF (re-open), a window lost mid-copy, and once more

    private readonly ThreadLocal<FileServiceClient> clients = new(clientFactory);   // one per worker thread
    private readonly FsOpenFiles open = new();
    private readonly FsDataWindow? window = windowView == null ? null : new FsDataWindow(windowView);

    /// <summary>The data window (null without a view: messages only).</summary>
    public FsDataWindow? Window => window;

    private FileServiceClient Fs => clients.Value!;

    /// <summary>The open files, with how many were re-opened after fs restarts (for tests and /proc).</summary>
    public FsOpenFiles OpenFiles => open;

    /// <summary>At posix's start: fs closes the handles a previous posix instance left open (their
    /// applications were ended with it); how many, or a negated errno.</summary>
    public long ResetClient()
    {
        var r = Fs.ResetClient();
        return r.IsOk ? r.Value : -r.Errno;
    }

    public long Open(string path, FsOpenFlags flags, uint mode, out FsNode node, out FsAttributes attributes)
    {
        var r = Fs.Open(path, LinuxFlags(flags), (int)(mode & 0xFFF));
        if (r.ServerDied && !flags.HasFlag(FsOpenFlags.Exclusive)) r = Fs.Open(path, LinuxFlags(flags), (int)(mode & 0xFFF));
        node = r.IsOk ? open.Add(r.Value) : default;
        attributes = r.IsOk ? Attributes(r.Value.Status) : default;
        return r.IsOk ? 0 : -r.Errno;
    }

    public long Read(FsNode node, long offset, Span<byte> into)
    {
        if (window == null || into.Length <= MessageDataBytes) return ReadByMessages(node, offset, into);
        long done = 0;
        while (done < into.Length)
        {
            int piece = Math.Min(into.Length - (int)done, DataWindowLimits.SlotBytes);
            long r = ReadPiece(node, offset + done, into.Slice((int)done, piece));
            if (r < 0) return done > 0 ? done : r;
            done += r;
            if (r < piece) break;   // end of file
        }
        return done;
    }

    public long Write(FsNode node, long offset, ReadOnlySpan<byte> from)
    {
        if (window == null || from.Length <= MessageDataBytes) return WriteByMessages(node, offset, from);
        long done = 0;
        while (done < from.Length)
        {
            int piece = Math.Min(from.Length - (int)done, DataWindowLimits.SlotBytes);
            long r = WritePiece(node, offset + done, from.Slice((int)done, piece));
            if (r < 0) return done > 0 ? done : r;
            done += r;
            if (r < piece) break;
        }
        return done;
    }

    // At most one slot's bytes through the window (or messages if no slot or window is to be had).
    private long ReadPiece(FsNode node, long offset, Span<byte> into)
    {
        if (!window!.TryTakeSlot(out int slot)) return ReadByMessages(node, offset, into);
        try
        {
            for (int attempt = 0; attempt < WindowAttempts; attempt++)
            {
                if (!window.Current(Fs, out var layout, out long seen) || slot >= layout.Slots || into.Length > layout.SlotBytes)
                    return ReadByMessages(node, offset, into);
                long e = open.Handle(node, out ulong handle);
                if (e < 0) return e;
                var r = Fs.ReadToWindow(new WindowTransfer(layout.WindowId, handle, offset, slot, into.Length));
                if (r.IsOk)
                {
                    if (r.Value < 0 || r.Value > into.Length) return -Biscuit.Fs.Protocol.Errno.EPROTO;
                    if (window.CopyOut(seen, layout, slot, into[..(int)r.Value])) return r.Value;
                    window.Lost(seen);
                }
                else if (!Recovered(r, node, handle, seen, out e)) return e;
            }
            return -Errno.EIO;
        }
        finally { window.GiveSlot(slot); }
    }

    private long WritePiece(FsNode node, long offset, ReadOnlySpan<byte> from)
    {
        if (!window!.TryTakeSlot(out int slot)) return WriteByMessages(node, offset, from);
        try
        {
            for (int attempt = 0; attempt < WindowAttempts; attempt++)
            {
                if (!window.Current(Fs, out var layout, out long seen) || slot >= layout.Slots || from.Length > layout.SlotBytes)
                    return WriteByMessages(node, offset, from);
                long e = open.Handle(node, out ulong handle);
                if (e < 0) return e;
                if (!window.CopyIn(seen, layout, slot, from)) { window.Lost(seen); continue; }
                var r = Fs.WriteFromWindow(new WindowTransfer(layout.WindowId, handle, offset, slot, from.Length));
                if (r.IsOk) return r.Value < 0 || r.Value > from.Length ? -Biscuit.Fs.Protocol.Errno.EPROTO : r.Value;
                if (!Recovered(r, node, handle, seen, out e)) return e;
            }
            return -Errno.EIO;
        }
        finally { window.GiveSlot(slot); }
    }

    // A window transfer failed: true to make it again (the window was lost and is mapped anew at the
    // next try, or the handle's fs run died and the file was re-opened); else `e` is the answer.
    private bool Recovered(FsResult<long> r, FsNode node, ulong handle, long seen, out long e)
    {
        e = 0;
        if (r.Errno == Errno.ENOTCONN || r.ServerDied) { window!.Lost(seen); return true; }
        if (r.Errno == Errno.EBADF) return (e = open.Recover(node, handle, Fs)) >= 0;
        e = -r.Errno;
        return false;
    }

    private long ReadByMessages(FsNode node, long offset, Span<byte> into)
    {
        for (int attempt = 0; ; attempt++)
        {
            long e = open.Handle(node, out ulong handle);
            if (e < 0) return e;
            var r = Fs.Read(handle, offset, into);
            if (r.IsOk) return r.Value;
            if (r.Errno != Errno.EBADF || attempt > 0) return -r.Errno;
            if ((e = open.Recover(node, handle, Fs)) < 0) return e;
        }
    }

    private long WriteByMessages(FsNode node, long offset, ReadOnlySpan<byte> from)
    {
        byte[] data = from.ToArray();
        for (int attempt = 0; ; attempt++)
        {
            long e = open.Handle(node, out ulong handle);
            if (e < 0) return e;
            var r = Fs.Write(handle, offset, data);
            if (r.IsOk) return r.Value;
            if (r.Errno != Errno.EBADF || attempt > 0) return -r.Errno;
            if ((e = open.Recover(node, handle, Fs)) < 0) return e;
        }
    }

    public long Truncate(FsNode node, long size) => OnHandle(node, h => Fs.Truncate(h, size), out _);
    public long Fsync(FsNode node) => OnHandle(node, h => Fs.Fsync(h), out _);

    public long Close(FsNode node)
    {
        if (!open.Remove(node, out ulong handle, out bool wasLost)) return -Errno.EBADF;
        if (wasLost) return 0;
        var r = Fs.Close(handle);
        // EBADF: the handle's run died, and its open files with it; ServerDied: the same, mid-close.
        return r.IsOk || r.Errno == Errno.EBADF || r.ServerDied ? 0 : -r.Errno;
    }

    public long Attributes(FsNode node, out FsAttributes attributes)
    {
        long e = OnHandle(node, h => Fs.StatHandle(h), out var status);
        attributes = e == 0 ? Attributes(status) : default;
        return e;
    }

    // A call on `node`'s handle, made once more on the re-opened file if the handle's fs run died.
    private long OnHandle<T>(FsNode node, Func<ulong, FsResult<T>> call, out T value)
    {
        value = default!;
        for (int attempt = 0; ; attempt++)
        {
            long e = open.Handle(node, out ulong handle);
            if (e < 0) return e;
            var r = call(handle);
            if (r.IsOk) { value = r.Value!; return 0; }
            if (r.Errno != Errno.EBADF || attempt > 0) return -r.Errno;
            if ((e = open.Recover(node, handle, Fs)) < 0) return e;
        }
    }

    public long ReadDirectory(FsNode node, long cookie, List<FsDirEntry> output, int max, out long next)
    {
        next = -1;
        if (max <= 0) return -Errno.EINVAL;
        long e = OnHandle(node, h => Fs.ReadDirectory(h, cookie), out var batch);
        if (e < 0) return e;
        var entries = batch.Span;
        int take = Math.Min(entries.Length, max);
        for (int i = 0; i < take; i++) output.Add(new FsDirEntry(entries[i].Name, entries[i].Inode, entries[i].Type));
        if (take < entries.Length) next = entries[take - 1].NextCookie;       // the caller wanted fewer: go on after the last taken
        else if (!batch.IsEnd) next = batch.NextCookie;
        return take;
    }

    public long Stat(string path, bool followLastLink, out FsAttributes attributes)
    {
        var r = Fs.Stat(path, followLastLink);
        attributes = r.IsOk ? Attributes(r.Value) : default;
        return r.IsOk ? 0 : -r.Errno;
    }

    public long Mkdir(string path, uint mode) => Status(Fs.Mkdir(path, (int)(mode & 0xFFF)));
    public long Unlink(string path) => Status(Fs.Unlink(path));
    public long Rmdir(string path) => Status(Fs.Rmdir(path));
    public long Rename(string from, string to) => Status(Fs.Rename(from, to));
    public long Link(string existing, string newPath) => Status(Fs.Link(existing, newPath));
    public long Symlink(string target, string linkPath) => Status(Fs.Symlink(target, linkPath));
    public long Chmod(string path, uint mode) => Status(Fs.Chmod(path, (int)(mode & 0xFFF)));

    /// <summary>chown(2): a null id is left unchanged (-1 on the wire).</summary>
    public long Chown(string path, uint? uid, uint? gid, bool followLastLink) =>
        Status(Fs.Chown(path, uid is { } u ? u : -1, gid is { } g ? g : -1, followLastLink));

    public long ReadLink(string path, out string target)
    {
        var r = Fs.Readlink(path);
        target = r.IsOk ? r.Value! : "";
        return r.IsOk ? 0 : -r.Errno;
    }

    private static long Status<T>(FsResult<T> r) => r.IsOk ? 0 : -r.Errno;

    /// <summary>posix's open flags as the Linux O_* bits the fs protocol takes.</summary>
    public static int LinuxFlags(FsOpenFlags flags) =>
        (flags.HasFlag(FsOpenFlags.Create) ? LinuxOpenFlags.O_CREAT : 0)
        | (flags.HasFlag(FsOpenFlags.Exclusive) ? LinuxOpenFlags.O_EXCL : 0)
        | (flags.HasFlag(FsOpenFlags.Truncate) ? LinuxOpenFlags.O_TRUNC : 0)
        | (flags.HasFlag(FsOpenFlags.Directory) ? LinuxOpenFlags.O_DIRECTORY : 0)
        | (flags.HasFlag(FsOpenFlags.NoFollow) ? LinuxOpenFlags.O_NOFOLLOW : 0);

    public static FsAttributes Attributes(Biscuit.Fs.Protocol.FileStatus s) =>
        new(s.Inode, s.Mode, s.Links, s.Uid, s.Gid, s.Size, s.Blocks, s.AccessSeconds, s.ModifySeconds, s.ChangeSeconds);
}
