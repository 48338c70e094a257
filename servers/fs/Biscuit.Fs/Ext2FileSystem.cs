// An ext2 (revision 0/1) file system over an IBlockDevice: mounting, geometry, and the operation scope
// every public call runs in. The operations themselves live in the other Ext2FileSystem.*.cs files.
//
// Invariants:
//   - Mount validates the superblock, every group descriptor, the root, the orphan list and the journal
//     before it writes anything; a refused mount writes nothing.
//   - Every public operation runs inside one BlockCache operation. If it throws, the cache rolls back
//     every metadata block it changed and the in-memory superblock, group descriptors and lookup cache are
//     reloaded or cleared, so a failed operation leaves the file system exactly as before.
//   - The free counts in the superblock and in the group descriptors are changed together with the bitmap
//     bit, inside the same operation (Ext2FileSystem.Allocation.cs).
//   - On ext3, a read-write mount journals every operation's metadata (Ext2FileSystem.Journaling.cs);
//     Flush is the group commit, Dispose the clean unmount.
// Not thread-safe: the fs server's request loop serialises calls.
namespace Biscuit.Fs;

public sealed partial class Ext2FileSystem : IDisposable
{
    public const uint RootInode = 2;
    public const int MaxNameLength = 255;
    public const int MaxPathLength = 4096;

    private readonly IBlockDevice _device;
    private readonly BlockCache _cache;          // owned
    private readonly Superblock _sb;             // authoritative copy; written through the cache
    private readonly GroupDescriptor[] _groups;  // parsed descriptor table; written through the cache
    private readonly LookupCache _lookups;
    private readonly Func<uint> _clock;
    private readonly int _blockSize;
    private readonly int _pointersPerBlock;
    private readonly int _inodeSize;
    private readonly uint _sbBlock;              // block holding the superblock
    private readonly int _sbOffsetInBlock;
    private readonly uint _gdtBlock;             // first block of the group descriptor table
    private bool _disposed;

    public bool ReadOnly { get; }
    public int BlockSize => _blockSize;
    public Superblock Superblock => _sb;
    public BlockCache Cache => _cache;
    public LookupCache Lookups => _lookups;

    private Ext2FileSystem(IBlockDevice device, Superblock sb, MountOptions options)
    {
        _device = device;
        _sb = sb;
        ReadOnly = options.ReadOnly;
        _clock = options.Clock;
        _blockSize = sb.BlockSize;
        _pointersPerBlock = _blockSize / 4;
        _inodeSize = sb.InodeSize;
        _sbBlock = (uint)(Superblock.Offset / _blockSize);
        _sbOffsetInBlock = Superblock.Offset % _blockSize;
        _gdtBlock = sb.FirstDataBlock + 1;
        _cache = new BlockCache(device, _blockSize, options.CacheBytes, options.ReadOnly);
        _lookups = new LookupCache(options.LookupCacheEntries);
        _groups = new GroupDescriptor[sb.GroupCount];
    }

    /// <summary>Mounts the file system on device. Throws FsException (EUCLEAN for corruption, EOPNOTSUPP or
    /// EROFS naming an unsupported feature) and then has written nothing.</summary>
    public static Ext2FileSystem Mount(IBlockDevice device, MountOptions? options = null)
    {
        options ??= new MountOptions();
        int headBytes = Math.Max(Superblock.Offset + Superblock.Size, device.BlockSize);
        if (device.BlockSize > 4096 || (long)headBytes > device.BlockCount * device.BlockSize)
            throw new FsException(FsError.EINVAL, "device too small or its block size too large for ext2");
        var head = new byte[(headBytes + device.BlockSize - 1) / device.BlockSize * device.BlockSize];
        device.ReadBlocks(0, head);
        var sb = new Superblock(head.AsSpan(Superblock.Offset, Superblock.Size));
        sb.Validate(device.BlockCount * device.BlockSize);
        Features.CheckMountable(sb, options.ReadOnly);
        if (sb.BlockSize % device.BlockSize != 0)
            throw new FsException(FsError.EINVAL, $"block size {sb.BlockSize} is not a multiple of the device's {device.BlockSize}");
        var fs = new Ext2FileSystem(device, sb, options);
        fs.LoadGroupDescriptors();
        fs.CheckRoot();
        if (!options.ReadOnly)
            fs.OrphanChain(); // checked before anything is written (the journal start writes needs_recovery)
        var mounted = sb.HasJournal && !options.ReadOnly ? fs.StartJournal(options) : fs;
        if (!options.ReadOnly && mounted._sb.LastOrphan != 0)
            mounted.Run(modifies: true, mounted.ReleaseAllOrphans); // left by a crash: Linux does the same
        return mounted;
    }

    private void LoadGroupDescriptors()
    {
        int perBlock = _blockSize / GroupDescriptor.Size;
        uint tableBlocks = (uint)((_groups.Length + perBlock - 1) / perBlock);
        if (_gdtBlock + tableBlocks > _sb.BlocksCount)
            throw FsException.Corrupt("group descriptor table extends beyond the file system");
        long inodeTableBlocks = ((long)_sb.InodesPerGroup * _inodeSize + _blockSize - 1) / _blockSize;
        long freeBlocks = 0, freeInodes = 0;
        for (int g = 0; g < _groups.Length; g++)
        {
            var raw = _cache.Get(_gdtBlock + (uint)(g / perBlock));
            var gd = GroupDescriptor.Parse(raw.AsSpan(g % perBlock * GroupDescriptor.Size, GroupDescriptor.Size));
            CheckMetadataBlock(gd.BlockBitmap, 1, $"group {g} block bitmap");
            CheckMetadataBlock(gd.InodeBitmap, 1, $"group {g} inode bitmap");
            CheckMetadataBlock(gd.InodeTable, inodeTableBlocks, $"group {g} inode table");
            if (gd.FreeBlocks > BlocksInGroup(g))
                throw FsException.Corrupt($"group {g} free block count {gd.FreeBlocks} exceeds its {BlocksInGroup(g)} blocks");
            if (gd.FreeInodes > _sb.InodesPerGroup)
                throw FsException.Corrupt($"group {g} free inode count {gd.FreeInodes} exceeds {_sb.InodesPerGroup}");
            freeBlocks += gd.FreeBlocks;
            freeInodes += gd.FreeInodes;
            _groups[g] = gd;
        }
        // Like Linux ext4, trust the per-group counts: the superblock totals are a cached sum of them.
        _sb.FreeBlocksCount = (uint)freeBlocks;
        _sb.FreeInodesCount = (uint)freeInodes;
    }

