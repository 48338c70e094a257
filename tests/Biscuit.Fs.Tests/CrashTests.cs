// Crash tests (issue 5): a fixed, seeded workload on an ext3 image through a device that loses power
// after N block writes, for many N spread over the whole run. After each crash:
//   - our mount replays the journal, and e2fsck -fn then finds the image clean;
//   - on a copy, e2fsck -fy replays it, fixes nothing else, and e2fsck -fn finds it clean;
// and in both, every file synced (Flush) before the crash and not touched since reads back byte for byte.
namespace Biscuit.Fs.Tests;

public class CrashTests
{
    private const int Cases = 120;

    [Fact]
    public void AfterACrashAtAnyWriteTheJournalIsReplayedCleanAndSyncedFilesAreIntact()
    {
        using var dir = new TempDirectory();
        string baseImage = dir["base.img"];
        E2fsTools.MakeImage(baseImage, 8 << 10, 1024, null, "-t", "ext3", "-N", "256");

        // The full run, without failure, tells how many writes there are to crash at.
        string full = dir["full.img"];
        File.Copy(baseImage, full);
        long totalWrites;
        using (var device = new FailingDevice(new ImageFileDevice(full, flushToDisk: false), long.MaxValue))
        {
            new CrashWorkload(seed: 7).Run(device);
            totalWrites = device.Writes;
        }
        E2fsTools.AssertClean(full);
        Assert.True(totalWrites > 500, $"only {totalWrites} writes");

        var random = new Random(11);
        var failures = new List<string>();
        for (int c = 0; c < Cases; c++)
        {
            long crashAt = c == 0 ? 0 : random.NextInt64(totalWrites);
            string crashed = dir["crashed.img"], copy = dir["copy.img"];
            File.Copy(baseImage, crashed, overwrite: true);
            var workload = new CrashWorkload(seed: 7);
            using (var device = new FailingDevice(new ImageFileDevice(crashed, flushToDisk: false), crashAt))
            {
                try { workload.Run(device); }
                catch (FsException e) when (e.Error == FsError.EIO && device.Failed) { }
            }
            File.Copy(crashed, copy, overwrite: true);
            string? problem = CheckOurReplay(crashed, workload) ?? CheckE2fsckReplay(copy, workload);
            if (problem != null)
                failures.Add($"crash after write {crashAt}: {problem}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {Cases} crash cases failed:\n" + string.Join("\n", failures.Take(5)));
    }

    private static string? CheckOurReplay(string image, CrashWorkload workload)
    {
        using (var device = new ImageFileDevice(image, flushToDisk: false))
        using (var fs = Ext2FileSystem.Mount(device))
        {
            string? lost = workload.FindLostSyncedFile(fs);
            if (lost != null)
                return "after our replay: " + lost;
        }
        var (code, output) = E2fsTools.Run("e2fsck", "-fn", image);
        return code == 0 ? null : $"e2fsck -fn after our replay (exit {code}): {output}";
    }

    private static string? CheckE2fsckReplay(string image, CrashWorkload workload)
    {
        var (code, output) = E2fsTools.Run("e2fsck", "-fy", image);
        if (code > 1 || output.Contains("? yes"))
            return $"e2fsck -fy had to repair (exit {code}): {output}";
        (code, output) = E2fsTools.Run("e2fsck", "-fn", image);
        if (code != 0)
            return $"e2fsck -fn after e2fsck's replay (exit {code}): {output}";
        using var device = new ImageFileDevice(image, readOnly: true);
        using var fs = Ext2FileSystem.Mount(device, new MountOptions { ReadOnly = true });
        string? lost = workload.FindLostSyncedFile(fs);
        return lost == null ? null : "after e2fsck's replay: " + lost;
    }
}

/// <summary>A seeded sequence of file operations with a sync every few steps. It remembers, for the
/// last completed sync, which paths held which contents, forgetting a path as soon as it is touched.</summary>
public sealed class CrashWorkload(int seed)
{
    private readonly Dictionary<string, byte[]> _current = new();  // path -> contents now (hard links share arrays)
    private Dictionary<string, byte[]> _synced = new();             // path -> contents at the last completed sync

