// ext3 journaling on top of the operation scope (JBD2 format in Journal.cs), in "ordered" mode:
//   - metadata blocks changed by operations stay dirty in the cache (never evicted) until Flush;
//   - Flush is one group commit: file data is written home first, then every dirty metadata block is
//     logged as one transaction and committed, then written home (checkpoint), then the log is emptied;
//   - a block freed in the uncommitted transaction is not reused before that transaction commits
//     (after a crash the old owner would find another file's data in it); an allocation that finds only
//     such blocks makes the operation commit and retry once;
//   - one operation may change at most half a transaction's worth of metadata, and the transaction is
//     committed as soon as more than that is pending, so every transaction fits in the log;
//   - while mounted read-write, needs_recovery is set (written in place before the log is first used)
//     and cleared at unmount after the log is empty; a mount that finds a non-empty log replays it first.
// fsync(2) and sync(2) are both Flush.
namespace Biscuit.Fs;

public sealed partial class Ext2FileSystem
{
    private Journal? _journal;                                 // null: plain ext2 (or read-only)
    private int _transactionLimit = int.MaxValue;              // metadata blocks one operation may change
    private readonly HashSet<uint> _pendingFree = new();         // freed since the last commit
    private readonly HashSet<uint> _pendingFreeThisOperation = new(); // freed by the current operation
    private readonly List<(long Home, byte[] Data)> _transaction = new(); // reused by Flush

    /// <summary>Thrown inside an operation when only blocks freed by the uncommitted transaction are free.</summary>
    private sealed class PendingFreesException : Exception;

    /// <summary>The journal, if this is a read-write mount of an ext3 file system (commit counters).</summary>
    public Journal? Journal => _journal;

    /// <summary>Transactions replayed from the log by this mount (0 if the journal was clean).</summary>
    public int RecoveredTransactions { get; private set; }

    /// <summary>Reads the journal inode's block map and opens the journal in it.</summary>
    private Journal OpenJournal()
    {
        uint number = _sb.JournalInode;
        if (number == 0)
            throw new FsException(FsError.EOPNOTSUPP, "external journals (journal_dev) are not supported");
        var inode = ReadLiveInode(number);
        if (!inode.IsRegular || inode.Size == 0 || inode.Size % (ulong)_blockSize != 0 || inode.Size > 1UL << 30)
            throw FsException.Corrupt($"journal inode {number} has type {inode.Type} and size {inode.Size}");
        var map = new uint[inode.Size / (ulong)_blockSize];
        for (long i = 0; i < map.Length; i++)
        {
            map[i] = MapBlock(inode, i);
            if (map[i] == 0)
                throw FsException.Corrupt($"journal inode {number} has a hole at block {i}");
        }
        return Journal.Open(_device, _blockSize, map);
    }

    /// <summary>After Mount's checks: replays a non-empty log, or starts journaling. Returns the file
    /// system to use (a fresh one if the replay rewrote metadata that this one had read).</summary>
    private Ext2FileSystem StartJournal(MountOptions options)
    {
        var journal = OpenJournal();
        if (journal.NeedsRecovery)
        {
            int replayed = journal.Recover(_sb.BlocksCount);
            var fresh = Mount(_device, options);
            fresh.RecoveredTransactions = replayed;
            return fresh;
        }
        int capacity = journal.Capacity;
        if (capacity < 64)
            throw FsException.Corrupt($"journal of {journal.MaxLength} blocks is too small");
        // needs_recovery goes to disk, in place, before the log is first written (and is cleared only
        // after it is emptied, in Dispose): a non-empty log is always flagged.
        _sb.FeatureIncompat |= Features.IncompatRecover;
        _cache.BeginOperation();
        SaveSuperblock();
        _cache.Commit();
        _cache.Flush();
        _journal = journal;
        _transactionLimit = capacity / 2;
        _cache.HoldMetadata = true;
        return this;
    }

    /// <summary>Commits the transaction once enough metadata is pending that the next operation might
    /// not fit in the log.</summary>
    /// <summary>Also bounds the cache: pinned dirty metadata above half its capacity is committed.</summary>
    private void AfterOperation()
    {
        if (_journal != null && _cache.DirtyMetadataCount > Math.Min(_transactionLimit, _cache.CapacityBlocks / 2))
            Flush();
    }

    /// <summary>sync(2): writes every change to the device and flushes it; with a journal, as one
    /// committed transaction (see the file comment for the order).</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_journal == null)
        {
            _cache.Flush();
            return;
        }
        _transaction.Clear();
        _cache.CollectDirtyMetadata(_transaction);
        _cache.WriteBackData();
        if (_transaction.Count > 0)
            _journal.Commit(_transaction, Now());
        _transaction.Clear();
        _cache.Flush();
        _journal.MarkEmpty();
        _pendingFree.Clear();
    }

    private bool IsPendingFree(uint block) =>
        _journal != null && (_pendingFree.Contains(block) || _pendingFreeThisOperation.Contains(block));
}
