// The requests on open files: Open, Read, Write, Truncate, Close, StatHandle, Fsync, ReadDirectory.
// An unknown or closed handle is EBADF. Open holds the inode (Retain) until Close (Release).
using Biscuit.Annotations;
using Biscuit.Fs.Protocol;
using Biscuit.Lib.Messages;

namespace Biscuit.Fs.Service;

public sealed partial class FileService
{
    /// <summary>The most entries one ReadDirectory reply can hold (every entry's name at least one byte).</summary>
    public const int MaxEntriesPerBatch = FsLimits.MaxDirectoryBatchBytes / (FsLimits.DirectoryEntryOverheadBytes + 1);

    [RequestHandler("Open")]
    public FsReply<OpenedFile> Open(OpenRequest request)
    {
        int bad = PathError(request.Path);
        if (bad != Errno.None) return FsReply<OpenedFile>.Fail(bad, PathErrorText(bad));
        lock (gate)
        {
            if (files.IsFull) return FsReply<OpenedFile>.Fail(Errno.ENFILE, "the server's open-file table is full");
            try
            {
                uint inode = LibraryCalls.Open(fs, request.Path, Conversions.OpenFlagsOf(request.Flags),
                    (ushort)(request.Mode & 0xFFF), request.Uid, request.Gid);
                var status = Conversions.Status(LibraryCalls.StatInode(fs, inode), blockSize);
                uint generation = LibraryCalls.GenerationOf(fs, inode);
                LibraryCalls.Retain(fs, inode);
                return FsReply<OpenedFile>.Ok(new OpenedFile(files.Add(inode), status, generation));
            }
            catch (FsException e) { return Failed<OpenedFile>(e); }
        }
    }

    /// <summary>A client re-opens, after this server restarted, a file it held open before: by inode
    /// number and generation, so a number freed and allocated again meanwhile is ESTALE, not another
    /// file. Creating or truncating flags are EINVAL: a re-open changes nothing on disk.</summary>
    [RequestHandler("Reopen")]
    public FsReply<OpenedFile> Reopen(ReopenRequest request)
    {
        if ((request.Flags & (LinuxOpenFlags.O_CREAT | LinuxOpenFlags.O_EXCL | LinuxOpenFlags.O_TRUNC)) != 0)
            return FsReply<OpenedFile>.Fail(Errno.EINVAL, "a re-open may not create or truncate");
        if (request.Inode == 0 || request.Inode > uint.MaxValue)
            return FsReply<OpenedFile>.Fail(Errno.ESTALE, "no such inode number");
        uint inode = (uint)request.Inode;
        lock (gate)
        {
            if (files.IsFull) return FsReply<OpenedFile>.Fail(Errno.ENFILE, "the server's open-file table is full");
            try
            {
                if (!LibraryCalls.IsLive(fs, inode, request.Generation))
                    return FsReply<OpenedFile>.Fail(Errno.ESTALE, "the file is gone (its inode is free, or was allocated again: another generation)");
                var status = Conversions.Status(LibraryCalls.StatInode(fs, inode), blockSize);
                LibraryCalls.Retain(fs, inode);
                return FsReply<OpenedFile>.Ok(new OpenedFile(files.Add(inode), status, request.Generation));
            }
            catch (FsException e) { return Failed<OpenedFile>(e); }
        }
    }

    [RequestHandler("Read")]
    public FsReply<FileData> Read(ReadRequest request)
    {
        var buffer = new byte[FsLimits.MaxDataBytes];
        int count = request.Count < FsLimits.MaxDataBytes ? request.Count : FsLimits.MaxDataBytes;
        lock (gate)
        {
            if (!files.TryGet(request.Handle, out uint inode)) return BadHandle<FileData>(request.Handle);
            try
            {
                int read = LibraryCalls.Read(fs, inode, request.Offset, buffer.AsSpan(0, count));
                messageBytesRead += read;
                return FsReply<FileData>.Ok(new FileData(buffer, read));
            }
            catch (FsException e) { return Failed<FileData>(e); }
        }
    }

