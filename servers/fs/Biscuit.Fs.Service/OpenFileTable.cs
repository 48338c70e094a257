// The server's open files: handle -> inode. A handle is this run's random, non-zero 32-bit nonce
// above a 32-bit counter: never given out twice in one run (a closed handle stays invalid, EBADF),
// and a handle from an earlier run of the server (before a restart) is EBADF too instead of naming
// whatever file the new run opened under the same count (posix then re-opens by inode, Reopen). Every inode in the table is held (Ext2FileSystem.Retain) exactly once per handle, so
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
    private readonly ulong runNonce = (ulong)Random.Shared.Next(1, int.MaxValue) << 32;  // fixed for this run

    public int Count => inodes.Count;
    public bool IsFull => inodes.Count >= FsLimits.MaxOpenFiles;

    /// <summary>A new handle for `inode` (the caller has retained it and checked IsFull).</summary>
    public ulong Add(uint inode)
    {
        ulong handle = runNonce | (++lastHandle & 0xFFFF_FFFF);
        inodes.Add(handle, inode);
        return handle;
    }

    public bool TryGet(ulong handle, out uint inode) => inodes.TryGetValue(handle, out inode);

    /// <summary>Forgets `handle`; false if it was not open.</summary>
    public bool Remove(ulong handle, out uint inode) => inodes.Remove(handle, out inode);
}
