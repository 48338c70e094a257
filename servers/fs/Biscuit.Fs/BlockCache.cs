// Write-back cache of file-system blocks over an IBlockDevice, with per-operation undo.
//
// Capacity is given in bytes (the fs server sizes it from its heap budget). Blocks are kept in LRU order;
// evicting a dirty block writes it first. Buffers of evicted blocks are reused, so a warm cache allocates
// nothing.
//
// Operations: every public file-system call runs between BeginOperation and Commit/Rollback. Inside an
// operation:
//   - every block handed out by Get/GetForWrite/GetFresh is pinned (not evicted, its buffer stays valid)
//     until the operation ends, so callers may hold several block buffers at once;
//   - the first GetForWrite/GetFresh of a block records its prior state; Rollback restores every such block
//     exactly (contents and dirty flag), so a failed operation leaves the disk image as it was.
// File data goes through ReadData/WriteData, which copy in or out at once, do not pin and are not undone:
// the file system writes data only after every allocation of the operation has succeeded.
// Journaling (HoldMetadata): blocks changed through GetForWrite/GetFresh are "metadata"; while dirty they
// are never evicted, because they must not reach their home location before their transaction commits;
// the journal collects them (CollectDirtyMetadata) and the checkpoint (Flush) writes them home.
// Invariant: the cache holds at most one entry per block number; an entry is on the LRU list iff it is
// in the map. Single-threaded: the owner (the fs server's request loop) serialises all calls.
namespace Biscuit.Fs;

public sealed class BlockCache
{
    private sealed class Entry
    {
        public long Number;
        public byte[] Data = null!;
        public bool Dirty;
        public bool Metadata; // changed through GetForWrite/GetFresh (journaled), not WriteData
        public long PinnedBy; // operation id that pinned it; 0 = unpinned
        public LinkedListNode<Entry> LruNode = null!;
    }

    private readonly struct UndoRecord(byte[]? original, bool wasDirty, bool wasMetadata)
    {
        public readonly byte[]? Original = original; // null: the block was not cached before the operation
        public readonly bool WasDirty = wasDirty;
        public readonly bool WasMetadata = wasMetadata;
    }

    private readonly IBlockDevice _device;
    private readonly int _deviceBlocksPerBlock;
    private readonly int _capacityBlocks;
    private readonly Dictionary<long, Entry> _entries = new();
    private readonly LinkedList<Entry> _lru = new(); // front: most recently used
    private readonly Stack<byte[]> _spareBuffers = new();
    private readonly Dictionary<long, UndoRecord> _undo = new();
    private readonly List<Entry> _writeBackList = new(); // reused by Flush and WriteBackData
    private long _currentOperation; // 0 when no operation is open
    private long _lastOperation;

    public int BlockSize { get; }
    public long BlockCount { get; }
    public bool ReadOnly { get; }

    /// <summary>Lookups answered from the cache.</summary>
    public long Hits { get; private set; }
    /// <summary>Lookups that had to read the device.</summary>
    public long Misses { get; private set; }
    /// <summary>Blocks written to the device.</summary>
    public long BlocksWritten { get; private set; }

    public BlockCache(IBlockDevice device, int blockSize, long capacityBytes, bool readOnly = false)
    {
        if (blockSize % device.BlockSize != 0)
            throw new FsException(FsError.EINVAL,
                $"file-system block size {blockSize} is not a multiple of the device block size {device.BlockSize}");
        _device = device;
        BlockSize = blockSize;
        ReadOnly = readOnly;
        _deviceBlocksPerBlock = blockSize / device.BlockSize;
        BlockCount = device.BlockCount / _deviceBlocksPerBlock;
        _capacityBlocks = (int)Math.Clamp(capacityBytes / blockSize, 8, int.MaxValue);
    }

    public bool InOperation => _currentOperation != 0;

    public void BeginOperation()
    {
        if (_currentOperation != 0)
            throw new InvalidOperationException("nested file-system operation");
        _currentOperation = ++_lastOperation;
    }

    /// <summary>Ends the operation keeping its changes (they stay dirty in the cache until Flush).</summary>
    public void Commit()
    {
        foreach (var (_, record) in _undo)
            if (record.Original != null)
                _spareBuffers.Push(record.Original);
        _undo.Clear();
        _currentOperation = 0;
        TrimToCapacity();
    }

