// Property-style tests: thousands of random operations (seeded; the seed and the last operations are
// printed on failure) applied both to Ext2FileSystem on an image file and to ReferenceModel. Every result
// (success or errno) must agree; every few hundred steps, and at the end, the whole tree must agree in
// contents and metadata. ENOSPC is allowed from the file system alone (the model has no notion of space)
// and then the model skips the step: this checks that a refused operation changed nothing. Afterwards
// e2fsck -fn must find the image clean and debugfs must dump the same tree.
namespace Biscuit.Fs.Tests;

using System.Text;

public class PropertyTests
{
    [Theory]
    [InlineData(1, 1024, 3000, "ext2", "")]
    [InlineData(2, 4096, 3000, "ext2", "")]
    [InlineData(3, 1024, 3000, "ext2", "")]
    [InlineData(4, 4096, 3000, "ext2", "")]
    [InlineData(5, 1024, 3000, "ext3", "")]
    [InlineData(6, 4096, 3000, "ext3", "")]
    [InlineData(7, 1024, 2000, "ext2", "-I 128 -O ^filetype,^ext_attr,^resize_inode")]
    [InlineData(8, 2048, 2000, "ext2", "-r 0")]
    [InlineData(9, 1024, 3000, "ext2", "-g 1024")]
    [InlineData(10, 4096, 3000, "ext3", "-g 1024")]
    [InlineData(11, 1024, 3000, "ext2", "-g 512 -O flex_bg -G 4")]
    public void RandomOperationsAgreeWithTheReferenceModelAndLeaveACleanImage(int seed, int blockSize, int steps, string type, string extraOptions)
    {
        // ext2 on small blocks: 3 MiB and 192 inodes, so both kinds of ENOSPC happen; 4 KiB: 8 MiB.
        // ext3 (journaled): 1 MiB more on 1 KiB blocks for the journal; 4 KiB blocks: 16 MiB.
        // The extra rows cover 128-byte inodes, no filetype byte in directory entries, revision 0, 2 KiB
        // blocks, and several block groups (allocation across groups, flex_bg placement).
        int sizeKiB = (blockSize, type) switch { (4096, "ext2") => 8 << 10, (4096, _) => 16 << 10, (_, "ext2") => 3 << 10, _ => 4 << 10 };
        var options = new[] { "-t", type, "-N", "192", "-O", "^dir_index" }
            .Concat(extraOptions.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        using var image = TestImage.Create(sizeKiB, blockSize, null, options);
        image.CacheBytes = 64 << 10; // small: eviction and re-reading happen all the time
        image.Mount();
        var run = new RandomRun(seed, image);
        try
        {
            run.Execute(steps);
            run.CompareEverything();
        }
        catch (Exception e) when (e is not RandomRunFailure)
        {
            throw new RandomRunFailure(seed, run.History, e);
        }
        image.Unmount();
        E2fsTools.AssertClean(image.ImagePath);
        run.CompareWithDebugfsDump(image.ImagePath);
    }

    [Fact]
    public void RandomRunsHitEveryKindOfOutcome()
    {
        // The generator must really produce errors and ENOSPC, or the tests above prove less than they claim.
        using var image = TestImage.Create(3 << 10, 1024, null, "-N", "192", "-O", "^dir_index");
        image.Mount();
        var run = new RandomRun(1, image);
        run.Execute(3000);
        foreach (var error in new[] { FsError.ENOENT, FsError.EEXIST, FsError.ENOTDIR, FsError.EISDIR, FsError.ENOTEMPTY, FsError.ENOSPC, FsError.EINVAL })
            Assert.True(run.Outcomes.GetValueOrDefault(error) > 0, $"no {error} in 3000 random steps");
        Assert.True(run.Outcomes.GetValueOrDefault((FsError)0) > 1000, "too few successful steps");
        Assert.True(run.MostOrphans > 0, "no file was ever unlinked while held open");
    }
}

public sealed class RandomRunFailure(int seed, IEnumerable<string> history, Exception inner)
    : Exception($"random run with seed {seed} failed: {inner.Message}\nlast steps:\n  {string.Join("\n  ", history)}", inner);

/// <summary>One seeded random run against an image and the model.</summary>
public sealed class RandomRun(int seed, TestImage image)
{
    private static readonly string[] Names =
    {
        "a", "b", "c", "d", "e", "file", "dir", "x.txt", "y", "z",
        "a-rather-long-name-" + new string('n', 60), "name-with-255-" + new string('m', 241),
    };

