// Block and inode allocation with the group bitmaps (ext4 disk layout, "Block and inode Bitmaps").
// Invariant: a bitmap bit, its group's free count and the superblock's free count change together in the
// same operation; an allocation that finds no room throws ENOSPC before changing anything, and a bitmap
// that disagrees with the counts (a bit already clear on free, no free bit where the count says some)
// is reported as corruption.
// Policy: data blocks go near a goal (the previous block of the file, else the inode's group); new
// directories go to the group with the most free inodes, other inodes to their parent's group; reserved
// blocks (s_r_blocks_count) are not held back (the fs server acts as root).
namespace Biscuit.Fs;

public sealed partial class Ext2FileSystem
{
    private uint GroupOfInode(uint inode) => (inode - 1) / _sb.InodesPerGroup;

    private uint GoalForInode(uint inode) => _sb.FirstDataBlock + GroupOfInode(inode) * _sb.BlocksPerGroup;

    /// <summary>Allocates one block, preferring `goal` and what follows it. With a journal, blocks freed
    /// by the uncommitted transaction are passed over (see Ext2FileSystem.Journaling.cs).</summary>
    private uint AllocateBlock(uint goal)
    {
        if (_sb.FreeBlocksCount == 0)
            throw new FsException(FsError.ENOSPC, "no free blocks");
        if (goal < _sb.FirstDataBlock || goal >= _sb.BlocksCount)
            goal = _sb.FirstDataBlock;
        int startGroup = (int)((goal - _sb.FirstDataBlock) / _sb.BlocksPerGroup);
        bool passedOverPending = false;
        for (int i = 0; i < _groups.Length; i++)
        {
            int g = (startGroup + i) % _groups.Length;
            if (_groups[g].FreeBlocks == 0)
                continue;
            uint bits = BlocksInGroup(g);
            uint from = i == 0 ? (goal - _sb.FirstDataBlock) % _sb.BlocksPerGroup : 0;
            var bitmap = _cache.Get(_groups[g].BlockBitmap);
            uint groupStart = _sb.FirstDataBlock + (uint)g * _sb.BlocksPerGroup;
            int bit = FindClearBit(bitmap, bits, from);
            if (bit < 0)
                throw FsException.Corrupt($"group {g} counts {_groups[g].FreeBlocks} free blocks but its bitmap is full");
            int firstFound = bit;
            while (bit >= 0 && IsPendingFree(groupStart + (uint)bit))
            {
                passedOverPending = true;
                bit = FindClearBit(bitmap, bits, ((uint)bit + 1) % bits);
                if (bit == firstFound)
                    bit = -1; // wrapped around: every free block of the group is pending
            }
            if (bit < 0)
                continue;
            SetBit(_cache.GetForWrite(_groups[g].BlockBitmap), bit);
            _groups[g].FreeBlocks--;
            _sb.FreeBlocksCount--;
            SaveGroup(g);
            SaveSuperblock();
            return groupStart + (uint)bit;
        }
        if (passedOverPending)
            throw new PendingFreesException();
        throw FsException.Corrupt($"superblock counts {_sb.FreeBlocksCount} free blocks but no group has any");
    }

    private void FreeBlock(uint block)
    {
        if (block < _sb.FirstDataBlock || block >= _sb.BlocksCount)
            throw FsException.Corrupt($"freeing block {block} outside the file system");
        int g = (int)((block - _sb.FirstDataBlock) / _sb.BlocksPerGroup);
        int bit = (int)((block - _sb.FirstDataBlock) % _sb.BlocksPerGroup);
        var bitmap = _cache.GetForWrite(_groups[g].BlockBitmap);
        if (!TestBit(bitmap, bit))
            throw FsException.Corrupt($"block {block} is freed twice (already free in the bitmap)");
        ClearBit(bitmap, bit);
        if (_journal != null)
            _pendingFreeThisOperation.Add(block);
        _groups[g].FreeBlocks++;
        _sb.FreeBlocksCount++;
        SaveGroup(g);
        SaveSuperblock();
    }

    private uint AllocateInode(uint parent, bool directory)
    {
        if (_sb.FreeInodesCount == 0)
            throw new FsException(FsError.ENOSPC, "no free inodes");
        int startGroup = (int)GroupOfInode(parent);
        if (directory)
        {
            for (int g = 0; g < _groups.Length; g++)
                if (_groups[g].FreeInodes > _groups[startGroup].FreeInodes)
                    startGroup = g;
        }
        for (int i = 0; i < _groups.Length; i++)
        {
            int g = (startGroup + i) % _groups.Length;
            if (_groups[g].FreeInodes == 0)
                continue;
            uint firstIndex = g == 0 ? _sb.FirstInode - 1 : 0; // reserved inodes live in group 0
            int bit = FindClearBit(_cache.Get(_groups[g].InodeBitmap), _sb.InodesPerGroup, firstIndex, wrap: false);
            if (bit < 0)
                throw FsException.Corrupt($"group {g} counts {_groups[g].FreeInodes} free inodes but its bitmap is full");
            SetBit(_cache.GetForWrite(_groups[g].InodeBitmap), bit);
            _groups[g].FreeInodes--;
            if (directory)
                _groups[g].UsedDirs++;
            _sb.FreeInodesCount--;
            SaveGroup(g);
            SaveSuperblock();
            return (uint)g * _sb.InodesPerGroup + (uint)bit + 1;
        }
        throw FsException.Corrupt($"superblock counts {_sb.FreeInodesCount} free inodes but no group has any");
    }

    private void FreeInodeNumber(uint inode, bool directory)
    {
        int g = (int)GroupOfInode(inode);
        int bit = (int)((inode - 1) % _sb.InodesPerGroup);
        var bitmap = _cache.GetForWrite(_groups[g].InodeBitmap);
        if (!TestBit(bitmap, bit))
            throw FsException.Corrupt($"inode {inode} is freed twice (already free in the bitmap)");
        ClearBit(bitmap, bit);
        _groups[g].FreeInodes++;
        if (directory && _groups[g].UsedDirs > 0)
            _groups[g].UsedDirs--;
        _sb.FreeInodesCount++;
        SaveGroup(g);
        SaveSuperblock();
    }

    /// <summary>First clear bit in [from, bits), then (if wrap) in [0, from); -1 if none.</summary>
    private static int FindClearBit(byte[] bitmap, uint bits, uint from, bool wrap = true)
    {
        int found = ScanClear(bitmap, from, bits);
        if (found < 0 && wrap && from > 0)
            found = ScanClear(bitmap, 0, Math.Min(from, bits));
        return found;
    }

    private static int ScanClear(byte[] bitmap, uint from, uint to)
    {
        uint i = from;
        while (i < to)
        {
            if ((i & 7) == 0 && i + 8 <= to && bitmap[i >> 3] == 0xFF)
            {
                i += 8;
                continue;
            }
            if (!TestBit(bitmap, (int)i))
                return (int)i;
            i++;
        }
        return -1;
    }

    private static bool TestBit(byte[] bitmap, int bit) => (bitmap[bit >> 3] & (1 << (bit & 7))) != 0;
    private static void SetBit(byte[] bitmap, int bit) => bitmap[bit >> 3] |= (byte)(1 << (bit & 7));
    private static void ClearBit(byte[] bitmap, int bit) => bitmap[bit >> 3] &= (byte)~(1 << (bit & 7));
}