    [RequestHandler("Write")]
    public FsReply<long> Write(WriteRequest request)
    {
        lock (gate)
        {
            if (!files.TryGet(request.Handle, out uint inode)) return BadHandle<long>(request.Handle);
            try
            {
                int written = LibraryCalls.Write(fs, inode, request.Offset, request.Data);
                messageBytesWritten += written;
                return FsReply<long>.Ok(written);
            }
            catch (FsException e) { return Failed<long>(e); }
        }
    }

    [RequestHandler("Truncate")]
    public FsReply<Empty> Truncate(TruncateRequest request)
    {
        lock (gate)
        {
            if (!files.TryGet(request.Handle, out uint inode)) return BadHandle<Empty>(request.Handle);
            try
            {
                LibraryCalls.Truncate(fs, inode, request.Size);
                return FsReply<Empty>.Ok(default);
            }
            catch (FsException e) { return Failed<Empty>(e); }
        }
    }

    [RequestHandler("Close")]
    public FsReply<Empty> Close(ulong handle)
    {
        lock (gate)
        {
            if (!files.Remove(handle, out uint inode)) return BadHandle<Empty>(handle);
            try
            {
                LibraryCalls.Release(fs, inode);
                return FsReply<Empty>.Ok(default);
            }
            catch (FsException e) { return Failed<Empty>(e); }
        }
    }

    [RequestHandler("StatHandle")]
    public FsReply<FileStatus> StatHandle(ulong handle)
    {
        lock (gate)
        {
            if (!files.TryGet(handle, out uint inode)) return BadHandle<FileStatus>(handle);
            try
            {
                return FsReply<FileStatus>.Ok(Conversions.Status(LibraryCalls.StatInode(fs, inode), blockSize));
            }
            catch (FsException e) { return Failed<FileStatus>(e); }
        }
    }

    /// <summary>fsync(2): on ext3 one journal commit of everything so far (the library has no
    /// per-file commit); on ext2 every dirty block is written.</summary>
    [RequestHandler("Fsync")]
    public FsReply<Empty> Fsync(ulong handle)
    {
        lock (gate)
        {
            if (!files.TryGet(handle, out _)) return BadHandle<Empty>(handle);
            try
            {
                LibraryCalls.Flush(fs);
                return FsReply<Empty>.Ok(default);
            }
            catch (FsException e) { return Failed<Empty>(e); }
        }
    }

    /// <summary>getdents64(2): entries from `Cookie` while their encoded size fits in one reply. The
    /// cookie after an entry is the library's position of the next entry (a byte offset in the
    /// directory), or FsLimits.EndOfDirectory after the last.</summary>
    [RequestHandler("ReadDirectory")]
    [MaxIterations(MaxEntriesPerBatch)]
    public FsReply<DirectoryBatch> ReadDirectory(ReadDirectoryRequest request)
    {
        var entries = new DirectoryEntry[MaxEntriesPerBatch];
        lock (gate)
        {
            if (!files.TryGet(request.Handle, out uint inode)) return BadHandle<DirectoryBatch>(request.Handle);
            if (request.Cookie < 0) return FsReply<DirectoryBatch>.Fail(Errno.EINVAL, "a directory cookie is never negative");
            long position = request.Cookie;
            int count = 0, bytes = 0;
            try
            {
                while (count < MaxEntriesPerBatch && position != FsLimits.EndOfDirectory)
                {
                    long next = LibraryCalls.ReadOneEntry(fs, inode, position, oneEntry);
                    if (oneEntry.Count == 0)
                    {
                        position = FsLimits.EndOfDirectory;
                        break;
                    }
                    var entry = LibraryCalls.Unpack(oneEntry[0]);
                    int size = System.Text.Encoding.UTF8.GetByteCount(entry.Name) + FsLimits.DirectoryEntryOverheadBytes;
                    if (bytes + size > FsLimits.MaxDirectoryBatchBytes) break;   // the next batch starts with it
                    bytes += size;
                    long after = next < 0 ? FsLimits.EndOfDirectory : next;
                    entries[count++] = new DirectoryEntry(entry.Inode, Conversions.DirectoryType(entry.Type), entry.Name, after);
                    position = after;
                }
                return FsReply<DirectoryBatch>.Ok(new DirectoryBatch(entries, count, position));
            }
            catch (FsException e) { return Failed<DirectoryBatch>(e); }
        }
    }
}