    private readonly Random _random = new(seed);
    private readonly ReferenceModel _model = new();
    private readonly Queue<string> _history = new();
    private int _step;
    private readonly List<uint> _retained = new(); // inodes held open (Retain) by this run

    public IEnumerable<string> History => _history;
    /// <summary>How often each outcome happened (0 = success).</summary>
    public Dictionary<FsError, int> Outcomes { get; } = new();
    /// <summary>Most unlinked-but-open files alive at once during the run.</summary>
    public int MostOrphans { get; private set; }

    private Ext2FileSystem Fs => image.Fs;

    public void Execute(int steps)
    {
        for (_step = 0; _step < steps; _step++)
        {
            image.Time = 1_700_000_000 + (uint)_step;
            Step();
            MostOrphans = Math.Max(MostOrphans, Fs.OrphanCount);
            if (_step % 500 == 499)
                CompareEverything();
            if (_step % 700 == 699)
            {
                image.Remount(); // unmount frees every orphan; nothing is held open afterwards
                _retained.Clear();
            }
        }
    }

    private void Step()
    {
        var all = _model.Enumerate();
        var files = all.Where(p => p.Node is ReferenceModel.FileNode).Select(p => p.Path).ToList();
        var dirs = all.Where(p => p.Node is ReferenceModel.DirNode).Select(p => p.Path).Prepend("/").ToList();
        var anything = all.Select(p => p.Path).ToList();
        uint now = image.Time;
        string Pick(List<string> list) => list.Count == 0 ? FreshPath(dirs, files) : list[_random.Next(list.Count)];
        string Existing() => _random.Next(4) == 0 ? FreshPath(dirs, files) : Pick(anything);
        string FileOrDir() => _random.Next(5) == 0 ? Pick(dirs.Skip(1).ToList()) : Pick(files);

        switch (_random.Next(22))
        {
            case 0 or 1 or 2:
            {
                string path = FreshPath(dirs, files);
                ushort mode = (ushort)_random.Next(0x200);
                Apply($"create {path} {Convert.ToString(mode, 8)}", () => Fs.Create(path, mode), () => _model.Create(path, mode, now));
                break;
            }
            case 3 or 4 or 5 or 6:
            {
                string path = FileOrDir();
                long offset = _random.Next(3) switch { 0 => 0, 1 => _random.Next(20_000), _ => _random.Next(300_000) };
                var data = new byte[_random.Next(3) == 0 ? _random.Next(1, 16) : _random.Next(1, 16_000)];
                _random.NextBytes(data);
                Apply($"write {path} @{offset} +{data.Length}",
                    () => Fs.Write(Fs.Open(path, OpenFlags.None), offset, data),
                    () => _model.Write(path, offset, data, now));
                break;
            }
            case 7:
            {
                string path = FileOrDir();
                long size = _random.Next(2) == 0 ? _random.Next(5000) : _random.Next(300_000);
                Apply($"truncate {path} {size}", () => Fs.Truncate(path, size), () => _model.Truncate(path, size, now));
                break;
            }
            case 8 or 9:
            {
                string path = Existing();
                Apply($"unlink {path}", () => Fs.Unlink(path), () => _model.Unlink(path));
                break;
            }
            case 10 or 11:
            {
                string path = FreshPath(dirs, files);
                Apply($"mkdir {path}", () => Fs.Mkdir(path, 0x1ED), () => _model.Mkdir(path, 0x1ED));
                break;
            }
            case 12:
            {
                string path = _random.Next(3) == 0 ? Existing() : Pick(dirs.Skip(1).ToList());
                Apply($"rmdir {path}", () => Fs.Rmdir(path), () => _model.Rmdir(path));
                break;
            }
            case 13:
            {
                string from = Existing(), to = _random.Next(3) == 0 ? Pick(anything) : FreshPath(dirs, files);
                Apply($"link {from} {to}", () => Fs.Link(from, to), () => _model.Link(from, to));
                break;
            }
            case 14:
            {
                string path = FreshPath(dirs, files);
                string target = "t-" + new string((char)('a' + _random.Next(26)), _random.Next(1, 200));
                Apply($"symlink {target.Length} {path}", () => Fs.Symlink(target, path), () => _model.Symlink(target, path));
                break;
            }
            case 15 or 16:
            {
                string from = Existing(), to = _random.Next(3) == 0 ? Pick(anything) : FreshPath(dirs, files);
                Apply($"rename {from} {to}", () => Fs.Rename(from, to), () => _model.Rename(from, to));
                break;
            }
            case 17:
            {
                string path = FileOrDir();
                ushort mode = (ushort)_random.Next(0x1000);
                Apply($"chmod {path} {Convert.ToString(mode, 8)}", () => Fs.Chmod(path, mode), () => _model.Chmod(path, mode));
                break;
            }
            case 18:
            {
                string path = FileOrDir();
                uint uid = (uint)_random.Next(3) * 70000, gid = (uint)_random.Next(100);
                Apply($"chown {path} {uid}:{gid}", () => Fs.Chown(path, uid, gid), () => _model.Chown(path, uid, gid));
                break;
            }
            case 20:
            {
                // Hold a file open: if its last name goes, it must live on as an orphan (invisible to
                // the name tree the model checks) until released, then give its space back.
                if (files.Count == 0) break;
                string path = files[_random.Next(files.Count)];
                uint inode = Fs.Lookup(path);
                Fs.Retain(inode);
                _retained.Add(inode);
                _history.Enqueue($"#{_step} retain {path} (inode {inode})");
                break;
            }
            case 21:
            {
                if (_retained.Count == 0) break;
                int index = _random.Next(_retained.Count);
                Fs.Release(_retained[index]);
                _history.Enqueue($"#{_step} release inode {_retained[index]}");
                _retained.RemoveAt(index);
                break;
            }
            default:
            {
                string path = FileOrDir();
                uint atime = (uint)_random.Next(), mtime = (uint)_random.Next();
                Apply($"utimes {path} {atime} {mtime}", () => Fs.SetTimes(path, atime, mtime), () => _model.SetTimes(path, atime, mtime));
                break;
            }
        }
    }

