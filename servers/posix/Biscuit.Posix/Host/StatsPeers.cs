// The servers posix asks only for their Stats (posix-server's `stats=NAME,...` option): their
// endpoints follow fs's and net's among posix's initial handles, in the order named, and
// /proc/biscuit/gc shows a column for each (boot/manifest names the drivers, blk and nic, whose
// figures no other server reports). Parse refuses anything that would make the handle numbering
// ambiguous: an empty or repeated name, fs or net (posix's own links), a name init would not take,
// or more peers than init passes uses.
namespace Biscuit.Posix;

public static class StatsPeers
{
    /// <summary>init passes at most 6 uses (servers/init/init.c MAX_USES); fs and net take two.</summary>
    public const int MaxPeers = 4;

    /// <summary>The names in order, or null when the list is malformed.</summary>
    public static string[]? Parse(string list)
    {
        var names = list.Split(',');
        if (names.Length > MaxPeers) return null;
        foreach (var n in names)
            if (n.Length is 0 or > 15 || n is "fs" or "net" || !n.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
                return null;
        return names.Distinct().Count() == names.Length ? names : null;
    }
}