    /// <summary>Ends the operation restoring every block it modified to its prior state.</summary>
    public void Rollback()
    {
        foreach (var (number, record) in _undo)
        {
            if (!_entries.TryGetValue(number, out var entry))
                continue; // recorded, but reading it in failed: nothing to undo
            if (record.Original == null)
            {
                Remove(entry); // was not cached: the device still holds the old contents
            }
            else
            {
                record.Original.CopyTo(entry.Data, 0);
                SetState(entry, record.WasDirty, record.WasMetadata);
                _spareBuffers.Push(record.Original);
            }
        }
        _undo.Clear();
        _currentOperation = 0;
        TrimToCapacity();
    }

    /// <summary>The block's buffer for reading. Valid until the current operation ends.</summary>
    public byte[] Get(long number) => Lookup(number, read: true).Data;

    /// <summary>The block's buffer for modification: marks it dirty and records undo state.</summary>
    public byte[] GetForWrite(long number)
    {
        CheckWritable();
        var entry = _entries.TryGetValue(number, out var cached) ? cached : null;
        RecordUndo(number, entry);
        entry = Lookup(number, read: true);
        SetState(entry, dirty: true, metadata: true);
        return entry.Data;
    }

    /// <summary>A newly allocated block: zero-filled without reading the device, dirty, undoable.</summary>
    public byte[] GetFresh(long number)
    {
        CheckWritable();
        var entry = _entries.TryGetValue(number, out var cached) ? cached : null;
        RecordUndo(number, entry);
        entry = Lookup(number, read: false);
        Array.Clear(entry.Data);
        SetState(entry, dirty: true, metadata: true);
        return entry.Data;
    }

    /// <summary>Copies file data out of a block.</summary>
    public void ReadData(long number, int offset, Span<byte> destination)
    {
        var entry = Lookup(number, read: true, pin: false);
        entry.Data.AsSpan(offset, destination.Length).CopyTo(destination);
    }

    /// <summary>Copies file data into a block (not undone). fresh: the block was just allocated, so bytes
    /// outside the written range are zero, not whatever the device held.</summary>
    public void WriteData(long number, int offset, ReadOnlySpan<byte> source, bool fresh)
    {
        CheckWritable();
        bool whole = offset == 0 && source.Length == BlockSize;
        var entry = Lookup(number, read: !fresh && !whole, pin: false);
        if (fresh && !whole)
            Array.Clear(entry.Data);
        source.CopyTo(entry.Data.AsSpan(offset));
        SetState(entry, dirty: true, entry.Metadata);
    }

    /// <summary>Writes every dirty block (in block order) and flushes the device.</summary>
    public void Flush()
    {
        if (_currentOperation != 0)
            throw new InvalidOperationException("flush inside an operation would write uncommitted changes");
        if (ReadOnly)
            return;
        WriteBackWhere(metadataToo: true);
        _device.Flush();
    }

    /// <summary>Lets go of every clean cached block and every spare buffer, so that a collection can
    /// give their memory back (the Shrink request, issue 8 item 5). Dirty blocks stay — file data not yet
    /// written home, and metadata waiting for its journal commit — so nothing unwritten is lost and the
    /// journal's state is untouched. Only between operations (no block is pinned or undoable then).
    /// Returns the bytes of block buffers released.</summary>
    public long DropClean()
    {
        if (_currentOperation != 0)
            throw new InvalidOperationException("dropping cached blocks inside an operation");
        var node = _lru.Last;
        while (node != null)
        {
            var previous = node.Previous;
            if (!node.Value.Dirty)
                Remove(node.Value); // its buffer joins the spares, released below
            node = previous;
        }
        long released = (long)_spareBuffers.Count * BlockSize;
        _spareBuffers.Clear();
        _spareBuffers.TrimExcess();
        return released;
    }

    /// <summary>Number of blocks currently cached.</summary>
    public int Count => _entries.Count;

    /// <summary>True if block `number` is cached (clean or dirty). A block that is not cached reads
    /// the same from the device as through the cache: a dirty block is written before it is evicted,
    /// and dirty journaled metadata is never evicted. Direct reads (Ext2FileSystem.DirectRead.cs)
    /// rely on this. Neither a hit nor a miss.</summary>
    public bool Holds(long number) => _entries.ContainsKey(number);

    /// <summary>Journaling: dirty metadata blocks are never evicted (written home before their
    /// transaction commits); only Flush, run as the checkpoint after the commit, writes them.</summary>
    public bool HoldMetadata { get; set; }

    /// <summary>Blocks changed through GetForWrite/GetFresh by the current operation so far.</summary>
    public int OperationBlockCount => _undo.Count;

    /// <summary>Dirty metadata blocks (the next transaction), in block order; buffers stay valid until
    /// the next cache call that may evict.</summary>
    public void CollectDirtyMetadata(List<(long Home, byte[] Data)> output)
    {
        foreach (var entry in _lru)
            if (entry.Dirty && entry.Metadata)
                output.Add((entry.Number, entry.Data));
        output.Sort((a, b) => a.Home.CompareTo(b.Home));
    }

