// The fs server's request handlers (issue 5 item 4): the protocol of Biscuit.Fs.Protocol served by
// one mounted Ext2FileSystem. This file holds the state, registration, admission budgets and the
// whole-file-system requests (Sync, Statfs, FsStats); FileService.Files.cs the requests on open
// handles, FileService.Names.cs the requests on paths.
//
// Invariants:
//   * the library is not thread-safe: every handler runs its library calls under `gate`, so
//     several workers may serve, one request at a time inside the file system;
//   * a handler never throws for a file-system error: an FsException becomes an FsReply carrying
//     its errno (the operation changed nothing: the library rolls a failed call back). Only a
//     defect (any other exception) reaches lib's loop, which answers HandlerFailed and logs it;
//   * every inode in `files` is retained once per handle (OpenFileTable.cs).
using Biscuit.Annotations;
using Biscuit.Fs.Protocol;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Server;
using Biscuit.Lib.Telemetry;

namespace Biscuit.Fs.Service;

public sealed partial class FileService(Ext2FileSystem fs, long cacheBytes, IDataWindowPages? windowPages = null,
    IWindowDisk? windowDisk = null)
{
    private readonly object gate = new();
    private readonly int blockSize = fs.BlockSize;                // the file system's, fixed at mount
    private readonly OpenFileTable files = new();                 // guarded by gate
    [MaxCount(1)]
    private readonly List<DirEntry> oneEntry = new(1);           // guarded by gate: ReadDirectory's scratch
    private MessageServer? server;                                // set once by RegisterOn, before serving

    public int OpenFiles
    {
        get { lock (gate) return files.Count; }
    }

    public void RegisterOn(MessageServer messageServer)
    {
        server = messageServer;
        messageServer.Register(FsContracts.Open, Open);
        messageServer.Register(FsContracts.Reopen, Reopen);
        messageServer.Register(FsContracts.Read, Read);
        messageServer.Register(FsContracts.Write, Write);
        messageServer.Register(FsContracts.Truncate, Truncate);
        messageServer.Register(FsContracts.Close, Close);
        messageServer.Register(FsContracts.Stat, Stat);
        messageServer.Register(FsContracts.StatHandle, StatHandle);
        messageServer.Register(FsContracts.ReadDirectory, ReadDirectory);
        messageServer.Register(FsContracts.Mkdir, Mkdir);
        messageServer.Register(FsContracts.Unlink, Unlink);
        messageServer.Register(FsContracts.Rmdir, Rmdir);
        messageServer.Register(FsContracts.Rename, Rename);
        messageServer.Register(FsContracts.Link, Link);
        messageServer.Register(FsContracts.Symlink, Symlink);
        messageServer.Register(FsContracts.Readlink, Readlink);
        messageServer.Register(FsContracts.Chmod, Chmod);
        messageServer.Register(FsContracts.Chown, Chown);
        messageServer.Register(FsContracts.Utimes, Utimes);
        messageServer.Register(FsContracts.Fsync, Fsync);
        messageServer.Register(FsContracts.Sync, Sync);
        messageServer.Register(FsContracts.Statfs, Statfs);
        messageServer.Register(FsContracts.FsStats, FsStats);
        messageServer.Register(FsContracts.ResetClient, ResetClient);
        messageServer.Register(FsContracts.MapDataWindow, MapDataWindow);
        messageServer.Register(FsContracts.ReadToWindow, ReadToWindow);
        messageServer.Register(FsContracts.WriteFromWindow, WriteFromWindow);
        messageServer.RegisterShrinkCallback("fs block cache", DropCleanBlocks);
    }

    /// <summary>lib's Shrink asks this first: the clean cached blocks go (dirty ones and the journal
    /// stay). Under `gate`, so no file-system operation is open meanwhile.</summary>
    public long DropCleanBlocks()
    {
        lock (gate) return LibraryCalls.DropCleanBlocks(fs);
    }

    /// <summary>The admission budgets: maxlive's table, plus, for every fs request that reaches the
    /// disk, the most the long-lived caches can grow in one request (LibraryCalls.cs): the block
    /// cache's capacity and half again (an operation's pinned metadata may exceed the capacity until
    /// its commit), and the lookup cache's entries at their largest (a 255-byte name: about 600
    /// bytes each). Stats, Statfs and FsStats read counters only and get nothing added.</summary>
    public static IReadOnlyDictionary<string, long> AdmissionBudgets(IEnumerable<(string Request, long Bytes)> maxliveTable,
        long blockCacheBytes, int lookupCacheEntries)
    {
        long growth = blockCacheBytes + blockCacheBytes / 2 + 600L * lookupCacheEntries;
        var budgets = new Dictionary<string, long>(ServerOptions.BudgetsFrom(maxliveTable), StringComparer.Ordinal);
        foreach (var name in budgets.Keys.ToArray())
            if (name != StandardRequests.Stats.Name && name != FsContracts.Statfs.Name && name != FsContracts.FsStats.Name)
                budgets[name] += growth;
        return budgets;
    }

    private static FsReply<T> Failed<T>(FsException e) => LibraryCalls.ErrorReply<T>(e);

    private static FsReply<T> BadHandle<T>(ulong handle) => FsReply<T>.Fail(Errno.EBADF, "no open file has this handle");

    [RequestHandler("Sync")]
    public FsReply<Empty> Sync(Empty _)
    {
        lock (gate)
        {
            try
            {
                LibraryCalls.Flush(fs);
                return FsReply<Empty>.Ok(default);
            }
            catch (FsException e) { return Failed<Empty>(e); }
        }
    }

    /// <summary>Closes every open handle (each inode Released, so files unlinked while open are freed)
    /// and takes the data window back: the client — posix, the only one — was restarted and its new
    /// instance holds none of them.
    /// Answers how many were closed; a second call closes none.</summary>
    [RequestHandler("ResetClient")]
    [MaxIterations(FsLimits.MaxOpenFiles)]
    public FsReply<long> ResetClient(Empty _)
    {
        lock (gate)
        {
            long closed = 0;
            try
            {
                RevokeWindow();
                while (files.TryTakeAny(out uint inode))
                {
                    LibraryCalls.Release(fs, inode);
                    closed++;
                }
                return FsReply<long>.Ok(closed);
            }
            catch (FsException e) { return Failed<long>(e); }
        }
    }

    [RequestHandler("Statfs")]
    public FsReply<FsStatistics> Statfs(Empty _)
    {
        lock (gate)
        {
            var c = LibraryCalls.Counts(fs);
            return FsReply<FsStatistics>.Ok(new FsStatistics(blockSize, c.Blocks, c.FreeBlocks, c.FreeBlocks, c.Inodes, c.FreeInodes,
                Ext2FileSystem.MaxNameLength));
        }
    }

    [RequestHandler("FsStats")]
    public FsReply<FsServerFigures> FsStats(Empty _)
    {
        StatsReport gc = CollectGcStats();
        lock (gate)
        {
            var f = LibraryCalls.Figures(fs);
            return FsReply<FsServerFigures>.Ok(new FsServerFigures(gc, cacheBytes, f.CacheHits, f.CacheMisses, f.LookupHits, f.LookupMisses,
                f.Commits, f.BlocksLogged, f.Replayed, files.Count,
                windowBytesRead, windowBytesWritten,
                messageBytesRead, messageBytesWritten));
        }
    }

    /// <summary>lib's Stats report (GC, requests, admission): a record with a few small arrays, and
    /// with MeasureAllocations one entry per request type (at most 64).</summary>
    [AssumeAllocation(16 * 1024)]
    private StatsReport CollectGcStats() =>
        server?.CollectStats() ?? throw new InvalidOperationException("FsStats before the service was registered on a server");
}