    /// <summary>A path that may or may not exist: a name from a small pool in a random directory; sometimes
    /// under a regular file (ENOTDIR) or a missing directory (ENOENT).</summary>
    private string FreshPath(List<string> dirs, List<string> files)
    {
        string name = Names[_random.Next(Names.Length)];
        int kind = _random.Next(20);
        if (kind == 0 && files.Count > 0)
            return files[_random.Next(files.Count)] + "/" + name;
        if (kind == 1)
            return "/missing-dir/" + name;
        string dir = dirs[_random.Next(dirs.Count)];
        return (dir == "/" ? "" : dir) + "/" + name;
    }

    private void Apply(string description, Action onFs, Func<FsError?> onModel)
    {
        // Long runs of one character (the 255-byte names) are shortened to keep the history readable.
        description = System.Text.RegularExpressions.Regex.Replace(description, @"(.)\1{9,}", m => $"{m.Groups[1].Value}{{x{m.Length}}}");
        _history.Enqueue($"#{_step} {description}");
        if (_history.Count > 25)
            _history.Dequeue();
        FsError? fsResult = null;
        string fsMessage = "";
        try
        {
            onFs();
        }
        catch (FsException e)
        {
            fsResult = e.Error;
            fsMessage = " (" + e.Message + ")";
        }
        Outcomes[fsResult ?? 0] = Outcomes.GetValueOrDefault(fsResult ?? 0) + 1;
        if (fsResult == FsError.ENOSPC)
            return; // the file system ran out of room; it must have changed nothing (checked by comparisons)
        FsError? modelResult = onModel();
        if (fsResult != modelResult)
            throw new InvalidOperationException($"step {_step} '{description}': file system says {fsResult?.ToString() ?? "ok"}{fsMessage}, model says {modelResult?.ToString() ?? "ok"}");
    }

