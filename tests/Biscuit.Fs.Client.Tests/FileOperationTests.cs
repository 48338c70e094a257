// Requests on open files through the client and the real server: open, read, write, truncate,
// close, stat by handle, fsync, and getdents-style directory listing. The host's e2fsck and
// debugfs judge what was written.
using System.Text;
using Biscuit.Fs.Protocol;
using Biscuit.Fs.Tests;

namespace Biscuit.Fs.Client.Tests;

public class FileOperationTests
{
    [Fact]
    public void Open_then_Read_returns_the_bytes_the_host_wrote()
    {
        using var h = new FsHarness(stage => File.WriteAllText(Path.Combine(stage, "hello.txt"), "hello from the host\n"));
        Assert.Equal("hello from the host\n", Encoding.UTF8.GetString(h.ReadFile("/hello.txt")));
    }

    [Fact]
    public void A_read_larger_than_one_message_is_looped_by_the_client_and_stops_at_the_end_of_the_file()
    {
        var data = FsHarness.Pattern(100_000, 7);
        using var h = new FsHarness(stage => File.WriteAllBytes(Path.Combine(stage, "big.bin"), data));
        ulong handle = h.Open("/big.bin");
        var buffer = new byte[150_000];
        var r = h.Client.Read(handle, 0, buffer);
        FsAssert.Ok(r);
        Assert.Equal(data.Length, r.Value);
        Assert.True(buffer.AsSpan(0, data.Length).SequenceEqual(data));
        var tail = h.Client.Read(handle, 99_990, new byte[100]);
        Assert.Equal(10, tail.Value);
        Assert.Equal(0, h.Client.Read(handle, 200_000, new byte[10]).Value);
    }

    [Fact]
    public void A_write_larger_than_one_message_reads_back_and_the_host_finds_it_on_a_clean_disk()
    {
        var data = FsHarness.Pattern(50_000, 3);
        using var h = new FsHarness();
        ulong handle = h.Open("/new.bin", LinuxOpenFlags.O_CREAT | LinuxOpenFlags.O_EXCL);
        var w = h.Client.Write(handle, 0, data);
        Assert.Equal(data.Length, w.Value);
        FsAssert.Ok(h.Client.Fsync(handle));
        FsAssert.Ok(h.Client.Close(handle));
        Assert.Equal(data, h.ReadFile("/new.bin"));
        h.Stop();
        E2fsTools.AssertClean(h.Image);
        string dumped = h.Image + ".out";
        E2fsTools.Debugfs(h.Image, $"dump /new.bin {dumped}");
        Assert.Equal(data, File.ReadAllBytes(dumped));
    }

    [Fact]
    public void Open_with_O_TRUNC_empties_the_file_and_Open_reports_its_status()
    {
        using var h = new FsHarness(stage => File.WriteAllText(Path.Combine(stage, "f"), "12345"));
        var r = h.Client.Open("/f", LinuxOpenFlags.O_TRUNC);
        FsAssert.Ok(r);
        Assert.Equal(0, r.Value.Status.Size);
        Assert.True(r.Value.Status.IsRegular);
    }

    [Fact]
    public void Open_with_O_CREAT_uses_the_mode_and_ids_given()
    {
        using var h = new FsHarness();
        var r = h.Client.Open("/mine", LinuxOpenFlags.O_CREAT, 0x1C0, uid: 1000, gid: 100);
        FsAssert.Ok(r);
        Assert.Equal(0x1C0u, r.Value.Status.Permissions);
        Assert.Equal(1000u, r.Value.Status.Uid);
        Assert.Equal(100u, r.Value.Status.Gid);
    }

    [Fact]
    public void Truncate_shrinks_and_extends_with_zeros()
    {
        using var h = new FsHarness(stage => File.WriteAllText(Path.Combine(stage, "f"), "abcdefgh"));
        ulong handle = h.Open("/f");
        FsAssert.Ok(h.Client.Truncate(handle, 3));
        FsAssert.Ok(h.Client.Truncate(handle, 6));
        var buffer = new byte[10];
        Assert.Equal(6, h.Client.Read(handle, 0, buffer).Value);
        Assert.Equal("abc\0\0\0"u8.ToArray(), buffer[..6]);
    }

    [Fact]
    public void StatHandle_matches_Stat_of_the_path()
    {
        using var h = new FsHarness(stage => File.WriteAllText(Path.Combine(stage, "f"), "abc"));
        ulong handle = h.Open("/f");
        Assert.Equal(h.Client.Stat("/f").Value, h.Client.StatHandle(handle).Value);
    }

