// One block-group descriptor (32-byte ext2 layout, ext4 disk layout "Block Group Descriptors"). The table
// starts in the block after the superblock's block (FirstDataBlock + 1). This library keeps the descriptors
// parsed in memory and writes the changed one back through the cache whenever a count changes.
namespace Biscuit.Fs;

using static System.Buffers.Binary.BinaryPrimitives;

public sealed class GroupDescriptor
{
    public const int Size = 32;

    public uint BlockBitmap;
    public uint InodeBitmap;
    public uint InodeTable;
    public uint FreeBlocks;
    public uint FreeInodes;
    public uint UsedDirs;

    public static GroupDescriptor Parse(ReadOnlySpan<byte> raw) => new()
    {
        BlockBitmap = ReadUInt32LittleEndian(raw),
        InodeBitmap = ReadUInt32LittleEndian(raw[4..]),
        InodeTable = ReadUInt32LittleEndian(raw[8..]),
        FreeBlocks = ReadUInt16LittleEndian(raw[12..]),
        FreeInodes = ReadUInt16LittleEndian(raw[14..]),
        UsedDirs = ReadUInt16LittleEndian(raw[16..]),
    };

    /// <summary>Writes the fields this library changes (counts); the others are kept as they are.</summary>
    public void WriteCounts(Span<byte> raw)
    {
        WriteUInt16LittleEndian(raw[12..], (ushort)FreeBlocks);
        WriteUInt16LittleEndian(raw[14..], (ushort)FreeInodes);
        WriteUInt16LittleEndian(raw[16..], (ushort)UsedDirs);
    }
}
