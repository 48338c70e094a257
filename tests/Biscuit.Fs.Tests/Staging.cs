// Builds staging folders for mke2fs -d and compares a mounted file system with one, byte for byte.
namespace Biscuit.Fs.Tests;

public static class Staging
{
    public const long TripleIndirectOffset = 70L << 20; // beyond 12+256+65536 KiB: triple-indirect on 1 KiB blocks

    /// <summary>A tree covering every kind of file the library reads: sizes around each block-map boundary,
    /// a sparse file reaching triple indirection, nested directories, a directory of `manyEntries` names,
    /// fast and slow symlinks, a hard link, unusual permissions.</summary>
    public static void Build(string root, int manyEntries)
    {
        var random = new Random(5);
        byte[] Bytes(int n)
        {
            var b = new byte[n];
            random.NextBytes(b);
            return b;
        }
        File.WriteAllBytes(Path.Combine(root, "empty"), Array.Empty<byte>());
        File.WriteAllBytes(Path.Combine(root, "small.txt"), Bytes(100));
        File.WriteAllBytes(Path.Combine(root, "one-block-1k"), Bytes(1024));
        File.WriteAllBytes(Path.Combine(root, "one-block-4k"), Bytes(4096));
        File.WriteAllBytes(Path.Combine(root, "first-indirect"), Bytes(12 * 1024 + 1));
        File.WriteAllBytes(Path.Combine(root, "single-indirect"), Bytes(200 * 1024 + 7));
        File.WriteAllBytes(Path.Combine(root, "double-indirect"), Bytes(600 * 1024 + 13));
        using (var sparse = File.Create(Path.Combine(root, "sparse-triple")))
        {
            sparse.Write(Bytes(3000));
            sparse.Position = 30L << 20;
            sparse.Write(Bytes(5000));
            sparse.Position = TripleIndirectOffset;
            sparse.Write(Bytes(4321));
        }
        var deep = Directory.CreateDirectory(Path.Combine(root, "a", "b", "c")).FullName;
        File.WriteAllBytes(Path.Combine(deep, "deep.txt"), Bytes(77));
        var many = Directory.CreateDirectory(Path.Combine(root, "many")).FullName;
        for (int i = 0; i < manyEntries; i++)
            File.WriteAllBytes(Path.Combine(many, $"entry-{i:D5}-with-a-longer-name"), i % 100 == 0 ? Bytes(i % 700) : Array.Empty<byte>());
        File.CreateSymbolicLink(Path.Combine(root, "fast-link"), "small.txt");
        File.CreateSymbolicLink(Path.Combine(root, "slow-link"), "a/b/c/" + new string('x', 100));
        File.CreateSymbolicLink(Path.Combine(root, "slow-link-300"), new string('y', 300));
        File.CreateSymbolicLink(Path.Combine(root, "dir-link"), "a/b");
        Assert.Equal(0, E2fsTools.Run("ln", Path.Combine(root, "small.txt"), Path.Combine(root, "hard-link")).ExitCode);
        File.SetUnixFileMode(Path.Combine(root, "one-block-1k"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        File.SetUnixFileMode(Path.Combine(root, "a", "b"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Assert.Equal(0, E2fsTools.Run("chown", "1000:1001", Path.Combine(root, "one-block-4k")).ExitCode);
    }

    /// <summary>Asserts that every file, directory and symlink under the staging folder `host` reads back
    /// identically from `fs` at `path`, and that `fs` has nothing more (apart from lost+found at the root).</summary>
    public static void AssertSameTree(string host, Ext2FileSystem fs, string path = "/")
    {
        var hostNames = new DirectoryInfo(host).EnumerateFileSystemInfos().Select(i => i.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();
        var fsNames = fs.ReadDirectory(path).Select(e => e.Name)
            .Where(n => n is not "." and not ".." && !(path == "/" && n == "lost+found"))
            .OrderBy(n => n, StringComparer.Ordinal).ToList();
        Assert.Equal(hostNames, fsNames);
        foreach (var info in new DirectoryInfo(host).EnumerateFileSystemInfos())
        {
            string child = path == "/" ? "/" + info.Name : path + "/" + info.Name;
            var stat = fs.Stat(child, followSymlinks: false);
            if (info.LinkTarget != null)
            {
                Assert.Equal(FileType.Symlink, stat.Type);
                Assert.Equal(info.LinkTarget, fs.ReadLink(child));
                continue;
            }
            Assert.Equal((int)info.UnixFileMode, stat.Mode & 0xFFF);
            if (info is DirectoryInfo)
            {
                Assert.Equal(FileType.Directory, stat.Type);
                AssertSameTree(info.FullName, fs, child);
            }
            else
            {
                Assert.Equal(FileType.Regular, stat.Type);
                Assert.Equal((ulong)((FileInfo)info).Length, stat.Size);
                AssertSameContents(info.FullName, fs, stat.Inode, child);
            }
        }
    }

    private static void AssertSameContents(string hostFile, Ext2FileSystem fs, uint inode, string path)
    {
        using var stream = File.OpenRead(hostFile);
        var expected = new byte[1 << 20];
        var actual = new byte[1 << 20];
        long offset = 0;
        while (true)
        {
            int want = stream.ReadAtLeast(expected, expected.Length, throwOnEndOfStream: false);
            int got = fs.Read(inode, offset, actual);
            Assert.True(want == got, $"{path}: {got} bytes read at {offset}, expected {want}");
            if (!expected.AsSpan(0, want).SequenceEqual(actual.AsSpan(0, got)))
                Assert.Fail($"{path}: contents differ in the MiB at offset {offset}");
            if (want == 0)
                break;
            offset += want;
        }
    }
}
