// The JBD2 journal of an ext3 file system, in its internal journal inode (Linux fs/jbd2, and the ext4
// disk layout documentation, "Journal (jbd2)"). All journal fields are big-endian.
//
// Writing (one transaction per commit, always starting at s_first, so the log never wraps):
//   1. the journal superblock gets s_start = s_first and s_sequence = T;
//   2. descriptor blocks (tags naming the home block of each logged block) and the logged copies
//      (a copy starting with the JBD2 magic is "escaped": stored with it zeroed and flagged);
//   3. device flush, then the commit block of T, then flush: the transaction is durable;
//   (the file system then writes the blocks to their home locations and flushes: the checkpoint)
//   4. MarkEmpty: s_start = 0, s_sequence = T + 1: the log is empty again.
// A crash before 3 completes leaves a log whose transaction has no commit block: replay ignores it and
// the home blocks were not touched yet. A crash after 3 leaves a complete transaction: replay (ours at
// mount, or e2fsck's) rewrites every home block. Revoke records are never needed because the log is
// emptied after every checkpoint; Recover honours them in logs written by Linux.
// Supported journal features: revoke (recovery only). 64-bit block numbers, checksums (v1/v2/v3),
// async commit and fast commits are refused with a clear error.
namespace Biscuit.Fs;

using static System.Buffers.Binary.BinaryPrimitives;

public sealed class Journal
{
    public const uint Magic = 0xC03B3998;
    private const uint TypeDescriptor = 1, TypeCommit = 2, TypeSuperblockV1 = 3, TypeSuperblockV2 = 4, TypeRevoke = 5;
    private const ushort FlagEscape = 1, FlagSameUuid = 2, FlagLastTag = 8;
    private const uint IncompatRevoke = 0x1;
    private const int HeaderSize = 12, TagSize = 8, UuidSize = 16;

    private readonly IBlockDevice _device;
    private readonly int _blockSize;
    private readonly int _deviceBlocksPerBlock;
    private readonly uint[] _map;        // journal block index -> file-system block (from the journal inode)
    private readonly byte[] _superblock; // journal block 0, as on disk; owner: this Journal
    private readonly byte[] _scratch;    // reused for descriptor, commit and escaped blocks

    public uint MaxLength => ReadUInt32BigEndian(_superblock.AsSpan(0x10));
    public uint First => ReadUInt32BigEndian(_superblock.AsSpan(0x14));
    public uint Sequence { get => ReadUInt32BigEndian(_superblock.AsSpan(0x18)); private set => WriteUInt32BigEndian(_superblock.AsSpan(0x18), value); }
    public uint Start { get => ReadUInt32BigEndian(_superblock.AsSpan(0x1C)); private set => WriteUInt32BigEndian(_superblock.AsSpan(0x1C), value); }
    private bool Version2 => ReadUInt32BigEndian(_superblock.AsSpan(4)) == TypeSuperblockV2;
    private ReadOnlySpan<byte> Uuid => _superblock.AsSpan(0x30, UuidSize);

    /// <summary>True if the log holds transactions that may not have reached their home blocks.</summary>
    public bool NeedsRecovery => Start != 0;

    /// <summary>Transactions committed since mount.</summary>
    public long Commits { get; private set; }
    /// <summary>Blocks logged since mount.</summary>
    public long BlocksLogged { get; private set; }

    /// <summary>Tags that fit in one descriptor block (the first tag also carries the 16-byte UUID).</summary>
    private int TagsPerDescriptor => (_blockSize - HeaderSize - UuidSize) / TagSize;

    /// <summary>The most blocks one transaction can log: blocks + descriptors + commit fit in the log.</summary>
    public int Capacity
    {
        get
        {
            long usable = MaxLength - First - 1; // minus the commit block
            long perDescriptor = TagsPerDescriptor + 1;
            return (int)(usable / perDescriptor * TagsPerDescriptor + Math.Max(0, usable % perDescriptor - 1));
        }
    }

    private Journal(IBlockDevice device, int blockSize, uint[] map, byte[] superblock)
    {
        _device = device;
        _blockSize = blockSize;
        _deviceBlocksPerBlock = blockSize / device.BlockSize;
        _map = map;
        _superblock = superblock;
        _scratch = new byte[blockSize];
    }