    /// <summary>Cached blocks that are dirty metadata (kept exact by SetState and Remove).</summary>
    public int DirtyMetadataCount { get; private set; }

    /// <summary>Capacity in blocks (CacheBytes / block size).</summary>
    public int CapacityBlocks => _capacityBlocks;

    private void SetState(Entry entry, bool dirty, bool metadata)
    {
        if (entry.Dirty && entry.Metadata)
            DirtyMetadataCount--;
        entry.Dirty = dirty;
        entry.Metadata = metadata;
        if (dirty && metadata)
            DirtyMetadataCount++;
    }

    /// <summary>Writes the dirty file-data blocks (not metadata) home: ordered mode writes data before
    /// the metadata that refers to it commits.</summary>
    public void WriteBackData()
    {
        if (_currentOperation != 0)
            throw new InvalidOperationException("write-back inside an operation");
        WriteBackWhere(metadataToo: false);
    }

    /// <summary>Writes dirty blocks (all, or data only) in block order.</summary>
    private void WriteBackWhere(bool metadataToo)
    {
        _writeBackList.Clear();
        foreach (var entry in _lru)
            if (entry.Dirty && (metadataToo || !entry.Metadata))
                _writeBackList.Add(entry);
        _writeBackList.Sort((a, b) => a.Number.CompareTo(b.Number));
        foreach (var entry in _writeBackList)
            WriteBack(entry);
        _writeBackList.Clear();
    }

    private void CheckWritable()
    {
        if (ReadOnly)
            throw new FsException(FsError.EROFS, "file system mounted read-only");
        if (_currentOperation == 0)
            throw new InvalidOperationException("block modified outside an operation");
    }

    private void RecordUndo(long number, Entry? entry)
    {
        if (_undo.ContainsKey(number))
            return;
        if (entry == null)
        {
            _undo[number] = new UndoRecord(null, false, false);
            return;
        }
        var copy = RentBuffer();
        entry.Data.CopyTo(copy, 0);
        _undo[number] = new UndoRecord(copy, entry.Dirty, entry.Metadata);
    }

    private Entry Lookup(long number, bool read, bool pin = true)
    {
        if (number < 0 || number >= BlockCount)
            throw new FsException(FsError.EIO, $"block {number} beyond the end of the device ({BlockCount} blocks)");
        if (_entries.TryGetValue(number, out var entry))
        {
            Hits++;
            _lru.Remove(entry.LruNode);
            _lru.AddFirst(entry.LruNode);
        }
        else
        {
            Misses++;
            TrimToCapacity(reserve: 1); // before inserting, so the new entry itself is never the victim
            entry = new Entry { Number = number, Data = RentBuffer() };
            if (read)
                _device.ReadBlocks(number * _deviceBlocksPerBlock, entry.Data);
            else
                Array.Clear(entry.Data);
            entry.LruNode = _lru.AddFirst(entry);
            _entries[number] = entry;
        }
        if (pin && _currentOperation != 0)
            entry.PinnedBy = _currentOperation;
        return entry;
    }

    /// <summary>Evicts unpinned, non-undoable blocks (least recently used first) until `reserve` more
    /// would fit. Pinned blocks may make the cache exceed its capacity until their operation ends.</summary>
    private void TrimToCapacity(int reserve = 0)
    {
        var node = _lru.Last;
        while (_entries.Count + reserve > _capacityBlocks && node != null)
        {
            var previous = node.Previous;
            var entry = node.Value;
            bool pinned = _currentOperation != 0 && entry.PinnedBy == _currentOperation;
            bool undoable = _undo.ContainsKey(entry.Number);
            bool awaitingCommit = HoldMetadata && entry.Dirty && entry.Metadata;
            if (!pinned && !undoable && !awaitingCommit)
            {
                if (entry.Dirty)
                    WriteBack(entry);
                Remove(entry);
            }
            node = previous;
        }
    }

    private void WriteBack(Entry entry)
    {
        _device.WriteBlocks(entry.Number * _deviceBlocksPerBlock, entry.Data);
        SetState(entry, dirty: false, metadata: false);
        BlocksWritten++;
    }

    private void Remove(Entry entry)
    {
        SetState(entry, dirty: false, metadata: false);
        _lru.Remove(entry.LruNode);
        _entries.Remove(entry.Number);
        _spareBuffers.Push(entry.Data);
    }

    private byte[] RentBuffer() => _spareBuffers.Count > 0 ? _spareBuffers.Pop() : new byte[BlockSize];
}
