// A crash of the fs server (DESIGN.md §7): init starts it again on the same endpoint, and its
// state comes back from the disk and the journal. What was fsynced survives; open handles do not
// (the new instance has an empty open-file table: EBADF), so the posix server must reopen.
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
        Assert.Equal(0, h.Client.FsStats().Value!.OpenFiles);
        Assert.Equal("synced", Encoding.UTF8.GetString(h.ReadFile("/kept")));
        FsAssert.Ok(h.Client.Mkdir("/new-life"));
        FsAssert.Ok(h.Client.Sync());
        h.Stop();
        E2fsTools.AssertClean(h.Image);
    }
}