    public void Run(IBlockDevice device)
    {
        var random = new Random(seed);
        var fs = Ext2FileSystem.Mount(device, new MountOptions { CacheBytes = 128 << 10, Clock = () => 1_700_000_000 });
        foreach (var d in new[] { "/a", "/b", "/c" })
            fs.Mkdir(d);
        for (int step = 0; step < 400; step++)
        {
            var paths = _current.Keys.OrderBy(p => p, StringComparer.Ordinal).ToList();
            string fresh = $"/{"abc"[random.Next(3)]}/f{random.Next(60)}";
            string existing = paths.Count > 0 ? paths[random.Next(paths.Count)] : fresh;
            try
            {
                switch (random.Next(10))
                {
                    case 0 or 1 or 2:
                    {
                        var data = new byte[random.Next(1, 40_000)];
                        random.NextBytes(data);
                        Touch(fresh);
                        uint inode = fs.Open(fresh, OpenFlags.Create | OpenFlags.Truncate);
                        fs.Write(inode, 0, data);
                        if (_current.ContainsKey(fresh))
                            Replace(fresh, data); // truncating a hard-linked file changes every name
                        else
                            _current[fresh] = data;
                        break;
                    }
                    case 3 or 4:
                        if (!_current.ContainsKey(existing)) break;
                        var more = new byte[random.Next(1, 20_000)];
                        random.NextBytes(more);
                        Touch(existing);
                        fs.Write(fs.Lookup(existing), _current[existing].Length, more);
                        Replace(existing, _current[existing].Concat(more).ToArray());
                        break;
                    case 5:
                        if (!_current.ContainsKey(existing)) break;
                        Touch(existing);
                        fs.Truncate(existing, _current[existing].Length / 3);
                        Replace(existing, _current[existing][..(_current[existing].Length / 3)]);
                        break;
                    case 6:
                        if (!_current.ContainsKey(existing)) break;
                        Touch(existing);
                        fs.Unlink(existing);
                        _current.Remove(existing);
                        break;
                    case 7:
                        if (!_current.ContainsKey(existing) || existing == fresh) break;
                        if (_current.TryGetValue(fresh, out var target) && ReferenceEquals(target, _current[existing]))
                            break; // two names of one file: rename does nothing
                        Touch(existing);
                        Touch(fresh);
                        fs.Rename(existing, fresh);
                        _current[fresh] = _current[existing];
                        _current.Remove(existing);
                        break;
                    case 8:
                        if (!_current.ContainsKey(existing) || _current.ContainsKey(fresh)) break;
                        Touch(fresh);
                        fs.Link(existing, fresh);
                        _current[fresh] = _current[existing];
                        break;
                    default:
                        fs.Flush();
                        _synced = new Dictionary<string, byte[]>(_current);
                        break;
                }
            }
            catch (FsException e) when (e.Error == FsError.ENOSPC)
            {
                // The workload is the same in every case, so ENOSPC happens identically: ignore it.
            }
        }
        fs.Dispose();
        _synced = new Dictionary<string, byte[]>(_current);
    }

    /// <summary>Forgets that `path`, and every other name of the same file, was synced.</summary>
    private void Touch(string path)
    {
        if (_current.TryGetValue(path, out var contents))
            foreach (var other in _current.Where(p => ReferenceEquals(p.Value, contents)).Select(p => p.Key).ToList())
                _synced.Remove(other);
        _synced.Remove(path);
    }

    /// <summary>New contents for `path` and every hard link to it.</summary>
    private void Replace(string path, byte[] contents)
    {
        var old = _current[path];
        foreach (var name in _current.Where(p => ReferenceEquals(p.Value, old)).Select(p => p.Key).ToList())
            _current[name] = contents;
    }

    /// <summary>A description of the first synced file that does not read back as synced, or null.</summary>
    public string? FindLostSyncedFile(Ext2FileSystem fs)
    {
        foreach (var (path, contents) in _synced)
        {
            try
            {
                var stat = fs.Stat(path);
                var back = new byte[contents.Length + 1];
                int read = fs.Read(stat.Inode, 0, back);
                if (read != contents.Length || !back.AsSpan(0, read).SequenceEqual(contents))
                    return $"{path}: {read} bytes read back, {contents.Length} synced, or contents differ";
            }
            catch (FsException e)
            {
                return $"{path}: {e.Message}";
            }
        }
        return null;
    }
}
