// The indirect block map (ext4 disk layout, "Direct/Indirect Block Addressing"): i_block[0..11] map the
// first 12 logical blocks, i_block[12] a single-indirect block of P = block_size/4 pointers,
// i_block[13] a double-indirect and i_block[14] a triple-indirect tree. A zero pointer is a hole, which
// reads as zeros. Every pointer followed is checked to lie inside the file system.
// i_blocks counts 512-byte sectors of data and indirect blocks; it is kept exact here.
namespace Biscuit.Fs;

using static System.Buffers.Binary.BinaryPrimitives;

public sealed partial class Ext2FileSystem
{
    /// <summary>Logical blocks a file can map: 12 + P + P^2 + P^3.</summary>
    private long MappableBlocks => 12 + _pointersPerBlock + (long)_pointersPerBlock * _pointersPerBlock +
                                   (long)_pointersPerBlock * _pointersPerBlock * _pointersPerBlock;

    /// <summary>Largest file size: the mappable blocks, capped so that i_blocks (32-bit sectors, no
    /// huge_file) cannot overflow, as Linux's ext2_max_size does.</summary>
    public long MaxFileSize => Math.Min(MappableBlocks * _blockSize, 1L << 40);

    /// <summary>Splits a logical block into the path through the tree: returns the depth (0 direct,
    /// 1..3 indirect levels); path[0] is the i_block slot, path[1..depth] the index at each level.</summary>
    private int BlockPath(long logical, Span<int> path)
    {
        long p = _pointersPerBlock;
        if (logical < Inode.DirectBlocks)
        {
            path[0] = (int)logical;
            return 0;
        }
        logical -= Inode.DirectBlocks;
        if (logical < p)
        {
            path[0] = Inode.SingleIndirect;
            path[1] = (int)logical;
            return 1;
        }
        logical -= p;
        if (logical < p * p)
        {
            path[0] = Inode.DoubleIndirect;
            path[1] = (int)(logical / p);
            path[2] = (int)(logical % p);
            return 2;
        }
        logical -= p * p;
        if (logical < p * p * p)
        {
            path[0] = Inode.TripleIndirect;
            path[1] = (int)(logical / (p * p));
            path[2] = (int)(logical / p % p);
            path[3] = (int)(logical % p);
            return 3;
        }
        throw new FsException(FsError.EFBIG, $"logical block {logical} is beyond the largest file");
    }

    private void CheckBlockPointer(uint block, Inode inode)
    {
        if (block < _sb.FirstDataBlock || block >= _sb.BlocksCount)
            throw FsException.Corrupt($"inode {inode.Number} points to block {block}, outside the file system ({_sb.BlocksCount} blocks)");
    }

    private static uint Pointer(byte[] block, int index) => ReadUInt32LittleEndian(block.AsSpan(index * 4));
    private static void SetPointer(byte[] block, int index, uint value) => WriteUInt32LittleEndian(block.AsSpan(index * 4), value);

    /// <summary>The physical block holding logical block `logical`, or 0 for a hole.</summary>
    private uint MapBlock(Inode inode, long logical)
    {
        Span<int> path = stackalloc int[4];
        int depth = BlockPath(logical, path);
        uint block = inode.GetBlock(path[0]);
        for (int level = 1; level <= depth && block != 0; level++)
        {
            CheckBlockPointer(block, inode);
            block = Pointer(_cache.Get(block), path[level]);
        }
        if (block != 0)
            CheckBlockPointer(block, inode);
        return block;
    }

