// FsLink is posix's file system: what posix's calls see through it must be what the fs server holds —
// the host's files, the right attributes, complete directory listings in any batch size, and every
// failure as the negated Linux errno.
using Biscuit.Fs.Client.Tests;
using Biscuit.Posix;
using Biscuit.Posix.Links;

namespace Biscuit.Posix.Links.Tests;

public class FsLinkTests
{
    private static (FsHarness Harness, FsLink Fs) Start(Action<string>? stage = null)
    {
        var h = new FsHarness(stage);
        return (h, new FsLink(() => h.Client));
    }

    [Fact]
    public void A_file_the_host_wrote_opens_with_its_attributes_and_reads_back_byte_for_byte()
    {
        byte[] content = Enumerable.Range(0, 10_000).Select(i => (byte)(i * 7)).ToArray();
        var (h, fs) = Start(stage => { Directory.CreateDirectory(Path.Combine(stage, "www")); File.WriteAllBytes(Path.Combine(stage, "www/page.bin"), content); });
        using var harness = h;
        Assert.Equal(0, fs.Open("/www/page.bin", FsOpenFlags.None, 0, out var node, out var attributes));
        Assert.True(attributes.IsRegular);
        Assert.Equal(content.Length, attributes.Size);
        var back = new byte[content.Length + 100];
        Assert.Equal(content.Length, fs.Read(node, 0, back));
        Assert.Equal(content, back[..content.Length]);
        Assert.Equal(0, fs.Read(node, content.Length, back));                  // at the end: 0, not an error
        Assert.Equal(0, fs.Close(node));
    }

    [Fact]
    public void Created_files_keep_what_was_written_truncate_shortens_them_and_stat_agrees()
    {
        var (h, fs) = Start();
        using var harness = h;
        Assert.Equal(0, fs.Open("/new.txt", FsOpenFlags.Create | FsOpenFlags.Exclusive, 0x1A4, out var node, out var attributes));
        Assert.Equal(0x81A4u, attributes.Mode);
        Assert.Equal(5, fs.Write(node, 0, "hello"u8));
        Assert.Equal(6, fs.Write(node, 5, " world"u8));
        Assert.Equal(0, fs.Truncate(node, 8));
        Assert.Equal(0, fs.Fsync(node));
        Assert.Equal(0, fs.Attributes(node, out var afterTruncate));
        Assert.Equal(8, afterTruncate.Size);
        Assert.Equal(0, fs.Stat("/new.txt", true, out var byPath));
        Assert.Equal(afterTruncate.Inode, byPath.Inode);
        var back = new byte[16];
        Assert.Equal(8, fs.Read(node, 0, back));
        Assert.Equal("hello wo"u8.ToArray(), back[..8]);
        Assert.Equal(-Errno.EEXIST, fs.Open("/new.txt", FsOpenFlags.Create | FsOpenFlags.Exclusive, 0x1A4, out _, out _));
        Assert.Equal(0, fs.Close(node));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public void A_directory_lists_every_entry_exactly_once_whatever_the_batch_size(int max)
    {
        var (h, fs) = Start(stage => { for (int i = 0; i < 150; i++) File.WriteAllText(Path.Combine(stage, $"file-{i:D3}-with-a-longish-name"), "x"); });
        using var harness = h;
        Assert.Equal(0, fs.Open("/", FsOpenFlags.Directory, 0, out var root, out _));
        var names = new List<FsDirEntry>();
        long cookie = 0;
        for (int rounds = 0; cookie != -1; rounds++)
        {
            Assert.True(rounds < 1000, "the listing never ended");
            long n = fs.ReadDirectory(root, cookie, names, max, out cookie);
            Assert.InRange(n, 0, max);
        }
        var expected = Enumerable.Range(0, 150).Select(i => $"file-{i:D3}-with-a-longish-name").Concat([".", "..", "lost+found"]).OrderBy(s => s, StringComparer.Ordinal);
        Assert.Equal(expected, names.Select(e => e.Name).OrderBy(s => s, StringComparer.Ordinal));
        Assert.All(names.Where(e => e.Name.StartsWith("file-")), e => Assert.Equal(8, e.Type));   // DT_REG
        Assert.Equal(0, fs.Close(root));
    }

    [Fact]
    public void Names_are_made_renamed_linked_and_removed()
    {
        var (h, fs) = Start();
        using var harness = h;
        Assert.Equal(0, fs.Mkdir("/d", 0x1ED));
        Assert.Equal(0, fs.Open("/d/a", FsOpenFlags.Create, 0x1A4, out var a, out _));
        Assert.Equal(0, fs.Close(a));
        Assert.Equal(0, fs.Rename("/d/a", "/d/b"));
        Assert.Equal(0, fs.Link("/d/b", "/c"));
        Assert.Equal(0, fs.Stat("/c", true, out var c));
        Assert.Equal(2u, c.Links);
        Assert.Equal(0, fs.Symlink("/d/b", "/s"));
        Assert.Equal(0, fs.ReadLink("/s", out string target));
        Assert.Equal("/d/b", target);
        Assert.Equal(0, fs.Stat("/s", false, out var link));
        Assert.True(link.IsSymlink);
        Assert.Equal(0, fs.Chmod("/c", 0x180));
        Assert.Equal(0, fs.Stat("/d/b", true, out var b));
        Assert.Equal(0x8180u, b.Mode);
        Assert.Equal(-Errno.ENOTEMPTY, fs.Rmdir("/d"));
        Assert.Equal(0, fs.Unlink("/d/b"));
        Assert.Equal(0, fs.Rmdir("/d"));
        Assert.Equal(-Errno.ENOENT, fs.Stat("/d", true, out _));
    }

    [Fact]
    public void Failures_are_the_negated_linux_errno()
    {
        var (h, fs) = Start(stage => File.WriteAllText(Path.Combine(stage, "plain"), "x"));
        using var harness = h;
        Assert.Equal(-Errno.ENOENT, fs.Open("/missing", FsOpenFlags.None, 0, out _, out _));
        Assert.Equal(-Errno.ENOTDIR, fs.Open("/plain/below", FsOpenFlags.None, 0, out _, out _));
        Assert.Equal(-Errno.ENOTDIR, fs.Open("/plain", FsOpenFlags.Directory, 0, out _, out _));
        Assert.Equal(-Errno.EEXIST, fs.Mkdir("/plain", 0x1ED));
        Assert.Equal(-Errno.ENAMETOOLONG, fs.Mkdir("/" + new string('n', 256), 0x1ED));
        Assert.Equal(-Errno.EINVAL, fs.ReadLink("/plain", out _));
        Assert.Equal(0, fs.Open("/plain", FsOpenFlags.None, 0, out var node, out _));
        Assert.Equal(0, fs.Close(node));
        Assert.Equal(-Errno.EBADF, fs.Read(node, 0, new byte[4]));             // closed: the handle is gone
        Assert.Equal(-Errno.EINVAL, fs.ReadDirectory(node, 0, [], 0, out _));
    }
}
