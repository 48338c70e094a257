// The server's open files: handle -> inode. A handle is a number never given out twice in one run
// of the server (a counter), so a closed handle stays invalid (EBADF) and is never mistaken for a
// newer open. Every inode in the table is held (Ext2FileSystem.Retain) exactly once per handle, so
// an open file survives the unlink of its last name until its handle is closed (POSIX unlink(2)).
// At most FsLimits.MaxOpenFiles at once (ENFILE beyond). Handles do not survive a server restart.
// Guarded by FileService's gate (the caller's lock).
using Biscuit.Annotations;
using Biscuit.Fs.Protocol;

namespace Biscuit.Fs.Service;

public sealed class OpenFileTable
{
    [MaxCount(FsLimits.MaxOpenFiles)]
    private readonly Dictionary<ulong, uint> inodes = new(FsLimits.MaxOpenFiles);   // guarded by FileService.gate
    private ulong lastHandle;                                                        // guarded by FileService.gate

    public int Count => inodes.Count;
    public bool IsFull => inodes.Count >= FsLimits.MaxOpenFiles;

    /// <summary>A new handle for `inode` (the caller has retained it and checked IsFull).</summary>
    public ulong Add(uint inode)
    {
        ulong handle = ++lastHandle;
        inodes.Add(handle, inode);
        return handle;
    }

    public bool TryGet(ulong handle, out uint inode) => inodes.TryGetValue(handle, out inode);

    /// <summary>Forgets `handle`; false if it was not open.</summary>
    public bool Remove(ulong handle, out uint inode) => inodes.Remove(handle, out inode);
}
