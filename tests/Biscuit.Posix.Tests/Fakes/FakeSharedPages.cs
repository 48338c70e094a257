// posix's shared pages and grants over the fake kernel, with the real kernel's rules (GrantControl.cs):
// a grant puts the very byte arrays of posix's pages into the target's page dictionary, so a store
// through the mapping (FakeProcessKernel.Write) lands in posix's page, as a shared frame would; a
// target page that already shows a live grant is EEXIST; revoking removes only entries that still
// show the grant's pages; a dead target is ESRCH. FailGrantsWith makes grant_create fail.
namespace Biscuit.Posix.Tests;

public sealed class FakeSharedPages(FakeProcessKernel kernel) : ISharedPages
{
    public readonly Dictionary<ulong, byte[]> Committed = [];
    public readonly Dictionary<long, (KernelProcess Target, ulong Address, byte[][] Pages, bool Writable)> Live = [];
    public readonly Dictionary<ulong, ulong> Reservations = [];
    public int FailGrantsWith;
    private ulong next = 0x5000_0000_0000;
    private long nextGrant = 0x2000;

    public long Reserve(ulong pages)
    {
        ulong at = next;
        next += pages * 4096 + 0x10_0000;
        Reservations[at] = pages;
        return (long)at;
    }

    public void Unreserve(ulong address, ulong pages)
    {
        Assert.True(Reservations.Remove(address), "unreserve of something never reserved");
        Assert.DoesNotContain(Committed.Keys, a => a >= address && a < address + pages * 4096);
    }

    public long Commit(ulong address)
    {
        Assert.False(Committed.ContainsKey(address), "page committed twice");
        Committed[address] = new byte[4096];
        return 0;
    }

    public void Decommit(ulong address)
    {
        var page = Committed[address];
        Assert.DoesNotContain(Live.Values, g => g.Pages.Contains(page));   // the kernel: EBUSY
        Committed.Remove(address);
    }

    public Span<byte> PageAt(ulong address) => Committed[address];

    public long Grant(KernelProcess target, ulong source, ulong pages, ulong targetAddress, bool writable)
    {
        if (FailGrantsWith < 0) return FailGrantsWith;
        var t = kernel.Of(target);
        if (t.Killed) return -Errno.ESRCH;
        var shown = new byte[pages][];
        for (ulong i = 0; i < pages; i++)
        {
            if (!Committed.TryGetValue(source + i * 4096, out var page)) return -Errno.EFAULT;
            if (t.Pages.TryGetValue(targetAddress + i * 4096, out var there) && Live.Values.Any(g => g.Target == target && g.Pages.Contains(there)))
                return -Errno.EEXIST;
            shown[i] = page;
        }
        for (ulong i = 0; i < pages; i++) t.Pages[targetAddress + i * 4096] = shown[i];
        Live[++nextGrant] = (target, targetAddress, shown, writable);
        return nextGrant;
    }

    public long Revoke(long grant)
    {
        if (!Live.Remove(grant, out var g)) return -Errno.EBADF;
        var t = kernel.Of(g.Target);
        for (int i = 0; i < g.Pages.Length; i++)
        {
            ulong at = g.Address + (ulong)i * 4096;
            if (t.Pages.TryGetValue(at, out var there) && ReferenceEquals(there, g.Pages[i])) t.Pages.Remove(at);
        }
        return 0;
    }

    /// <summary>What the kernel's munmap does to the application before it forwards the call: the pages go.</summary>
    public void KernelUnmaps(KernelProcess process, ulong address, ulong length)
    {
        var t = kernel.Of(process);
        for (ulong at = address; at < address + length; at += 4096) t.Pages.Remove(at);
    }
}
