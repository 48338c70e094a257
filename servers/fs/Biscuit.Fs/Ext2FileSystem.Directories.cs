// Linear directories (ext4 disk layout, "Linear (Classic) Directories"): each block is a chain of entries
// { inode u32, rec_len u16, name_len u8, file_type u8, name } (without the filetype feature, name_len is
// u16 and there is no type byte). rec_len chains entries to the end of the block; inode 0 marks an unused
// entry. Every entry read is validated like Linux's ext2_check_page: rec_len >= 12, a multiple of 4, large
// enough for the name, not crossing the block end; inode number in range.
// dir_index (htree) directories read correctly as linear ones (index blocks look like empty entries);
// any change to such a directory clears EXT2_INDEX_FL, so the now-stale index is never trusted.
namespace Biscuit.Fs;

using System.Text;
using static System.Buffers.Binary.BinaryPrimitives;

public sealed partial class Ext2FileSystem
{
    private const int EntryHeader = 8;

    /// <summary>Where a directory entry is: its block, its offset, and the previous entry in the block.</summary>
    private readonly record struct EntrySlot(long Logical, uint Block, int Offset, int PreviousOffset, uint Inode, FileType Type);

    // Where AddEntry starts looking for room, per directory inode: the block where it last found or made
    // room, lowered when an entry is removed. Blocks before it may still fit a shorter name; using them
    // less is the price of creating many names in O(1) instead of rescanning the directory each time.
    // Cleared on rollback; an entry is dropped when its directory is freed. Owner: Ext2FileSystem.
    private readonly Dictionary<uint, long> _roomHints = new();
    private const int MaxRoomHints = 4096;

    private readonly record struct RawEntry(uint Inode, int RecLen, int NameLen, FileType Type);

    private static int EntrySize(int nameLength) => (EntryHeader + nameLength + 3) & ~3;

    private RawEntry ParseEntry(byte[] block, int offset, Inode dir, long logical)
    {
        if (offset + EntryHeader > _blockSize)
            throw BadEntry(dir, logical, offset, "entry header crosses the block end");
        var span = block.AsSpan(offset);
        uint inode = ReadUInt32LittleEndian(span);
        int recLen = ReadUInt16LittleEndian(span[4..]);
        int nameLen = _sb.HasFiletype ? span[6] : ReadUInt16LittleEndian(span[6..]);
        var type = _sb.HasFiletype ? (FileType)span[7] : FileType.Unknown;
        if (recLen < 12 || (recLen & 3) != 0)
            throw BadEntry(dir, logical, offset, $"rec_len {recLen} is not a multiple of 4 of at least 12");
        if (recLen < EntrySize(nameLen))
            throw BadEntry(dir, logical, offset, $"rec_len {recLen} is too small for a name of {nameLen} bytes");
        if (offset + recLen > _blockSize)
            throw BadEntry(dir, logical, offset, $"rec_len {recLen} crosses the block end");
        if (inode > _sb.InodesCount || (inode != 0 && nameLen == 0))
            throw BadEntry(dir, logical, offset, $"inode {inode} / name length {nameLen} is invalid");
        return new RawEntry(inode, recLen, nameLen, type);
    }

    private static FsException BadEntry(Inode dir, long logical, int offset, string what) =>
        FsException.Corrupt($"directory inode {dir.Number}, block {logical}, offset {offset}: {what}");

    private long DirectoryBlocks(Inode dir)
    {
        if (dir.Size % (ulong)_blockSize != 0)
            throw FsException.Corrupt($"directory inode {dir.Number} has size {dir.Size}, not a multiple of the block size");
        return (long)(dir.Size / (ulong)_blockSize);
    }

    private uint DirectoryBlock(Inode dir, long logical)
    {
        uint block = MapBlock(dir, logical);
        if (block == 0)
            throw FsException.Corrupt($"directory inode {dir.Number} has a hole at block {logical}");
        return block;
    }

    /// <summary>Finds `name` in directory `dir`; false if absent.</summary>
    private bool FindEntry(Inode dir, ReadOnlySpan<byte> name, out EntrySlot slot)
    {
        long blocks = DirectoryBlocks(dir);
        for (long logical = 0; logical < blocks; logical++)
        {
            uint physical = DirectoryBlock(dir, logical);
            var data = _cache.Get(physical);
            int previous = -1;
            for (int offset = 0; offset < _blockSize;)
            {
                var e = ParseEntry(data, offset, dir, logical);
                if (e.Inode != 0 && e.NameLen == name.Length &&
                    data.AsSpan(offset + EntryHeader, e.NameLen).SequenceEqual(name))
                {
                    slot = new EntrySlot(logical, physical, offset, previous, e.Inode, e.Type);
                    return true;
                }
                previous = offset;
                offset += e.RecLen;
            }
        }
        slot = default;
        return false;
    }

