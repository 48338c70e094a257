// rename(2): moves a name within or across directories, replacing an existing target atomically.
// Rules (POSIX rename, Linux rename(2) ERRORS): same inode on both sides -> nothing to do; a directory
// may only replace an empty directory (ENOTEMPTY / ENOTDIR), a non-directory only a non-directory (EISDIR);
// a directory cannot move into itself or its own subtree (EINVAL). Moving a directory to another parent
// retargets its ".." and moves one link from the old parent to the new one.
// The subtree check walks ".." entries up to the root; a ".." chain that never reaches the root is a
// directory cycle, reported as corruption instead of looping forever.
namespace Biscuit.Fs;

public sealed partial class Ext2FileSystem
{
    public void Rename(string oldPath, string newPath) =>
        Run(modifies: true, () =>
        {
            var (oldDir, oldName) = ResolveParent(oldPath);
            var (newDir, newName) = ResolveParent(newPath);
            if (oldName is "" or "." or ".." || newName is "" or "." or "..")
                throw new FsException(FsError.EINVAL, "cannot rename '.', '..' or '/'");
            if (newDir.Number == oldDir.Number)
                newDir = oldDir; // one in-memory copy per inode
            if (!FindEntry(oldDir, oldName, out var oldSlot))
                throw new FsException(FsError.ENOENT, $"'{oldPath}' not found");
            var source = ReadLiveInode(oldSlot.Inode);
            bool exists = FindEntry(newDir, newName, out var newSlot);
            if (exists && newSlot.Inode == source.Number)
                return; // both names are links to the same inode: POSIX says do nothing
            if (source.IsDirectory)
                CheckNotInsideItself(source.Number, newDir.Number);

            Inode? replaced = null;
            if (exists)
            {
                replaced = ReadLiveInode(newSlot.Inode);
                if (source.IsDirectory && !replaced.IsDirectory)
                    throw new FsException(FsError.ENOTDIR, $"'{newPath}' is not a directory");
                if (!source.IsDirectory && replaced.IsDirectory)
                    throw new FsException(FsError.EISDIR, $"'{newPath}' is a directory");
                if (replaced.IsDirectory && !IsEmptyDirectory(replaced))
                    throw new FsException(FsError.ENOTEMPTY, $"'{newPath}' is not empty");
            }
            else if (source.IsDirectory && newDir != oldDir && newDir.LinksCount >= MaxLinks)
            {
                throw new FsException(FsError.EMLINK, $"directory '{newPath}' has too many subdirectories");
            }

            // The new name first, so that the file is never without a name.
            if (exists)
            {
                RetargetEntry(newDir, newSlot, source.Number, source.Type);
                _lookups.Forget(newDir.Number, newName);
            }
            else
            {
                AddName(newDir, newName, source.Number, source.Type);
            }
            _lookups.Add(newDir.Number, newName, source.Number);
            // Offsets in oldDir may have moved if it is also newDir: find the old name again.
            if (!FindEntry(oldDir, oldName, out oldSlot))
                throw FsException.Corrupt($"entry '{oldName}' vanished from directory inode {oldDir.Number} during rename");
            RemoveEntry(oldDir, oldSlot);
            _lookups.Forget(oldDir.Number, oldName);

            if (replaced != null)
            {
                if (replaced.IsDirectory)
                {
                    newDir.LinksCount--; // the replaced directory's ".." no longer refers to newDir
                    WriteInode(newDir);
                    ReleaseInode(replaced);
                }
                else
                {
                    DropLink(replaced);
                }
            }
            if (source.IsDirectory && newDir != oldDir)
            {
                if (!FindEntry(source, ".."u8, out var dotDot))
                    throw FsException.Corrupt($"directory inode {source.Number} has no '..' entry");
                RetargetEntry(source, dotDot, newDir.Number, FileType.Directory);
                _lookups.Add(source.Number, "..", newDir.Number);
                oldDir.LinksCount--;
                WriteInode(oldDir);
                newDir.LinksCount++;
                WriteInode(newDir);
            }
            source = source.IsDirectory && newDir != oldDir ? ReadLiveInode(source.Number) : source;
            source.ChangeTime = Now();
            WriteInode(source);
        });

    /// <summary>Refuses to move directory `moved` under `destination` if that is `moved` or inside it.</summary>
    private void CheckNotInsideItself(uint moved, uint destination)
    {
        uint current = destination;
        for (long steps = 0; steps <= _sb.InodesCount; steps++)
        {
            if (current == moved)
                throw new FsException(FsError.EINVAL, "cannot move a directory into itself or its own subdirectory");
            if (current == RootInode)
                return;
            var dir = ReadLiveInode(current);
            if (!dir.IsDirectory)
                throw FsException.Corrupt($"'..' chain reaches inode {current}, which is not a directory");
            if (!FindEntry(dir, ".."u8, out var parent))
                throw FsException.Corrupt($"directory inode {current} has no '..' entry");
            current = parent.Inode;
        }
        throw FsException.Corrupt($"directory cycle: the '..' chain from inode {destination} never reaches the root");
    }
}
