// Every call from a request handler into the ext2/ext3 library, each behind [AssumeAllocation]:
// tools/maxlive analyses this assembly and the protocol's, not the library's (its path walk, its
// caches and its journal are not written for the analysis: loops bounded by on-disk data), so
// each call carries an explicit, documented budget instead (issue 10: "if the analysis cannot
// bound a handler, give it an explicit budget").
//
// What a budget covers: the transient objects of one call (path components, symbolic-link
// targets, directory entries decoded, the exception thrown on failure with its message).
// What it does not cover: the growth of the long-lived caches (block cache, lookup cache), which
// is bounded by their capacities and added to every request's budget at start-up
// (FileService.AdmissionBudgets), because one request may grow them up to their capacities.
// The figures are upper estimates from the library's code, checked by the host soundness test
// (tests/Biscuit.Fs.Client.Tests, BudgetSoundnessTests) which measures every request type.
using Biscuit.Annotations;

namespace Biscuit.Fs.Service;

internal static class LibraryCalls
{
    /// <summary>A call that resolves paths: at most 40 symbolic links followed (ELOOP beyond), each
    /// making a new path of at most 4096 characters (8 KiB in UTF-16) split into components (about
    /// as much again), plus a failure's exception and message: 40 x 24 KiB, rounded up.</summary>
    public const long PathCallBytes = 1 << 20;

    /// <summary>A call on an open inode's data (read, write, truncate, stat by inode): the reused
    /// write plan grows to the blocks of one message's data (at most 3 with 1 KiB blocks, plus
    /// indirect blocks), and a failure's exception.</summary>
    public const long DataCallBytes = 16 * 1024;

    /// <summary>A journal commit (fsync, sync): the transaction list is reused; the journal's
    /// descriptor blocks and the list of blocks to log (one entry per dirty metadata block, at most
    /// half the cache) are allocated per commit.</summary>
    public const long FlushCallBytes = 512 * 1024;

    /// <summary>One directory entry listed: its name (at most 255 bytes, 510 in UTF-16) and the
    /// inode read for its type on a file system without `filetype`.</summary>
    public const long DirectoryEntryCallBytes = 4 * 1024;

    [AssumeAllocation(PathCallBytes)]
    public static uint Open(Ext2FileSystem fs, string path, OpenFlags flags, ushort permissions, uint uid, uint gid) =>
        fs.Open(path, flags, permissions, uid, gid);

    [AssumeAllocation(DataCallBytes)]
    public static void Retain(Ext2FileSystem fs, uint inode) => fs.Retain(inode);

    [AssumeAllocation(DataCallBytes)]
    public static uint GenerationOf(Ext2FileSystem fs, uint inode) => fs.GenerationOf(inode);

    [AssumeAllocation(DataCallBytes)]
    public static bool IsLive(Ext2FileSystem fs, uint inode, uint generation) => fs.IsLive(inode, generation);

    [AssumeAllocation(DataCallBytes)]
    public static void Release(Ext2FileSystem fs, uint inode) => fs.Release(inode);

    [AssumeAllocation(DataCallBytes)]
    public static FileStat StatInode(Ext2FileSystem fs, uint inode) => fs.Stat(inode);

    [AssumeAllocation(PathCallBytes)]
    public static FileStat StatPath(Ext2FileSystem fs, string path, bool followLinks) => fs.Stat(path, followLinks);

    [AssumeAllocation(DataCallBytes)]
    public static int Read(Ext2FileSystem fs, uint inode, long offset, Span<byte> destination) => fs.Read(inode, offset, destination);

    [AssumeAllocation(DataCallBytes)]
    public static int Write(Ext2FileSystem fs, uint inode, long offset, ReadOnlyMemory<byte> data) => fs.Write(inode, offset, data.Span);

    /// <summary>A read or write of one data-window slot (64 KiB): the reused write plan grows to the
    /// blocks of a slot (64 with 1 KiB blocks, plus indirect blocks), and a failure's exception.</summary>
    public const long WindowCallBytes = 64 * 1024;

    [AssumeAllocation(WindowCallBytes)]
    public static int ReadSpan(Ext2FileSystem fs, uint inode, long offset, Span<byte> destination) => fs.Read(inode, offset, destination);

    /// <summary>As ReadSpan, the uncached whole blocks read by the device into the window (the same
    /// allocations: the block map's indirect blocks through the cache, a failure's exception).</summary>
    [AssumeAllocation(WindowCallBytes)]
    public static int ReadDirect(Ext2FileSystem fs, uint inode, long offset, Span<byte> destination, IDirectBlockReader direct) =>
        fs.ReadDirect(inode, offset, destination, direct);

    [AssumeAllocation(WindowCallBytes)]
    public static int WriteSpan(Ext2FileSystem fs, uint inode, long offset, ReadOnlySpan<byte> data) => fs.Write(inode, offset, data);

