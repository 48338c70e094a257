// Requests on paths through the client and the real server: mkdir, rmdir, unlink, rename, link,
// symlink, readlink, chmod, chown, utimes; the host's e2fsck and debugfs judge the result.
using System.Text;
using Biscuit.Fs.Protocol;
using Biscuit.Fs.Tests;

namespace Biscuit.Fs.Client.Tests;

public class NamespaceTests
{
    [Fact]
    public void Mkdir_makes_a_directory_and_Rmdir_removes_it()
    {
        using var h = new FsHarness();
        FsAssert.Ok(h.Client.Mkdir("/d", 0x1C0, uid: 5, gid: 6));
        var s = h.Client.Stat("/d").Value;
        Assert.True(s.IsDirectory);
        Assert.Equal(0x1C0u, s.Permissions);
        Assert.Equal(2u, s.Links);
        Assert.Equal(5u, s.Uid);
        FsAssert.Ok(h.Client.Rmdir("/d"));
        FsAssert.Errno(Errno.ENOENT, h.Client.Stat("/d"));
    }

    [Fact]
    public void Rename_moves_across_directories_and_replaces_an_existing_target()
    {
        using var h = new FsHarness(stage =>
        {
            Directory.CreateDirectory(Path.Combine(stage, "a"));
            Directory.CreateDirectory(Path.Combine(stage, "b"));
            File.WriteAllText(Path.Combine(stage, "a", "from"), "new");
            File.WriteAllText(Path.Combine(stage, "b", "to"), "old");
        });
        FsAssert.Ok(h.Client.Rename("/a/from", "/b/to"));
        FsAssert.Errno(Errno.ENOENT, h.Client.Stat("/a/from"));
        Assert.Equal("new", Encoding.UTF8.GetString(h.ReadFile("/b/to")));
        h.Stop();
        E2fsTools.AssertClean(h.Image);
        Assert.Contains("new", E2fsTools.Debugfs(h.Image, "cat /b/to"));
    }

    [Fact]
    public void Link_adds_a_name_and_Unlink_of_one_name_keeps_the_other()
    {
        using var h = new FsHarness(stage => File.WriteAllText(Path.Combine(stage, "f"), "data"));
        FsAssert.Ok(h.Client.Link("/f", "/g"));
        Assert.Equal(2u, h.Client.Stat("/f").Value.Links);
        Assert.Equal(h.Client.Stat("/f").Value.Inode, h.Client.Stat("/g").Value.Inode);
        FsAssert.Ok(h.Client.Unlink("/f"));
        Assert.Equal("data", Encoding.UTF8.GetString(h.ReadFile("/g")));
        Assert.Equal(1u, h.Client.Stat("/g").Value.Links);
        h.Stop();
        E2fsTools.AssertClean(h.Image);
    }

    [Fact]
    public void Symlink_stores_its_target_Readlink_returns_it_and_Stat_follows_it_unless_told_not_to()
    {
        using var h = new FsHarness(stage => File.WriteAllText(Path.Combine(stage, "f"), "via the link"));
        FsAssert.Ok(h.Client.Symlink("f", "/soft"));
        Assert.Equal("f", h.Client.Readlink("/soft").Value);
        Assert.True(h.Client.Stat("/soft", followLinks: true).Value.IsRegular);
        var l = h.Client.Stat("/soft", followLinks: false).Value;
        Assert.True(l.IsSymlink);
        Assert.Equal(1, l.Size);
        Assert.Equal("via the link", Encoding.UTF8.GetString(h.ReadFile("/soft")));
        FsAssert.Errno(Errno.ELOOP, h.Client.Open("/soft", LinuxOpenFlags.O_NOFOLLOW));
        h.Stop();
        Assert.Contains("Fast link dest: \"f\"", E2fsTools.Debugfs(h.Image, "stat /soft"));
    }

    [Fact]
    public void Chmod_Chown_and_Utimes_change_what_Stat_reports()
    {
        using var h = new FsHarness(stage => File.WriteAllText(Path.Combine(stage, "f"), ""));
        FsAssert.Ok(h.Client.Chmod("/f", 0x1ED | 0x800));        // 04755: setuid kept, type untouched
        FsAssert.Ok(h.Client.Chown("/f", 1000, -1));
        FsAssert.Ok(h.Client.Chown("/f", -1, 2000));
        FsAssert.Ok(h.Client.Utimes("/f", 1_000, 0, 2_000, 0));
        FsAssert.Ok(h.Client.Utimes("/f", 0, TimeSpecial.UTIME_OMIT, 3_000, 0));
        var s = h.Client.Stat("/f").Value;
        Assert.Equal(0x9EDu, s.Permissions);
        Assert.True(s.IsRegular);
        Assert.Equal(1000u, s.Uid);
        Assert.Equal(2000u, s.Gid);
        Assert.Equal(1_000, s.AccessSeconds);
        Assert.Equal(3_000, s.ModifySeconds);
        FsAssert.Ok(h.Client.Utimes("/f", 0, TimeSpecial.UTIME_NOW, 0, TimeSpecial.UTIME_OMIT));
        Assert.True(h.Client.Stat("/f").Value.AccessSeconds > 1_700_000_000);
    }

    [Fact]
    public void Statfs_counts_the_blocks_a_write_takes()
    {
        using var h = new FsHarness();
        var before = h.Client.Statfs();
        FsAssert.Ok(before);
        Assert.Equal(4096, before.Value.BlockSize);
        Assert.Equal(4096, before.Value.Blocks);      // 16 MiB of 4 KiB blocks
        Assert.Equal(255, before.Value.MaxNameLength);
        h.WriteFile("/f", new byte[40_960]);
        var after = h.Client.Statfs().Value;
        Assert.Equal(before.Value.FreeBlocks - 10, after.FreeBlocks);
        Assert.Equal(before.Value.FreeFiles - 1, after.FreeFiles);
    }
}
