// An in-memory copy of one on-disk inode (ext4 disk layout, "Index Nodes"; struct ext2_inode with the
// Linux osd2 fields). The raw bytes are kept whole (InodeSize bytes) so fields this library does not know
// (extra timestamps, in-inode extended attributes) survive a read-modify-write.
// A copy is not shared: whoever reads an inode, changes it and writes it back (InodeStore.Write) owns it
// for the duration of the operation.
namespace Biscuit.Fs;

using static System.Buffers.Binary.BinaryPrimitives;

public sealed class Inode
{
    public const int DirectBlocks = 12;
    public const int SingleIndirect = 12;
    public const int DoubleIndirect = 13;
    public const int TripleIndirect = 14;
    public const int BlockPointers = 15;
    /// <summary>Bytes of i_block, where a fast symlink keeps its target.</summary>
    public const int FastSymlinkMax = 60;
    public const uint IndexFlag = 0x1000;     // EXT2_INDEX_FL: directory has an htree index
    public const uint ExtentsFlag = 0x80000;  // EXT4_EXTENTS_FL
    public const uint InlineDataFlag = 0x10000000; // EXT4_INLINE_DATA_FL

    public readonly uint Number;
    public readonly byte[] Raw;

    public Inode(uint number, byte[] raw)
    {
        Number = number;
        Raw = raw;
    }

    private uint U32(int at) => ReadUInt32LittleEndian(Raw.AsSpan(at));
    private ushort U16(int at) => ReadUInt16LittleEndian(Raw.AsSpan(at));
    private void SetU32(int at, uint v) => WriteUInt32LittleEndian(Raw.AsSpan(at), v);
    private void SetU16(int at, ushort v) => WriteUInt16LittleEndian(Raw.AsSpan(at), v);

    public ushort Mode { get => U16(0); set => SetU16(0, value); }
    public uint Uid
    {
        get => U16(2) | ((uint)U16(120) << 16);
        set { SetU16(2, (ushort)value); SetU16(120, (ushort)(value >> 16)); }
    }
    public ulong Size
    {
        get => U32(4) | ((ulong)U32(108) << 32);
        set { SetU32(4, (uint)value); SetU32(108, (uint)(value >> 32)); }
    }
    public uint AccessTime { get => U32(8); set => SetU32(8, value); }
    public uint ChangeTime { get => U32(12); set => SetU32(12, value); }
    public uint ModifyTime { get => U32(16); set => SetU32(16, value); }
    public uint DeleteTime { get => U32(20); set => SetU32(20, value); }
    public uint Gid
    {
        get => U16(24) | ((uint)U16(122) << 16);
        set { SetU16(24, (ushort)value); SetU16(122, (ushort)(value >> 16)); }
    }
    public ushort LinksCount { get => U16(26); set => SetU16(26, value); }
    /// <summary>i_blocks: 512-byte sectors held by the inode (data, indirect and xattr blocks).</summary>
    public uint Sectors { get => U32(28); set => SetU32(28, value); }
    public uint Flags { get => U32(32); set => SetU32(32, value); }
    public uint FileAcl { get => U32(104); set => SetU32(104, value); }
    /// <summary>i_generation: set when the number is allocated, so a handle naming (number, generation) cannot reach a later file that reuses the number.</summary>
    public uint Generation { get => U32(100); set => SetU32(100, value); }
    public ushort ExtraIsize { get => Raw.Length > 128 ? U16(128) : (ushort)0; set => SetU16(128, value); }
    public uint CreateTime { set => SetU32(144, value); }

    public uint GetBlock(int index) => U32(40 + 4 * index);
    public void SetBlock(int index, uint block) => SetU32(40 + 4 * index, block);
    /// <summary>i_block as raw bytes (a fast symlink's target lives here).</summary>
    public Span<byte> BlockArea => Raw.AsSpan(40, FastSymlinkMax);

    public FileType Type => FileTypes.FromMode(Mode);
    public bool IsDirectory => Type == FileType.Directory;
    public bool IsRegular => Type == FileType.Regular;
    public bool IsSymlink => Type == FileType.Symlink;
}
