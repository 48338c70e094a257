// Unlinked-but-open files (POSIX unlink(2): "if one or more processes have the file open when the last
// link is removed, ... removal of the file contents shall be postponed until all references to the file
// are closed"). The fs server calls Retain when it opens an inode and Release when it closes it.
// A retained non-directory whose last name goes becomes an orphan: links 0, still allocated, readable
// and writable by inode number, and on the on-disk orphan list (superblock s_last_orphan, chained through
// i_dtime, as ext3/ext4 keep it), so that after a crash the next mount (or e2fsck) frees it.
// Invariant: _orphans holds exactly the inodes on the on-disk chain (rebuilt from disk after a rollback).
// The last Release frees an orphan; unmount frees them all; a read-write mount frees any left by a crash.
namespace Biscuit.Fs;

public sealed partial class Ext2FileSystem
{
    private readonly Dictionary<uint, int> _openCounts = new(); // inode -> holders; owner: the server's calls
    private readonly HashSet<uint> _orphans = new();            // mirror of the on-disk orphan chain

    /// <summary>Inodes on the orphan list (unlinked while open).</summary>
    public int OrphanCount => _orphans.Count;

    /// <summary>Notes one more holder of `inodeNumber` (open(2)); it must be in use.</summary>
    public void Retain(uint inodeNumber)
    {
        Run(modifies: false, () => ReadLiveInode(inodeNumber));
        _openCounts[inodeNumber] = _openCounts.GetValueOrDefault(inodeNumber) + 1;
    }

    /// <summary>One holder fewer (close(2)); the last one frees the inode if it has no name left.</summary>
    public void Release(uint inodeNumber)
    {
        if (!_openCounts.TryGetValue(inodeNumber, out int holders))
            throw new FsException(FsError.EBADF, $"inode {inodeNumber} is not retained");
        if (holders > 1)
        {
            _openCounts[inodeNumber] = holders - 1;
            return;
        }
        _openCounts.Remove(inodeNumber);
        if (_orphans.Contains(inodeNumber) && !ReadOnly)
            Run(modifies: true, () =>
            {
                RemoveFromOrphanChain(inodeNumber);
                ReleaseInode(ReadInode(inodeNumber));
            });
    }

    /// <summary>The last name of a retained inode is gone: links 0, onto the orphan chain. Writes it.</summary>
    private void MakeOrphan(Inode inode)
    {
        inode.LinksCount = 0;
        inode.ChangeTime = Now();
        inode.DeleteTime = _sb.LastOrphan; // i_dtime is the "next orphan" link while on the list
        _sb.LastOrphan = inode.Number;
        SaveSuperblock();
        WriteInode(inode);
        _orphans.Add(inode.Number);
    }

    private void RemoveFromOrphanChain(uint number)
    {
        uint previous = 0, current = _sb.LastOrphan;
        for (long steps = 0; current != number; steps++)
        {
            if (current == 0 || steps > _sb.InodesCount)
                throw FsException.Corrupt($"orphan inode {number} is not on the orphan list");
            previous = current;
            current = ReadInode(current).DeleteTime;
        }
        uint next = ReadInode(number).DeleteTime;
        if (previous == 0)
        {
            _sb.LastOrphan = next;
            SaveSuperblock();
        }
        else
        {
            var before = ReadInode(previous);
            before.DeleteTime = next;
            WriteInode(before);
        }
        _orphans.Remove(number);
    }

    /// <summary>Frees every inode on the orphan chain. An orphan that still has links (Linux's mark for
    /// a truncation in progress) is truncated to its size instead.</summary>
    private void ReleaseAllOrphans()
    {
        foreach (uint number in OrphanChain())
        {
            var inode = ReadInode(number);
            if (inode.Type == FileType.Unknown)
                throw FsException.Corrupt($"orphan inode {number} is not in use");
            if (inode.LinksCount == 0)
            {
                ReleaseInode(inode);
            }
            else
            {
                FreeBlocksFrom(inode, (long)((inode.Size + (ulong)_blockSize - 1) / (ulong)_blockSize));
                inode.DeleteTime = 0;
                WriteInode(inode);
            }
        }
        _sb.LastOrphan = 0;
        SaveSuperblock();
        _orphans.Clear();
        _openCounts.Clear();
    }

    /// <summary>The inode numbers on the on-disk chain, checked for range and cycles.</summary>
    private List<uint> OrphanChain()
    {
        var chain = new List<uint>();
        var seen = new HashSet<uint>();
        for (uint current = _sb.LastOrphan; current != 0; current = ReadInode(current).DeleteTime)
        {
            if (current > _sb.InodesCount || current < _sb.FirstInode || !seen.Add(current))
                throw FsException.Corrupt($"orphan list reaches inode {current} (out of range or a cycle)");
            chain.Add(current);
        }
        return chain;
    }

    private void ReloadOrphans()
    {
        _orphans.Clear();
        foreach (uint number in OrphanChain())
            _orphans.Add(number);
    }
}
