// A crash of the fs server (DESIGN.md §7): init starts it again on the same endpoint, and its
// state comes back from the disk and the journal. What was fsynced survives; open handles do not
// (the new instance has an empty open-file table: EBADF, even for a handle whose count the new run
// gives out again), so the posix server re-opens by inode number and generation (Reopen).
using System.Text;
using Biscuit.Fs.Protocol;
using Biscuit.Fs.Tests;

namespace Biscuit.Fs.Client.Tests;

public class RestartTests
{
    [Fact]
    public void After_a_crash_and_restart_fsynced_files_are_there_and_old_handles_are_EBADF()
    {
        using var h = new FsHarness();
        ulong handle = h.Open("/kept", LinuxOpenFlags.O_CREAT);
        FsAssert.Ok(h.Client.Write(handle, 0, "synced"u8.ToArray()));
        FsAssert.Ok(h.Client.Fsync(handle));
        FsAssert.Ok(h.Client.Mkdir("/after-sync"));        // never committed: lost or kept whole, never half
        FsAssert.Ok(h.Client.Open("/held", LinuxOpenFlags.O_CREAT));
        h.CrashAndRestart();
        FsAssert.Errno(Errno.EBADF, h.Client.Read(handle, 0, new byte[8]));
        var figures = h.Client.FsStats();
        FsAssert.Ok(figures, "FsStats");
        Assert.Equal(0, figures.Value!.OpenFiles);
        Assert.Equal("synced", Encoding.UTF8.GetString(h.ReadFile("/kept")));
        FsAssert.Ok(h.Client.Mkdir("/new-life"));
        FsAssert.Ok(h.Client.Sync());
        h.Stop();
        E2fsTools.AssertClean(h.Image);
    }

    [Fact]
    public void A_handle_of_the_previous_run_is_EBADF_even_when_the_new_run_has_opened_as_many_files()
    {
        using var h = new FsHarness();
        ulong old = h.Open("/a", LinuxOpenFlags.O_CREAT);
        FsAssert.Ok(h.Client.Sync());
        h.CrashAndRestart();
        ulong fresh = h.Open("/a");
        Assert.NotEqual(old, fresh);
        FsAssert.Errno(Errno.EBADF, h.Client.Read(old, 0, new byte[1]));
        FsAssert.Ok(h.Client.Read(fresh, 0, new byte[1]));
    }

    [Fact]
    public void After_a_restart_a_file_reopened_by_inode_and_generation_reads_and_writes_as_before()
    {
        using var h = new FsHarness();
        var opened = h.Client.Open("/held", LinuxOpenFlags.O_CREAT | 2 /* O_RDWR */).Value;
        FsAssert.Ok(h.Client.Write(opened.Handle, 0, "before"u8.ToArray()));
        FsAssert.Ok(h.Client.Fsync(opened.Handle));
        h.CrashAndRestart();
        var again = h.Client.Reopen(opened.Status.Inode, opened.Generation, 2 /* O_RDWR */);
        FsAssert.Ok(again, "Reopen");
        Assert.Equal(opened.Status.Inode, again.Value.Status.Inode);
        Assert.Equal(opened.Generation, again.Value.Generation);
        FsAssert.Ok(h.Client.Write(again.Value.Handle, 6, " after"u8.ToArray()));
        FsAssert.Ok(h.Client.Close(again.Value.Handle));
        Assert.Equal("before after", Encoding.UTF8.GetString(h.ReadFile("/held")));
        h.Stop();
        E2fsTools.AssertClean(h.Image);
    }

    [Fact]
    public void Reopen_of_a_file_that_is_gone_or_was_replaced_is_ESTALE_and_a_creating_reopen_is_EINVAL()
    {
        using var h = new FsHarness();
        var first = h.Client.Open("/gone", LinuxOpenFlags.O_CREAT).Value;
        FsAssert.Ok(h.Client.Close(first.Handle));
        FsAssert.Ok(h.Client.Unlink("/gone"));
        FsAssert.Ok(h.Client.Sync());
        h.CrashAndRestart();
        FsAssert.Errno(Errno.ESTALE, h.Client.Reopen(first.Status.Inode, first.Generation, 0));
        var other = h.Client.Open("/other", LinuxOpenFlags.O_CREAT).Value;   // may take the freed number
        FsAssert.Errno(Errno.ESTALE, h.Client.Reopen(other.Status.Inode, other.Generation + 1, 0));
        FsAssert.Errno(Errno.ESTALE, h.Client.Reopen(0, 0, 0));
        FsAssert.Errno(Errno.ESTALE, h.Client.Reopen(1UL << 40, 0, 0));
        FsAssert.Errno(Errno.ESTALE, h.Client.Reopen(1_000_000, 0, 0));
        FsAssert.Errno(Errno.EINVAL, h.Client.Reopen(other.Status.Inode, other.Generation, LinuxOpenFlags.O_TRUNC));
        FsAssert.Errno(Errno.EINVAL, h.Client.Reopen(other.Status.Inode, other.Generation, LinuxOpenFlags.O_CREAT));
        FsAssert.Ok(h.Client.Reopen(other.Status.Inode, other.Generation, 0));
    }
}
