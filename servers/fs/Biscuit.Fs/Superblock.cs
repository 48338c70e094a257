// The ext2 superblock: 1024 bytes at byte offset 1024 of the device (ext4 disk layout, "Super Block";
// e2fsprogs ext2_fs.h struct ext2_super_block). Holds the raw bytes and exposes the fields this library
// uses; fields it does not know stay untouched when the superblock is written back.
// Invariant after Validate: every geometry field is consistent (block size, group counts, inode size,
// first data block) and fits the device, so later arithmetic on them cannot overflow or go out of range.
namespace Biscuit.Fs;

using static System.Buffers.Binary.BinaryPrimitives;

public sealed class Superblock
{
    public const int Offset = 1024;
    public const int Size = 1024;
    public const ushort Magic = 0xEF53;
    public const ushort StateValid = 1;

    /// <summary>The on-disk bytes; owned by the FileSystem, written back through the cache.</summary>
    public readonly byte[] Raw;

    public Superblock(ReadOnlySpan<byte> raw)
    {
        Raw = raw[..Size].ToArray();
    }

    private uint U32(int at) => ReadUInt32LittleEndian(Raw.AsSpan(at));
    private ushort U16(int at) => ReadUInt16LittleEndian(Raw.AsSpan(at));
    private void SetU32(int at, uint v) => WriteUInt32LittleEndian(Raw.AsSpan(at), v);
    private void SetU16(int at, ushort v) => WriteUInt16LittleEndian(Raw.AsSpan(at), v);

    public uint InodesCount => U32(0);
    public uint BlocksCount => U32(4);
    public uint FreeBlocksCount { get => U32(12); set => SetU32(12, value); }
    public uint FreeInodesCount { get => U32(16); set => SetU32(16, value); }
    public uint FirstDataBlock => U32(20);
    public uint LogBlockSize => U32(24);
    public uint LogClusterSize => U32(28);
    public uint BlocksPerGroup => U32(32);
    public uint ClustersPerGroup => U32(36);
    public uint InodesPerGroup => U32(40);
    public uint WriteTime { get => U32(48); set => SetU32(48, value); }
    public ushort MagicValue => U16(56);
    public ushort State => U16(58);
    public uint RevLevel => U32(76);
    public uint FirstInode => RevLevel == 0 ? 11u : U32(84);
    public int InodeSize => RevLevel == 0 ? 128 : U16(88);
    public uint FeatureCompat => RevLevel == 0 ? 0 : U32(92);
    public uint FeatureIncompat { get => RevLevel == 0 ? 0 : U32(96); set => SetU32(96, value); }
    public uint FeatureRoCompat { get => RevLevel == 0 ? 0 : U32(100); set => SetU32(100, value); }
    public ushort DescriptorSize => U16(254);
    public uint JournalInode => U32(224);
    /// <summary>s_last_orphan: head of the on-disk list of unlinked-but-open inodes (chained by i_dtime).</summary>
    public uint LastOrphan { get => U32(232); set => SetU32(232, value); }
    public bool HasJournal => (FeatureCompat & Features.CompatHasJournal) != 0;
    public ushort WantExtraIsize => U16(350);

    public int BlockSize => 1024 << (int)LogBlockSize;
    public uint GroupCount => (BlocksCount - FirstDataBlock + BlocksPerGroup - 1) / BlocksPerGroup;
    public bool HasFiletype => (FeatureIncompat & Features.IncompatFiletype) != 0;

    /// <summary>Checks magic and geometry against a device of deviceBytes bytes; throws EUCLEAN naming
    /// the bad field.</summary>
    public void Validate(long deviceBytes)
    {
        if (MagicValue != Magic)
            throw FsException.Corrupt($"bad superblock magic 0x{MagicValue:x4} (expected 0x{Magic:x4}): not an ext2/3/4 file system");
        if (RevLevel > 1)
            throw new FsException(FsError.EOPNOTSUPP, $"superblock revision {RevLevel} is not supported (0 or 1)");
        if (LogBlockSize > 2)
            throw new FsException(FsError.EOPNOTSUPP, $"block size 1024<<{LogBlockSize} is not supported (1, 2 or 4 KiB)");
        if (LogClusterSize != LogBlockSize)
            throw new FsException(FsError.EOPNOTSUPP, "cluster size differs from block size (bigalloc)");
        int bs = BlockSize;
        uint expectedFirst = bs == 1024 ? 1u : 0u;
        if (FirstDataBlock != expectedFirst)
            throw FsException.Corrupt($"first data block {FirstDataBlock} (expected {expectedFirst} for {bs}-byte blocks)");
        if (BlocksCount <= FirstDataBlock + 1)
            throw FsException.Corrupt($"block count {BlocksCount} is too small");
        if ((long)BlocksCount * bs > deviceBytes)
            throw FsException.Corrupt($"block count {BlocksCount} x {bs} bytes is beyond the device ({deviceBytes} bytes)");
        if (BlocksPerGroup == 0 || BlocksPerGroup > 8 * bs)
            throw FsException.Corrupt($"blocks per group {BlocksPerGroup} is out of range (1..{8 * bs})");
        if (InodesPerGroup == 0 || InodesPerGroup > 8 * bs)
            throw FsException.Corrupt($"inodes per group {InodesPerGroup} is out of range (1..{8 * bs})");
        int inodeSize = InodeSize;
        if (inodeSize < 128 || inodeSize > bs || (inodeSize & (inodeSize - 1)) != 0)
            throw FsException.Corrupt($"inode size {inodeSize} is not a power of two in 128..{bs}");
        if ((long)GroupCount * InodesPerGroup != InodesCount)
            throw FsException.Corrupt($"inode count {InodesCount} != {GroupCount} groups x {InodesPerGroup} inodes per group");
        if (FirstInode < 11 || FirstInode >= InodesCount)
            throw FsException.Corrupt($"first non-reserved inode {FirstInode} is out of range");
        if (FreeBlocksCount > BlocksCount)
            throw FsException.Corrupt($"free block count {FreeBlocksCount} exceeds block count {BlocksCount}");
        if (FreeInodesCount > InodesCount)
            throw FsException.Corrupt($"free inode count {FreeInodesCount} exceeds inode count {InodesCount}");
    }
}
