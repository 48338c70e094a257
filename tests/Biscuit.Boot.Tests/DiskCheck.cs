// The host's verdict on a root disk QEMU was writing when it was stopped (issue 9: "after every
// scenario the disk passes the host's e2fsck -fn"): on a copy, the journal is replayed first, as the
// next mount would (e2fsck -E journal_only), then a full read-only check must find nothing to fix.
namespace Biscuit.Boot.Tests;

public static class DiskCheck
{
    /// <summary>e2fsck -fn's exit code on a journal-replayed copy of `disk` (made in `folder`), and
    /// both runs' output.</summary>
    public static (int Code, string Output) AfterJournalReplay(string disk, string folder)
    {
        string copy = Path.Combine(folder, "checked.ext3");
        File.Copy(disk, copy, overwrite: true);
        var (replayCode, replay) = Repository.Run("e2fsck", $"-y -E journal_only \"{copy}\"", TimeSpan.FromMinutes(1));
        var (code, output) = Repository.Run("e2fsck", $"-fn \"{copy}\"", TimeSpan.FromMinutes(2));
        return (code, $"journal replay (exit {replayCode}):\n{replay}\nfull check:\n{output}");
    }
}
