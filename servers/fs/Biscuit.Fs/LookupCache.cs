// The directory lookup cache: (directory inode, name) -> inode, so repeated path resolution does not scan
// directories linearly. Only positive answers are cached. Bounded: when full it is emptied (simple, and
// lookups refill what is hot). Kept exact by the FileSystem: every entry removal or retargeting forgets the
// name; freeing a directory or rolling back an operation clears everything.
namespace Biscuit.Fs;

public sealed class LookupCache
{
    private readonly Dictionary<(uint Dir, string Name), uint> _entries = new(); // owner: Ext2FileSystem
    private readonly int _capacity;

    public long Hits { get; private set; }
    public long Misses { get; private set; }

    public LookupCache(int capacity) => _capacity = Math.Max(capacity, 16);

    public bool TryGet(uint dir, string name, out uint inode)
    {
        bool found = _entries.TryGetValue((dir, name), out inode);
        if (found) Hits++; else Misses++;
        return found;
    }

    public void Add(uint dir, string name, uint inode)
    {
        if (_entries.Count >= _capacity)
            _entries.Clear();
        _entries[(dir, name)] = inode;
    }

    public void Forget(uint dir, string name) => _entries.Remove((dir, name));

    public void Clear() => _entries.Clear();
}