    /// <summary>The physical block for `logical`, allocating it and any missing indirect blocks.
    /// fresh: the data block was just allocated (its old contents are garbage). The caller writes the inode.</summary>
    private uint MapOrAllocate(Inode inode, long logical, uint goal, out bool fresh)
    {
        Span<int> path = stackalloc int[4];
        int depth = BlockPath(logical, path);
        uint sectorsPerBlock = (uint)(_blockSize / 512);
        fresh = false;
        if (goal == 0)
            goal = GoalForInode(inode.Number);

        uint block = inode.GetBlock(path[0]);
        if (block == 0)
        {
            block = AllocateBlock(goal);
            inode.SetBlock(path[0], block);
            inode.Sectors += sectorsPerBlock;
            if (depth > 0)
                _cache.GetFresh(block);
            else
                fresh = true;
        }
        CheckBlockPointer(block, inode);
        for (int level = 1; level <= depth; level++)
        {
            uint parent = block;
            block = Pointer(_cache.Get(parent), path[level]);
            if (block == 0)
            {
                block = AllocateBlock(parent + 1);
                SetPointer(_cache.GetForWrite(parent), path[level], block);
                inode.Sectors += sectorsPerBlock;
                if (level < depth)
                    _cache.GetFresh(block);
                else
                    fresh = true;
            }
            CheckBlockPointer(block, inode);
        }
        return block;
    }

    /// <summary>Frees every block of the file at logical index >= firstFreed, and every indirect block
    /// left empty. The caller updates i_size and writes the inode.</summary>
    private void FreeBlocksFrom(Inode inode, long firstFreed)
    {
        if (!HasBlockMap(inode))
            return;
        uint sectorsPerBlock = (uint)(_blockSize / 512);
        for (int i = (int)Math.Min(firstFreed, Inode.DirectBlocks); i < Inode.DirectBlocks; i++)
        {
            uint block = inode.GetBlock(i);
            if (block == 0)
                continue;
            CheckBlockPointer(block, inode);
            FreeBlock(block);
            inode.SetBlock(i, 0);
            inode.Sectors -= sectorsPerBlock;
        }
        long p = _pointersPerBlock;
        long treeStart = Inode.DirectBlocks, treeSpan = p;
        for (int level = 1; level <= 3; level++)
        {
            int slot = Inode.DirectBlocks + level - 1;
            uint root = inode.GetBlock(slot);
            if (root != 0 && firstFreed < treeStart + treeSpan)
            {
                long start = Math.Max(0, firstFreed - treeStart);
                if (FreeTree(inode, root, level, start))
                {
                    FreeBlock(root);
                    inode.SetBlock(slot, 0);
                    inode.Sectors -= sectorsPerBlock;
                }
            }
            treeStart += treeSpan;
            treeSpan *= p;
        }
    }

    /// <summary>Frees the part of the subtree under indirect block `block` (of `level` levels) from
    /// relative index `start` on. Returns true if the subtree maps nothing any more (then the caller frees
    /// `block` itself). A block freed twice (a loop in the tree) is reported as corruption.</summary>
    private bool FreeTree(Inode inode, uint block, int level, long start)
    {
        CheckBlockPointer(block, inode);
        uint sectorsPerBlock = (uint)(_blockSize / 512);
        long childSpan = 1;
        for (int i = 1; i < level; i++)
            childSpan *= _pointersPerBlock;
        var pointers = _cache.Get(block);
        bool everything = start == 0; // the whole block goes: no need to clear its entries
        bool empty = true;
        for (int e = 0; e < _pointersPerBlock; e++)
        {
            uint child = Pointer(pointers, e);
            if (child == 0)
                continue;
            long childStart = start - e * childSpan;
            if (childStart >= childSpan)
            {
                empty = false; // entirely before the cut: kept
                continue;
            }
            childStart = Math.Max(0, childStart);
            bool childEmpty = level == 1 || FreeTree(inode, child, level - 1, childStart);
            if (!childEmpty)
            {
                empty = false;
                continue;
            }
            if (level == 1)
                CheckBlockPointer(child, inode);
            FreeBlock(child);
            inode.Sectors -= sectorsPerBlock;
            if (!everything)
                SetPointer(_cache.GetForWrite(block), e, 0);
        }
        return empty;
    }

    /// <summary>False for fast symlinks, whose i_block holds the target text, not block numbers.</summary>
    private bool HasBlockMap(Inode inode) => !(inode.IsSymlink && IsFastSymlink(inode)) &&
        inode.Type is FileType.Regular or FileType.Directory or FileType.Symlink;

    private bool IsFastSymlink(Inode inode)
    {
        uint aclSectors = inode.FileAcl != 0 ? (uint)(_blockSize / 512) : 0;
        return inode.IsSymlink && inode.Sectors - aclSectors == 0;
    }
}
