// The directory lookup cache: (directory inode, name) -> inode, so repeated path resolution does not scan
// directories linearly. A directory may also be "complete": every one of its names is cached, so a
// miss is an authoritative "no such name" (creating many files in one directory then costs no scans).
// Bounded: when full it is emptied, completeness included (lookups refill what is hot).
// Kept exact by the FileSystem: every entry added is added here, every entry removed is forgotten, a
// retargeted entry is re-added; freeing a directory or rolling back an operation clears everything.
namespace Biscuit.Fs;

public sealed class LookupCache
{
    private readonly Dictionary<(uint Dir, string Name), uint> _entries = new(); // owner: Ext2FileSystem
    private readonly HashSet<uint> _complete = new();                             // directories fully cached
    private readonly int _capacity;

    public long Hits { get; private set; }
    public long Misses { get; private set; }

    public LookupCache(int capacity) => _capacity = Math.Max(capacity, 16);

    /// <summary>True with the inode if cached; false with 0 if not (authoritative when IsComplete(dir)).</summary>
    public bool TryGet(uint dir, string name, out uint inode)
    {
        bool found = _entries.TryGetValue((dir, name), out inode);
        if (found) Hits++; else Misses++;
        return found;
    }

    public bool IsComplete(uint dir) => _complete.Contains(dir);

    /// <summary>Whether `count` more names fit without emptying the cache.</summary>
    public bool HasRoomFor(long count) => _entries.Count + count <= _capacity;

    public void MarkComplete(uint dir) => _complete.Add(dir);

    public void Add(uint dir, string name, uint inode)
    {
        if (_entries.Count >= _capacity && !_entries.ContainsKey((dir, name)))
            Clear();
        _entries[(dir, name)] = inode;
    }

    /// <summary>The name is gone from the directory (completeness, if any, still holds).</summary>
    public void Forget(uint dir, string name) => _entries.Remove((dir, name));

    public void Clear()
    {
        _entries.Clear();
        _complete.Clear();
    }
}