    /// <summary>Reads and validates the journal superblock; `map` gives the home of each journal block.</summary>
    public static Journal Open(IBlockDevice device, int blockSize, uint[] map)
    {
        var superblock = new byte[blockSize];
        device.ReadBlocks((long)map[0] * (blockSize / device.BlockSize), superblock);
        var journal = new Journal(device, blockSize, map, superblock);
        journal.Validate();
        return journal;
    }

    private void Validate()
    {
        uint magic = ReadUInt32BigEndian(_superblock);
        uint type = ReadUInt32BigEndian(_superblock.AsSpan(4));
        if (magic != Magic || type is not (TypeSuperblockV1 or TypeSuperblockV2))
            throw FsException.Corrupt($"journal superblock has magic 0x{magic:x8} and type {type}");
        uint blockSize = ReadUInt32BigEndian(_superblock.AsSpan(0xC));
        if (blockSize != _blockSize)
            throw FsException.Corrupt($"journal block size {blockSize} differs from the file system's {_blockSize}");
        if (MaxLength > _map.Length || MaxLength < 64 || First < 1 || First >= MaxLength)
            throw FsException.Corrupt($"journal geometry (length {MaxLength}, first {First}) does not fit its {_map.Length}-block inode");
        if (Start != 0 && (Start < First || Start >= MaxLength))
            throw FsException.Corrupt($"journal start {Start} is outside the log");
        if (!Version2)
            return;
        uint compat = ReadUInt32BigEndian(_superblock.AsSpan(0x24));
        uint incompat = ReadUInt32BigEndian(_superblock.AsSpan(0x28));
        uint roCompat = ReadUInt32BigEndian(_superblock.AsSpan(0x2C));
        if (compat != 0 || (incompat & ~IncompatRevoke) != 0 || roCompat != 0)
            throw new FsException(FsError.EOPNOTSUPP,
                $"unsupported journal feature(s) compat 0x{compat:x} incompat 0x{incompat & ~IncompatRevoke:x} (checksums, 64bit, async_commit or fast_commit)");
    }

    private void ReadLog(uint index, byte[] buffer) =>
        _device.ReadBlocks((long)_map[index] * _deviceBlocksPerBlock, buffer);

    private void WriteLog(uint index, ReadOnlySpan<byte> buffer) =>
        _device.WriteBlocks((long)_map[index] * _deviceBlocksPerBlock, buffer);

    private void WriteSuperblock() => WriteLog(0, _superblock);

    private static void WriteHeader(Span<byte> block, uint type, uint sequence)
    {
        WriteUInt32BigEndian(block, Magic);
        WriteUInt32BigEndian(block[4..], type);
        WriteUInt32BigEndian(block[8..], sequence);
    }

    /// <summary>Makes `blocks` (home block number, contents) durable in the log as one transaction.
    /// On return the caller may write them home; then it must call MarkEmpty.</summary>
    public void Commit(IReadOnlyList<(long Home, byte[] Data)> blocks, uint now)
    {
        if (blocks.Count > Capacity)
            throw new InvalidOperationException($"transaction of {blocks.Count} blocks exceeds the journal capacity {Capacity}");
        uint sequence = Sequence;
        Start = First;
        WriteSuperblock();
        uint position = First;
        int tagsPerDescriptor = TagsPerDescriptor;
        for (int chunk = 0; chunk < blocks.Count; chunk += tagsPerDescriptor)
        {
            int count = Math.Min(tagsPerDescriptor, blocks.Count - chunk);
            Array.Clear(_scratch);
            WriteHeader(_scratch, TypeDescriptor, sequence);
            int offset = HeaderSize;
            for (int i = 0; i < count; i++)
            {
                var (home, data) = blocks[chunk + i];
                ushort flags = 0;
                if (i > 0) flags |= FlagSameUuid;
                if (i == count - 1) flags |= FlagLastTag;
                if (ReadUInt32BigEndian(data) == Magic) flags |= FlagEscape;
                WriteUInt32BigEndian(_scratch.AsSpan(offset), (uint)home);
                WriteUInt16BigEndian(_scratch.AsSpan(offset + 6), flags);
                offset += TagSize;
                if (i == 0)
                {
                    Uuid.CopyTo(_scratch.AsSpan(offset));
                    offset += UuidSize;
                }
            }
            WriteLog(position++, _scratch);
            for (int i = 0; i < count; i++)
            {
                var data = blocks[chunk + i].Data;
                if (ReadUInt32BigEndian(data) == Magic)
                {
                    data.CopyTo(_scratch, 0);
                    WriteUInt32BigEndian(_scratch, 0); // escaped: replay puts the magic back
                    WriteLog(position++, _scratch);
                }
                else
                {
                    WriteLog(position++, data);
                }
            }
        }
        _device.Flush();
        Array.Clear(_scratch);
        WriteHeader(_scratch, TypeCommit, sequence);
        WriteUInt64BigEndian(_scratch.AsSpan(0x30), now); // h_commit_sec
        WriteLog(position, _scratch);
        _device.Flush();
        Commits++;
        BlocksLogged += blocks.Count;
    }