    [AssumeAllocation(DataCallBytes)]
    public static void Truncate(Ext2FileSystem fs, uint inode, long size) => fs.Truncate(inode, size);

    [AssumeAllocation(FlushCallBytes)]
    public static void Flush(Ext2FileSystem fs) => fs.Flush();

    /// <summary>At most one entry of directory `inode` from `position` into `output` (cleared first);
    /// returns the position of the next entry or -1.</summary>
    [AssumeAllocation(DirectoryEntryCallBytes)]
    public static long ReadOneEntry(Ext2FileSystem fs, uint inode, long position, List<DirEntry> output)
    {
        output.Clear();
        return fs.ReadDirectory(inode, position, output, 1);
    }

    [AssumeAllocation(PathCallBytes)]
    public static void Mkdir(Ext2FileSystem fs, string path, ushort permissions, uint uid, uint gid) => fs.Mkdir(path, permissions, uid, gid);

    [AssumeAllocation(PathCallBytes)]
    public static void Unlink(Ext2FileSystem fs, string path) => fs.Unlink(path);

    [AssumeAllocation(PathCallBytes)]
    public static void Rmdir(Ext2FileSystem fs, string path) => fs.Rmdir(path);

    /// <summary>Two paths resolved: twice a path call.</summary>
    [AssumeAllocation(2 * PathCallBytes)]
    public static void Rename(Ext2FileSystem fs, string from, string to) => fs.Rename(from, to);

    [AssumeAllocation(2 * PathCallBytes)]
    public static void Link(Ext2FileSystem fs, string existing, string newPath) => fs.Link(existing, newPath);

    /// <summary>The target (at most one message, about 4000 bytes) is copied into the link besides the path call.</summary>
    [AssumeAllocation(PathCallBytes + 16 * 1024)]
    public static void Symlink(Ext2FileSystem fs, string target, string path, uint uid, uint gid) => fs.Symlink(target, path, uid, gid);

    /// <summary>The target read back: at most a block (4 KiB) decoded to at most 8 KiB of UTF-16.</summary>
    [AssumeAllocation(PathCallBytes + 16 * 1024)]
    public static string Readlink(Ext2FileSystem fs, string path) => fs.ReadLink(path);

    [AssumeAllocation(PathCallBytes)]
    public static void Chmod(Ext2FileSystem fs, string path, ushort permissions) => fs.Chmod(path, permissions);

    [AssumeAllocation(PathCallBytes)]
    public static void Chown(Ext2FileSystem fs, string path, uint? uid, uint? gid, bool followLinks) => fs.Chown(path, uid, gid, followLinks);

    [AssumeAllocation(PathCallBytes)]
    public static void SetTimes(Ext2FileSystem fs, string path, uint? access, uint? modify, bool followLinks) =>
        fs.SetTimes(path, access, modify, followLinks);

    /// <summary>The Shrink callback: drops the clean cached blocks (BlockCache.DropClean); allocates nothing.</summary>
    [AssumeAllocation(0)]
    public static long DropCleanBlocks(Ext2FileSystem fs) => fs.Cache.DropClean();

    /// <summary>Reads counters only.</summary>
    [AssumeAllocation(0)]
    public static (uint FreeBlocks, uint FreeInodes, uint Blocks, uint Inodes) Counts(Ext2FileSystem fs) =>
        (fs.FreeCounts.FreeBlocks, fs.FreeCounts.FreeInodes, fs.Superblock.BlocksCount, fs.Superblock.InodesCount);

    /// <summary>Reads counters only.</summary>
    [AssumeAllocation(0)]
    public static (long CacheHits, long CacheMisses, long LookupHits, long LookupMisses, long Commits, long BlocksLogged, long Replayed)
        Figures(Ext2FileSystem fs) =>
        (fs.Cache.Hits, fs.Cache.Misses, fs.Lookups.Hits, fs.Lookups.Misses, fs.Journal?.Commits ?? 0, fs.Journal?.BlocksLogged ?? 0,
         fs.RecoveredTransactions);

    /// <summary>The reply for a failed call: its errno and its message cut to FsLimits.MaxMessageChars
    /// (at most 1 KiB of UTF-16).</summary>
    [AssumeAllocation(2 * 1024)]
    public static Protocol.FsReply<T> ErrorReply<T>(FsException e) =>
        Protocol.FsReply<T>.Fail((int)e.Error,
            e.Message.Length > Protocol.FsLimits.MaxMessageChars ? e.Message[..Protocol.FsLimits.MaxMessageChars] : e.Message);

    /// <summary>The fields of a listed entry (reads a struct's fields; the name exists already).</summary>
    [AssumeAllocation(0)]
    public static (uint Inode, FileType Type, string Name) Unpack(DirEntry entry) => (entry.Inode, entry.Type, entry.Name);
}