    /// <summary>Adds the entry name -> inode to `dir`, reusing slack space or appending a block.
    /// Updates and writes `dir`. The caller has checked that the name is absent.</summary>
    private void AddEntry(Inode dir, ReadOnlySpan<byte> name, uint inode, FileType type)
    {
        int needed = EntrySize(name.Length);
        long blocks = DirectoryBlocks(dir);
        long start = Math.Min(_roomHints.GetValueOrDefault(dir.Number), blocks);
        for (long logical = start; logical < blocks; logical++)
        {
            uint physical = DirectoryBlock(dir, logical);
            var data = _cache.Get(physical);
            for (int offset = 0; offset < _blockSize;)
            {
                var e = ParseEntry(data, offset, dir, logical);
                int used = e.Inode == 0 ? 0 : EntrySize(e.NameLen);
                if (e.RecLen - used >= needed)
                {
                    SetRoomHint(dir.Number, logical);
                    data = _cache.GetForWrite(physical);
                    int at = offset;
                    int recLen = e.RecLen;
                    if (used > 0)
                    {
                        WriteUInt16LittleEndian(data.AsSpan(offset + 4), (ushort)used);
                        at = offset + used;
                        recLen = e.RecLen - used;
                    }
                    WriteEntry(data, at, recLen, name, inode, type);
                    TouchDirectory(dir);
                    return;
                }
                offset += e.RecLen;
            }
        }
        if ((blocks + 1) * _blockSize > MaxFileSize)
            throw new FsException(FsError.EFBIG, $"directory inode {dir.Number} cannot grow");
        uint goal = blocks > 0 ? DirectoryBlock(dir, blocks - 1) + 1 : 0;
        uint fresh = MapOrAllocate(dir, blocks, goal, out _);
        WriteEntry(_cache.GetFresh(fresh), 0, _blockSize, name, inode, type);
        dir.Size += (ulong)_blockSize;
        SetRoomHint(dir.Number, blocks);
        TouchDirectory(dir);
    }

    private void SetRoomHint(uint dir, long logical)
    {
        if (_roomHints.Count >= MaxRoomHints && !_roomHints.ContainsKey(dir))
            _roomHints.Clear();
        _roomHints[dir] = logical;
    }

    private void WriteEntry(byte[] data, int offset, int recLen, ReadOnlySpan<byte> name, uint inode, FileType type)
    {
        var span = data.AsSpan(offset);
        WriteUInt32LittleEndian(span, inode);
        WriteUInt16LittleEndian(span[4..], (ushort)recLen);
        if (_sb.HasFiletype)
        {
            span[6] = (byte)name.Length;
            span[7] = (byte)type;
        }
        else
        {
            WriteUInt16LittleEndian(span[6..], (ushort)name.Length);
        }
        name.CopyTo(span[EntryHeader..]);
    }

    /// <summary>Removes the entry at `slot` (merging it into the previous entry of its block, or marking it
    /// unused if it is the first). Updates and writes `dir`.</summary>
    private void RemoveEntry(Inode dir, EntrySlot slot)
    {
        var data = _cache.GetForWrite(slot.Block);
        int recLen = ReadUInt16LittleEndian(data.AsSpan(slot.Offset + 4));
        if (slot.PreviousOffset >= 0)
        {
            var previousRecLen = data.AsSpan(slot.PreviousOffset + 4);
            WriteUInt16LittleEndian(previousRecLen, (ushort)(ReadUInt16LittleEndian(previousRecLen) + recLen));
        }
        else
        {
            WriteUInt32LittleEndian(data.AsSpan(slot.Offset), 0);
        }
        if (_roomHints.TryGetValue(dir.Number, out long hint) && slot.Logical < hint)
            _roomHints[dir.Number] = slot.Logical;
        TouchDirectory(dir);
    }

    /// <summary>Points the entry at `slot` to another inode (rename over an existing name, "..").</summary>
    private void RetargetEntry(Inode dir, EntrySlot slot, uint inode, FileType type)
    {
        var data = _cache.GetForWrite(slot.Block);
        WriteUInt32LittleEndian(data.AsSpan(slot.Offset), inode);
        if (_sb.HasFiletype)
            data[slot.Offset + 7] = (byte)type;
        TouchDirectory(dir);
    }

    private void TouchDirectory(Inode dir)
    {
        dir.Flags &= ~Inode.IndexFlag; // the htree index (if any) no longer describes the blocks
        dir.ModifyTime = dir.ChangeTime = Now();
        WriteInode(dir);
    }

    /// <summary>True if `dir` holds nothing but "." and "..".</summary>
    private bool IsEmptyDirectory(Inode dir)
    {
        long blocks = DirectoryBlocks(dir);
        for (long logical = 0; logical < blocks; logical++)
        {
            var data = _cache.Get(DirectoryBlock(dir, logical));
            for (int offset = 0; offset < _blockSize;)
            {
                var e = ParseEntry(data, offset, dir, logical);
                if (e.Inode != 0 && !IsDotOrDotDot(data.AsSpan(offset + EntryHeader, e.NameLen)))
                    return false;
                offset += e.RecLen;
            }
        }
        return true;
    }

    private static bool IsDotOrDotDot(ReadOnlySpan<byte> name) =>
        name.Length == 1 && name[0] == '.' || name.Length == 2 && name[0] == '.' && name[1] == '.';

    /// <summary>Appends to `output` the entries of `dir` from byte position `position` on, at most `max`
    /// of them; returns the position after the last one returned (the getdents cookie), or -1 at the end.</summary>
    private long ListEntries(Inode dir, long position, List<DirEntry> output, int max)
    {
        long blocks = DirectoryBlocks(dir);
        int added = 0;
        for (long logical = position / _blockSize; logical < blocks; logical++)
        {
            var data = _cache.Get(DirectoryBlock(dir, logical));
            for (int offset = 0; offset < _blockSize;)
            {
                var e = ParseEntry(data, offset, dir, logical);
                long here = logical * _blockSize + offset;
                offset += e.RecLen;
                if (e.Inode == 0 || here < position)
                    continue;
                if (added >= max)
                    return here;
                string name = Encoding.UTF8.GetString(data, (int)(here - logical * _blockSize) + EntryHeader, e.NameLen);
                var type = _sb.HasFiletype ? e.Type : ReadLiveInode(e.Inode).Type;
                output.Add(new DirEntry(name, e.Inode, type));
                added++;
            }
        }
        return -1;
    }
}
