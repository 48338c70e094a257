// Randomly corrupted metadata (seeded): whatever the bytes, mounting and using the file system either
// works or fails with an FsException; no other exception escapes and nothing hangs.
namespace Biscuit.Fs.Tests;

public class FuzzTests
{
    [Theory]
    [InlineData(1024, "ext2")]
    [InlineData(4096, "ext2")]
    [InlineData(1024, "ext3")]
    public void CorruptedMetadataOnlyEverCausesFsErrors(int blockSize, string type)
    {
        using var dir = new TempDirectory();
        using var staging = new TempDirectory();
        Staging.Build(staging.Path, manyEntries: 200);
        File.Delete(Path.Combine(staging.Path, "sparse-triple"));
        string baseImage = dir["base.img"];
        E2fsTools.MakeImage(baseImage, 8 << 10, blockSize, staging.Path, "-t", type, "-N", "512");
        var pristine = File.ReadAllBytes(baseImage);
        int metadataBytes = Math.Min(pristine.Length, (blockSize == 1024 ? 600 : 120) * blockSize);
        var random = new Random(blockSize + type.Length);
        int mounted = 0, corruptionReported = 0;
        for (int iteration = 0; iteration < 40; iteration++)
        {
            var bytes = (byte[])pristine.Clone();
            int flips = 1 + random.Next(30);
            for (int i = 0; i < flips; i++)
                bytes[1024 + random.Next(metadataBytes - 1024)] ^= (byte)(1 << random.Next(8));
            string image = dir["fuzzed.img"];
            File.WriteAllBytes(image, bytes);
            var errors = new List<FsError>();
            try
            {
                if (Exercise(image, errors))
                    mounted++;
            }
            catch (Exception e) when (e is not FsException)
            {
                throw new Exception($"{type} {blockSize}: iteration {iteration} crashed with {e.GetType().Name}: {e.Message}", e);
            }
            if (errors.Contains(FsError.EUCLEAN))
                corruptionReported++;
        }
        // Not vacuous: some corrupted images mounted and were used, some corruption was noticed.
        Assert.True(mounted > 0 && corruptionReported > 0, $"{mounted} mounted, {corruptionReported} reported corruption");
    }

    /// <summary>Mounts, walks everything, changes a few things, unmounts; records the errors met and
    /// returns whether the mount succeeded.</summary>
    private static bool Exercise(string image, List<FsError> errors)
    {
        using var device = new ImageFileDevice(image, flushToDisk: false);
        Ext2FileSystem fs;
        try
        {
            fs = Ext2FileSystem.Mount(device, new MountOptions { CacheBytes = 256 << 10 });
        }
        catch (FsException e)
        {
            errors.Add(e.Error);
            return false;
        }
        void Try(Action action)
        {
            try { action(); }
            catch (FsException e) { errors.Add(e.Error); }
        }
        int visited = 0;
        void Walk(string path, int depth)
        {
            List<DirEntry> entries = new();
            Try(() => entries = fs.ReadDirectory(path));
            foreach (var entry in entries.Where(e => e.Name is not "." and not ".."))
            {
                if (++visited > 2000)
                    return;
                string child = (path == "/" ? "" : path) + "/" + entry.Name;
                Try(() =>
                {
                    var stat = fs.Stat(child, followSymlinks: false);
                    if (stat.Type == FileType.Regular)
                        fs.Read(stat.Inode, 0, new byte[64 << 10]);
                    else if (stat.Type == FileType.Symlink)
                        fs.ReadLink(child);
                    else if (stat.Type == FileType.Directory && depth < 6)
                        Walk(child, depth + 1);
                });
            }
        }
        Walk("/", 0);
        Try(() => fs.Write(fs.Create("/new-file"), 0, new byte[30_000]));
        Try(() => fs.Mkdir("/a/new-dir"));
        Try(() => fs.Rename("/small.txt", "/a/b/moved"));
        Try(() => fs.Unlink("/double-indirect"));
        Try(() => fs.Truncate("/single-indirect", 100));
        Try(() => fs.Symlink(new string('t', 300), "/many/link"));
        Try(() => fs.Rmdir("/a/b/c"));
        Try(() => fs.Dispose());
        return true;
    }
}