    /// <summary>Asserts that the file system holds exactly the model's tree: names, types, permissions,
    /// owners, link counts, sizes, contents, file times, symlink targets.</summary>
    public void CompareEverything()
    {
        CompareDirectory("/", _model.Root);
        foreach (var (path, node) in _model.Enumerate())
        {
            var stat = Fs.Stat(path, followSymlinks: false);
            string where = $"step {_step}, {path}";
            Assert.True(node.Permissions == (stat.Mode & 0xFFF), $"{where}: mode {stat.Mode:x} != {node.Permissions:x}");
            Assert.True((node.Uid, node.Gid) == (stat.Uid, stat.Gid), $"{where}: owner {stat.Uid}:{stat.Gid}");
            switch (node)
            {
                case ReferenceModel.FileNode file:
                    Assert.True(stat.Type == FileType.Regular, $"{where}: type {stat.Type}");
                    Assert.True(stat.Links == file.Links, $"{where}: links {stat.Links} != {file.Links}");
                    Assert.True(stat.Size == (ulong)file.Data.Length, $"{where}: size {stat.Size} != {file.Data.Length}");
                    Assert.True(stat.ModifyTime == file.ModifyTime && stat.AccessTime == file.AccessTime, $"{where}: times");
                    var contents = new byte[file.Data.Length + 10];
                    int read = Fs.Read(stat.Inode, 0, contents);
                    Assert.True(read == file.Data.Length && contents.AsSpan(0, read).SequenceEqual(file.Data), $"{where}: contents differ");
                    break;
                case ReferenceModel.DirNode dir:
                    Assert.True(stat.Type == FileType.Directory, $"{where}: type {stat.Type}");
                    Assert.True(stat.Links == dir.LinkCount, $"{where}: links {stat.Links} != {dir.LinkCount}");
                    CompareDirectory(path, dir);
                    break;
                case ReferenceModel.LinkNode link:
                    Assert.True(stat.Type == FileType.Symlink, $"{where}: type {stat.Type}");
                    Assert.True(stat.Links == link.Links, $"{where}: links {stat.Links} != {link.Links}");
                    Assert.True(Fs.ReadLink(path) == link.Target, $"{where}: target");
                    break;
            }
        }
    }

    private void CompareDirectory(string path, ReferenceModel.DirNode dir)
    {
        var entries = Fs.ReadDirectory(path);
        var names = entries.Select(e => e.Name).Where(n => n is not "." and not "..").OrderBy(n => n, StringComparer.Ordinal);
        Assert.True(names.SequenceEqual(dir.Children.Keys), $"step {_step}, {path}: entries [{string.Join(", ", names)}] != [{string.Join(", ", dir.Children.Keys)}]");
        Assert.Equal(Fs.Stat(path).Inode, entries.Single(e => e.Name == ".").Inode);
    }

    /// <summary>debugfs rdump of the image must give the model's tree (names, types, contents, targets).</summary>
    public void CompareWithDebugfsDump(string imagePath)
    {
        using var dump = new TempDirectory();
        E2fsTools.Debugfs(imagePath, $"rdump / {dump.Path}");
        void Compare(string host, ReferenceModel.DirNode dir, string where)
        {
            var hostNames = new DirectoryInfo(host).EnumerateFileSystemInfos().Select(i => i.Name).OrderBy(n => n, StringComparer.Ordinal);
            Assert.True(hostNames.SequenceEqual(dir.Children.Keys), $"debugfs lists [{string.Join(", ", hostNames)}] in {where}, model [{string.Join(", ", dir.Children.Keys)}]");
            foreach (var (name, node) in dir.Children)
            {
                string hostPath = Path.Combine(host, name);
                switch (node)
                {
                    case ReferenceModel.FileNode file:
                        Assert.True(File.ReadAllBytes(hostPath).AsSpan().SequenceEqual(file.Data), $"debugfs: contents of {where}/{name}");
                        break;
                    case ReferenceModel.LinkNode link:
                        Assert.Equal(link.Target, new FileInfo(hostPath).LinkTarget);
                        break;
                    case ReferenceModel.DirNode sub:
                        Assert.True(Directory.Exists(hostPath), $"debugfs: {where}/{name} is not a directory");
                        Compare(hostPath, sub, where + "/" + name);
                        break;
                }
            }
        }
        Compare(dump.Path, _model.Root, "");
    }
}