    private void CheckMetadataBlock(uint block, long length, string what)
    {
        if (block < _sb.FirstDataBlock || block + length > _sb.BlocksCount)
            throw FsException.Corrupt($"{what} at block {block} (+{length}) is outside the file system (blocks {_sb.FirstDataBlock}..{_sb.BlocksCount - 1})");
    }

    private void CheckRoot()
    {
        var root = ReadInode(RootInode);
        if (!root.IsDirectory || root.LinksCount == 0)
            throw FsException.Corrupt("root inode 2 is not a directory in use");
    }

    private uint BlocksInGroup(int group) =>
        (uint)Math.Min(_sb.BlocksPerGroup, _sb.BlocksCount - _sb.FirstDataBlock - (long)group * _sb.BlocksPerGroup);

    private uint Now() => _clock();

    /// <summary>Runs one public operation with rollback on failure (see the invariants above). With a
    /// journal, an allocation that found only blocks freed in the uncommitted transaction commits that
    /// transaction and runs the operation once more.</summary>
    private T Run<T>(bool modifies, Func<T> body)
    {
        for (int attempt = 0; ; attempt++)
        {
            Begin(modifies);
            T result;
            try
            {
                result = body();
                Commit();
            }
            catch (PendingFreesException) when (attempt == 0)
            {
                Abort();
                Flush();
                continue;
            }
            catch
            {
                Abort();
                throw;
            }
            AfterOperation();
            return result;
        }
    }

    private void Run(bool modifies, Action body) => Run<bool>(modifies, () => { body(); return true; });

    // The same scope, spelled out for operations whose arguments are spans (which lambdas cannot capture):
    // Begin; Commit on success or Abort on any exception; AfterOperation once the operation is over.
    private void Begin(bool modifies)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (modifies && ReadOnly)
            throw new FsException(FsError.EROFS, "file system mounted read-only");
        _cache.BeginOperation();
    }

    private void Commit()
    {
        if (_journal != null && _cache.OperationBlockCount > _transactionLimit)
            throw new FsException(FsError.ENOSPC,
                $"operation changes {_cache.OperationBlockCount} metadata blocks, more than one journal transaction may hold ({_transactionLimit})");
        _cache.Commit();
        _pendingFree.UnionWith(_pendingFreeThisOperation);
        _pendingFreeThisOperation.Clear();
    }

    private void Abort()
    {
        // An operation that changed no block (a failed lookup, say) changed no in-memory state either:
        // keep the caches it may have warmed.
        bool changed = _cache.OperationBlockCount > 0;
        _cache.Rollback();
        _pendingFreeThisOperation.Clear();
        if (changed)
            ReloadAfterRollback();
    }

    private void ReloadAfterRollback()
    {
        _cache.Get(_sbBlock).AsSpan(_sbOffsetInBlock, Superblock.Size).CopyTo(_sb.Raw);
        int perBlock = _blockSize / GroupDescriptor.Size;
        for (int g = 0; g < _groups.Length; g++)
        {
            var raw = _cache.Get(_gdtBlock + (uint)(g / perBlock));
            _groups[g] = GroupDescriptor.Parse(raw.AsSpan(g % perBlock * GroupDescriptor.Size, GroupDescriptor.Size));
        }
        _lookups.Clear();
        _roomHints.Clear();
        ReloadOrphans();
    }

    private void SaveSuperblock()
    {
        _sb.Raw.CopyTo(_cache.GetForWrite(_sbBlock).AsSpan(_sbOffsetInBlock));
    }

    private void SaveGroup(int group)
    {
        int perBlock = _blockSize / GroupDescriptor.Size;
        var raw = _cache.GetForWrite(_gdtBlock + (uint)(group / perBlock));
        _groups[group].WriteCounts(raw.AsSpan(group % perBlock * GroupDescriptor.Size, GroupDescriptor.Size));
    }

    /// <summary>Flushes and detaches; the device stays open (its owner disposes it). With a journal, the
    /// log is emptied first and only then is needs_recovery cleared, by writing the superblock home
    /// directly: a crash in between leaves needs_recovery set over an empty log, which is harmless.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        if (!ReadOnly)
        {
            if (_sb.LastOrphan != 0)
                Run(modifies: true, ReleaseAllOrphans); // nobody holds anything after unmount
            Flush();
            if (_journal != null)
            {
                _sb.FeatureIncompat &= ~Features.IncompatRecover;
                _cache.BeginOperation();
                SaveSuperblock();
                _cache.Commit();
                _cache.Flush(); // only the superblock is dirty: written in place, outside the journal
            }
        }
        _disposed = true;
    }

    /// <summary>Free blocks and free inodes, as statfs(2) reports them.</summary>
    public (uint FreeBlocks, uint FreeInodes) FreeCounts => (_sb.FreeBlocksCount, _sb.FreeInodesCount);
}