    /// <summary>After the checkpoint: the log is empty, the next transaction is Sequence + 1.</summary>
    public void MarkEmpty()
    {
        if (Start == 0)
            return;
        Sequence++;
        Start = 0;
        WriteSuperblock();
        _device.Flush();
    }

    /// <summary>Replays every committed transaction of the log to its home blocks (honouring revoke
    /// records), then empties the log. Returns the number of transactions replayed.</summary>
    public int Recover(uint fileSystemBlocks)
    {
        if (Start == 0)
            return 0;
        var replay = new List<(uint Home, uint LogIndex, bool Escaped, uint Sequence)>();
        var pending = new List<(uint Home, uint LogIndex, bool Escaped, uint Sequence)>();
        var revoked = new Dictionary<uint, uint>();
        var pendingRevokes = new List<uint>();
        var block = new byte[_blockSize];
        uint sequence = Sequence, position = Start;
        int transactions = 0;
        for (long steps = 0; steps < 2L * MaxLength; steps++)
        {
            ReadLog(position, block);
            if (ReadUInt32BigEndian(block) != Magic || ReadUInt32BigEndian(block.AsSpan(8)) != sequence)
                break;
            uint type = ReadUInt32BigEndian(block.AsSpan(4));
            position = Next(position);
            if (type == TypeDescriptor)
            {
                for (int offset = HeaderSize; offset + TagSize <= _blockSize;)
                {
                    uint home = ReadUInt32BigEndian(block.AsSpan(offset));
                    ushort flags = ReadUInt16BigEndian(block.AsSpan(offset + 6));
                    offset += TagSize + ((flags & FlagSameUuid) == 0 ? UuidSize : 0);
                    pending.Add((home, position, (flags & FlagEscape) != 0, sequence));
                    position = Next(position);
                    if ((flags & FlagLastTag) != 0)
                        break;
                }
            }
            else if (type == TypeRevoke)
            {
                int used = (int)Math.Min(ReadUInt32BigEndian(block.AsSpan(HeaderSize)), (uint)_blockSize);
                for (int offset = HeaderSize + 4; offset + 4 <= used; offset += 4)
                    pendingRevokes.Add(ReadUInt32BigEndian(block.AsSpan(offset)));
            }
            else if (type == TypeCommit)
            {
                replay.AddRange(pending);
                foreach (var home in pendingRevokes)
                    revoked[home] = sequence;
                pending.Clear();
                pendingRevokes.Clear();
                sequence++;
                transactions++;
            }
            else
            {
                break;
            }
        }
        foreach (var (home, _, _, txSequence) in replay)
            if (home >= fileSystemBlocks)
                throw FsException.Corrupt($"journal transaction {txSequence} logs block {home}, beyond the file system; nothing replayed");
        foreach (var (home, logIndex, escaped, txSequence) in replay)
        {
            if (revoked.TryGetValue(home, out uint revokedIn) && revokedIn >= txSequence)
                continue;
            ReadLog(logIndex, block);
            if (escaped)
                WriteUInt32BigEndian(block, Magic);
            _device.WriteBlocks((long)home * _deviceBlocksPerBlock, block);
        }
        _device.Flush();
        Sequence = sequence;
        Start = 0;
        WriteSuperblock();
        _device.Flush();
        return transactions;
    }

    private uint Next(uint position) => position + 1 >= MaxLength ? First : position + 1;
}