    [Fact]
    public void Stat_reports_every_field_posix_needs()
    {
        using var h = new FsHarness(stage => File.WriteAllBytes(Path.Combine(stage, "f"), FsHarness.Pattern(10_000, 5)));
        h.Client.Utimes("/f", 1_500_000_000, 0, 1_600_000_000, 0);
        h.Client.Chown("/f", 7, 8);
        var s = h.Client.Stat("/f");
        FsAssert.Ok(s);
        h.Stop();
        Assert.Equal(E2fsTools.InodeOf(h.Image, "/f"), (uint)s.Value.Inode);
        Assert.Equal(Service.Conversions.DeviceNumber, s.Value.Device);
        Assert.True(s.Value.IsRegular);
        Assert.Equal(1u, s.Value.Links);
        Assert.Equal(7u, s.Value.Uid);
        Assert.Equal(8u, s.Value.Gid);
        Assert.Equal(10_000, s.Value.Size);
        Assert.Equal(24, s.Value.Blocks);          // 3 blocks of 4 KiB in 512-byte units
        Assert.Equal(4096, s.Value.BlockSize);
        Assert.Equal(1_500_000_000, s.Value.AccessSeconds);
        Assert.Equal(1_600_000_000, s.Value.ModifySeconds);
        Assert.True(s.Value.ChangeSeconds > 1_600_000_000);
        Assert.Equal(0, s.Value.ModifyNanoseconds);
    }

    [Fact]
    public void ReadDirectory_lists_every_entry_once_across_batches_with_cookies_that_continue()
    {
        var names = Enumerable.Range(0, 400).Select(i => $"file-with-a-rather-long-name-{i:D4}").ToArray();
        using var h = new FsHarness(stage =>
        {
            Directory.CreateDirectory(Path.Combine(stage, "d"));
            foreach (var n in names) File.WriteAllText(Path.Combine(stage, "d", n), "");
        });
        ulong handle = h.Open("/d", LinuxOpenFlags.O_DIRECTORY);
        var seen = new List<string>();
        long cookie = 0;
        int batches = 0;
        while (true)
        {
            var b = h.Client.ReadDirectory(handle, cookie);
            FsAssert.Ok(b);
            batches++;
            foreach (var e in b.Value.Span)
            {
                seen.Add(e.Name);
                Assert.Equal(e.Name is "." or ".." ? DirectoryEntry.DT_DIR : DirectoryEntry.DT_REG, e.Type);
            }
            if (b.Value.IsEnd) break;
            Assert.True(b.Value.Count > 0, "a batch that is not the end must make progress");
            cookie = b.Value.NextCookie;
        }
        Assert.True(batches > 2, $"{batches} batches: the listing should not fit in one message");
        Assert.Equal(names.Append(".").Append("..").OrderBy(n => n), seen.OrderBy(n => n));
    }

    [Fact]
    public void ReadDirectory_resumed_from_an_entrys_cookie_continues_after_that_entry()
    {
        using var h = new FsHarness(stage => { foreach (var n in new[] { "a", "b", "c" }) File.WriteAllText(Path.Combine(stage, n), ""); });
        ulong handle = h.Open("/", LinuxOpenFlags.O_DIRECTORY);
        var all = h.Client.ReadDirectory(handle, 0).Value.Span.ToArray();
        for (int i = 0; i < all.Length - 1; i++)
        {
            var rest = h.Client.ReadDirectory(handle, all[i].NextCookie).Value.Span.ToArray();
            Assert.Equal(all[(i + 1)..].Select(e => e.Name), rest.Select(e => e.Name));
        }
        Assert.Equal(FsLimits.EndOfDirectory, all[^1].NextCookie);
    }

    [Fact]
    public void ReadDirectory_from_the_end_cookie_is_an_empty_final_batch()
    {
        using var h = new FsHarness();
        ulong handle = h.Open("/", LinuxOpenFlags.O_DIRECTORY);
        var b = h.Client.ReadDirectory(handle, FsLimits.EndOfDirectory);
        FsAssert.Ok(b);
        Assert.Equal(0, b.Value.Count);
        Assert.True(b.Value.IsEnd);
    }

    [Fact]
    public void A_file_unlinked_while_open_stays_readable_until_Close_and_is_then_freed()
    {
        using var h = new FsHarness(stage => File.WriteAllText(Path.Combine(stage, "f"), "still here"));
        long freeBefore = h.Client.Statfs().Value.FreeBlocks;
        ulong handle = h.Open("/f");
        FsAssert.Ok(h.Client.Unlink("/f"));
        FsAssert.Errno(Errno.ENOENT, h.Client.Stat("/f"));
        var buffer = new byte[32];
        Assert.Equal(10, h.Client.Read(handle, 0, buffer).Value);
        Assert.Equal(0u, h.Client.StatHandle(handle).Value.Links);
        FsAssert.Ok(h.Client.Close(handle));
        Assert.Equal(freeBefore + 1, h.Client.Statfs().Value.FreeBlocks);
        h.Stop();
        E2fsTools.AssertClean(h.Image);
    }

    [Fact]
    public void Fsync_and_Sync_commit_journal_transactions()
    {
        using var h = new FsHarness();
        ulong handle = h.Open("/f", LinuxOpenFlags.O_CREAT);
        h.Client.Write(handle, 0, new byte[100]);
        long before = h.Client.FsStats().Value!.JournalTransactions;
        FsAssert.Ok(h.Client.Fsync(handle));
        var after = h.Client.FsStats().Value!;
        Assert.Equal(before + 1, after.JournalTransactions);
        Assert.True(after.JournalBlocksLogged > 0);
        FsAssert.Ok(h.Client.Mkdir("/d"));
        FsAssert.Ok(h.Client.Sync());
        Assert.Equal(before + 2, h.Client.FsStats().Value!.JournalTransactions);
    }
}
