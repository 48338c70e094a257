// Reading and writing inodes in the inode tables (ext4 disk layout, "Finding an Inode"):
// group = (n - 1) / inodes_per_group, index = (n - 1) % inodes_per_group, within that group's table.
// Every inode read checks its number; inodes reached through a directory entry are checked to be in use
// and of a format this library understands (no extents, no inline data).
namespace Biscuit.Fs;

public sealed partial class Ext2FileSystem
{
    private (uint Block, int Offset) InodeLocation(uint number)
    {
        if (number == 0 || number > _sb.InodesCount)
            throw FsException.Corrupt($"inode number {number} is out of range (1..{_sb.InodesCount})");
        uint group = (number - 1) / _sb.InodesPerGroup;
        long byteIndex = (long)((number - 1) % _sb.InodesPerGroup) * _inodeSize;
        return (_groups[group].InodeTable + (uint)(byteIndex / _blockSize), (int)(byteIndex % _blockSize));
    }

    /// <summary>A private copy of inode `number` as it is on disk (in use or not).</summary>
    private Inode ReadInode(uint number)
    {
        var (block, offset) = InodeLocation(number);
        var raw = new byte[_inodeSize];
        _cache.Get(block).AsSpan(offset, _inodeSize).CopyTo(raw);
        return new Inode(number, raw);
    }

    /// <summary>An inode that a directory entry or a caller refers to: must be in use and readable.</summary>
    private Inode ReadLiveInode(uint number)
    {
        var inode = ReadInode(number);
        bool openOrphan = inode.LinksCount == 0 && _orphans.Contains(number); // unlinked but still open
        if ((inode.LinksCount == 0 && !openOrphan) || inode.Type == FileType.Unknown)
            throw FsException.Corrupt($"inode {number} is referenced but not in use (mode 0x{inode.Mode:x}, links {inode.LinksCount})");
        if ((inode.Flags & (Inode.ExtentsFlag | Inode.InlineDataFlag)) != 0)
            throw FsException.Corrupt($"inode {number} uses extents or inline data, which this file system does not enable");
        return inode;
    }

    /// <summary>Whether inode `number` is in use (named, or unlinked but still open) and was allocated
    /// with `generation`: what the fs server checks before it re-opens a file by number after a
    /// restart (an NFS-style file handle). Never throws for a number out of range or free.</summary>
    public bool IsLive(uint number, uint generation)
    {
        if (number == 0 || number > _sb.InodesCount) return false;
        return Run(modifies: false, () =>
        {
            var inode = ReadInode(number);
            bool inUse = inode.LinksCount > 0 || _orphans.Contains(number);
            return inUse && inode.Type != FileType.Unknown && inode.Generation == generation;
        });
    }

    /// <summary>The generation of an inode in use (see IsLive).</summary>
    public uint GenerationOf(uint number) => Run(modifies: false, () => ReadLiveInode(number).Generation);

    private void WriteInode(Inode inode)
    {
        var (block, offset) = InodeLocation(inode.Number);
        inode.Raw.CopyTo(_cache.GetForWrite(block).AsSpan(offset));
    }

    /// <summary>A zeroed inode for a newly allocated number: type and permissions, owner, times, one link.</summary>
    private Inode NewInode(uint number, FileType type, ushort permissions, uint uid, uint gid)
    {
        var inode = new Inode(number, new byte[_inodeSize])
        {
            Mode = (ushort)(FileTypes.ToModeBits(type) | (permissions & FileTypes.PermissionMask)),
            Uid = uid,
            Gid = gid,
            LinksCount = 1,
            Generation = (uint)Random.Shared.Next(1, int.MaxValue),
        };
        uint now = Now();
        inode.AccessTime = inode.ModifyTime = inode.ChangeTime = now;
        if (_inodeSize > 128)
        {
            // Large inodes: declare the extra fields Linux writes (ext4 disk layout, i_extra_isize).
            ushort want = _sb.WantExtraIsize;
            inode.ExtraIsize = want >= 32 && want <= _inodeSize - 128 ? want : (ushort)Math.Min(32, _inodeSize - 128);
            if (inode.ExtraIsize >= 24)
                inode.CreateTime = now;
        }
        return inode;
    }

    private static FileStat ToStat(Inode inode) => new(
        inode.Number, inode.Type, inode.Mode, inode.LinksCount, inode.Uid, inode.Gid, inode.Size,
        inode.Sectors, inode.AccessTime, inode.ModifyTime, inode.ChangeTime);
}
