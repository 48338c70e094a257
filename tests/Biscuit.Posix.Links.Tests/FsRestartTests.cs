// A restart of the fs server under posix (issue 9): the files posix holds open survive it. A call on
// a handle of the dead run is answered EBADF by the new one, FsLink re-opens the file by inode and
// generation and makes the call again, so an application's descriptor keeps working; a file that was
// unlinked while open is freed by the new run's orphan cleanup and answers EIO until closed.
using Biscuit.Fs.Client.Tests;
using Biscuit.Posix;
using Biscuit.Posix.Links;

namespace Biscuit.Posix.Links.Tests;

public class FsRestartTests
{
    [Fact]
    public void An_open_file_reads_writes_and_stats_as_before_after_fs_restarts()
    {
        using var h = new FsHarness(stage => File.WriteAllText(Path.Combine(stage, "log"), "line 1\n"));
        var fs = new FsLink(() => h.Client);
        Assert.Equal(0, fs.Open("/log", FsOpenFlags.None, 0, out var node, out var before));
        Assert.Equal(0, fs.Open("/", FsOpenFlags.Directory, 0, out var root, out _));
        h.CrashAndRestart();

        Assert.Equal(7, fs.Write(node, 7, "line 2\n"u8));
        var back = new byte[32];
        Assert.Equal(14, fs.Read(node, 0, back));
        Assert.Equal("line 1\nline 2\n"u8.ToArray(), back[..14]);
        Assert.Equal(0, fs.Attributes(node, out var after));
        Assert.Equal(before.Inode, after.Inode);
        Assert.Equal(0, fs.Fsync(node));
        var names = new List<FsDirEntry>();
        Assert.True(fs.ReadDirectory(root, 0, names, 100, out _) > 0);
        Assert.Contains(names, e => e.Name == "log");
        Assert.Equal(2, fs.OpenFiles.Reopened);
        Assert.Equal(0, fs.Close(node));
        Assert.Equal(0, fs.Close(root));
        Assert.Equal(0, fs.OpenFiles.Count);
        Assert.Equal(0, h.Client.FsStats().Value!.OpenFiles);   // the re-opened handles were closed in the new run
    }

    [Fact]
    public void A_file_unlinked_while_open_is_lost_in_the_restart_and_answers_EIO_until_closed()
    {
        using var h = new FsHarness();
        var fs = new FsLink(() => h.Client);
        Assert.Equal(0, fs.Open("/scratch", FsOpenFlags.Create, 0x1A4, out var node, out _));
        Assert.Equal(4, fs.Write(node, 0, "temp"u8));
        Assert.Equal(0, fs.Unlink("/scratch"));
        Assert.Equal(0, fs.Fsync(node));
        h.CrashAndRestart();

        Assert.Equal(-Errno.EIO, fs.Read(node, 0, new byte[4]));
        Assert.Equal(-Errno.EIO, fs.Write(node, 0, "x"u8));
        Assert.Equal(1, fs.OpenFiles.Lost);
        Assert.Equal(0, fs.Close(node));
        Assert.Equal(-Errno.EBADF, fs.Close(node));
    }

    [Fact]
    public void A_node_posix_never_opened_or_already_closed_is_EBADF()
    {
        using var h = new FsHarness();
        var fs = new FsLink(() => h.Client);
        Assert.Equal(-Errno.EBADF, fs.Read(new FsNode(12345), 0, new byte[1]));
        Assert.Equal(-Errno.EBADF, fs.Fsync(new FsNode(12345)));
        Assert.Equal(-Errno.EBADF, fs.Close(new FsNode(12345)));
    }
}
