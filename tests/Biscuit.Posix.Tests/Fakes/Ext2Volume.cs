// IFileSystem over the real ext2 library (servers/fs/Biscuit.Fs) mounted on an image the host's
// mke2fs makes (optionally filled from a staging folder with -d). FsNode ids are inode numbers; open
// nodes are retained in the library so unlink-while-open works as on the fs server. One lock
// serialises the library (it is single-threaded). Dispose unmounts and deletes the image.
using System.Diagnostics;
using Biscuit.Fs;

namespace Biscuit.Posix.Tests;

public sealed class Ext2Volume : IFileSystem, IDisposable
{
    private readonly object gate = new();
    private readonly string directory;
    private readonly Ext2FileSystem fs;
    private readonly Dictionary<ulong, int> openNodes = [];
    public int OpenNodeCount { get { lock (gate) return openNodes.Values.Sum(); } }

    public Ext2Volume(int sizeKiB = 8192, string? staging = null)
    {
        directory = Path.Combine(Path.GetTempPath(), "posix-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        string image = Path.Combine(directory, "disk.img");
        var args = new List<string> { "-q", "-F", "-t", "ext2", "-b", "1024", "-E", "root_owner=0:0" };
        if (staging is not null) { args.Add("-d"); args.Add(staging); }
        args.Add(image);
        args.Add($"{sizeKiB}k");
        Run("mke2fs", args);
        fs = Ext2FileSystem.Mount(new ImageFileDevice(image, flushToDisk: false));
    }

    private static void Run(string tool, List<string> args)
    {
        string path = new[] { "/usr/sbin", "/sbin", "/usr/bin", "/bin" }.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"{tool} not found: install the Debian package e2fsprogs");
        var info = new ProcessStartInfo(path) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{tool} failed: {output}");
    }

    private long Do(Func<long> operation)
    {
        lock (gate)
        {
            try { return operation(); }
            catch (FsException e) { return -(int)e.Error; }
        }
    }

    private static FsAttributes Convert(FileStat s) =>
        new(s.Inode, s.Mode, s.Links, s.Uid, s.Gid, (long)s.Size, s.Sectors, s.AccessTime, s.ModifyTime, s.ChangeTime);

    public long Open(string path, FsOpenFlags flags, uint mode, out FsNode node, out FsAttributes attributes)
    {
        FsNode n = default;
        FsAttributes a = default;
        long r = Do(() =>
        {
            uint inode = fs.Open(path, (OpenFlags)(int)flags, (ushort)(mode & 0xFFF));
            fs.Retain(inode);
            openNodes[inode] = openNodes.GetValueOrDefault(inode) + 1;
            n = new FsNode(inode);
            a = Convert(fs.Stat(inode));
            return 0;
        });
        node = n;
        attributes = a;
        return r;
    }

    public long Read(FsNode node, long offset, Span<byte> into)
    {
        var buffer = new byte[into.Length];
        long r = Do(() => fs.Read((uint)node.Id, offset, buffer));
        if (r > 0) buffer.AsSpan(0, (int)r).CopyTo(into);
        return r;
    }

    public long Write(FsNode node, long offset, ReadOnlySpan<byte> from)
    {
        var bytes = from.ToArray();
        return Do(() => fs.Write((uint)node.Id, offset, bytes));
    }

    public long Truncate(FsNode node, long size) => Do(() => { fs.Truncate((uint)node.Id, size); return 0; });

    public long Attributes(FsNode node, out FsAttributes attributes)
    {
        FsAttributes a = default;
        long r = Do(() => { a = Convert(fs.Stat((uint)node.Id)); return 0; });
        attributes = a;
        return r;
    }

    public long Fsync(FsNode node) => Do(() => { fs.Flush(); return 0; });

    public long Close(FsNode node) => Do(() =>
    {
        if (!openNodes.TryGetValue(node.Id, out int count)) return -Errno.EBADF;
        if (count == 1) openNodes.Remove(node.Id); else openNodes[node.Id] = count - 1;
        fs.Release((uint)node.Id);
        return 0;
    });

    public long ReadDirectory(FsNode node, long cookie, List<FsDirEntry> output, int max, out long next)
    {
        long n = -1;
        long r = Do(() =>
        {
            var entries = new List<DirEntry>();
            n = fs.ReadDirectory((uint)node.Id, cookie, entries, max);
            foreach (var e in entries) output.Add(new FsDirEntry(e.Name, e.Inode, DirentType(e.Type)));
            return 0;
        });
        next = n;
        return r;
    }

    private static byte DirentType(FileType t) => t switch
    {
        FileType.Regular => 8, FileType.Directory => 4, FileType.Symlink => 10, FileType.CharDevice => 2,
        FileType.BlockDevice => 6, FileType.Fifo => 1, FileType.Socket => 12, _ => 0,
    };

    public long Stat(string path, bool followLastLink, out FsAttributes attributes)
    {
        FsAttributes a = default;
        long r = Do(() => { a = Convert(fs.Stat(path, followLastLink)); return 0; });
        attributes = a;
        return r;
    }

    public long Mkdir(string path, uint mode) => Do(() => { fs.Mkdir(path, (ushort)mode); return 0; });
    public long Unlink(string path) => Do(() => { fs.Unlink(path); return 0; });
    public long Rmdir(string path) => Do(() => { fs.Rmdir(path); return 0; });
    public long Rename(string from, string to) => Do(() => { fs.Rename(from, to); return 0; });
    public long Link(string existing, string newPath) => Do(() => { fs.Link(existing, newPath); return 0; });
    public long Symlink(string target, string linkPath) => Do(() => { fs.Symlink(target, linkPath); return 0; });
    public long Chmod(string path, uint mode) => Do(() => { fs.Chmod(path, (ushort)mode); return 0; });
    public long Chown(string path, uint? uid, uint? gid, bool followLastLink) => Do(() => { fs.Chown(path, uid, gid, followLastLink); return 0; });

    public long ReadLink(string path, out string target)
    {
        string t = "";
        long r = Do(() => { t = fs.ReadLink(path); return 0; });
        target = t;
        return r;
    }

    public void Dispose()
    {
        fs.Dispose();
        try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
    }
}
