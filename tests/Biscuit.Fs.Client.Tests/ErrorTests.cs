// Every error path of the protocol comes back as the Linux errno that posix returns unchanged,
// and a failed request changes nothing.
using Biscuit.Fs.Protocol;
using Biscuit.Fs.Tests;

namespace Biscuit.Fs.Client.Tests;

public class ErrorTests
{
    private static FsHarness WithTree() => new(stage =>
    {
        File.WriteAllText(Path.Combine(stage, "file"), "x");
        Directory.CreateDirectory(Path.Combine(stage, "full"));
        File.WriteAllText(Path.Combine(stage, "full", "inside"), "y");
        Directory.CreateDirectory(Path.Combine(stage, "empty"));
    });

    [Fact]
    public void A_missing_name_is_ENOENT_for_every_path_request()
    {
        using var h = WithTree();
        FsAssert.Errno(Errno.ENOENT, h.Client.Open("/nope", 0));
        FsAssert.Errno(Errno.ENOENT, h.Client.Stat("/nope"));
        FsAssert.Errno(Errno.ENOENT, h.Client.Unlink("/nope"));
        FsAssert.Errno(Errno.ENOENT, h.Client.Rmdir("/nope"));
        FsAssert.Errno(Errno.ENOENT, h.Client.Rename("/nope", "/other"));
        FsAssert.Errno(Errno.ENOENT, h.Client.Link("/nope", "/other"));
        FsAssert.Errno(Errno.ENOENT, h.Client.Readlink("/nope"));
        FsAssert.Errno(Errno.ENOENT, h.Client.Chmod("/nope", 0));
        FsAssert.Errno(Errno.ENOENT, h.Client.Chown("/nope", 1, 1));
        FsAssert.Errno(Errno.ENOENT, h.Client.Utimes("/nope", 1, 0, 1, 0));
        FsAssert.Errno(Errno.ENOENT, h.Client.Mkdir("/nope/sub"));
    }

    [Fact]
    public void A_file_used_as_a_directory_is_ENOTDIR()
    {
        using var h = WithTree();
        FsAssert.Errno(Errno.ENOTDIR, h.Client.Stat("/file/x"));
        FsAssert.Errno(Errno.ENOTDIR, h.Client.Open("/file", LinuxOpenFlags.O_DIRECTORY));
        FsAssert.Errno(Errno.ENOTDIR, h.Client.Rmdir("/file"));
        ulong handle = h.Open("/file");
        FsAssert.Errno(Errno.ENOTDIR, h.Client.ReadDirectory(handle, 0));
    }

    [Fact]
    public void A_directory_used_as_a_file_is_EISDIR()
    {
        using var h = WithTree();
        ulong handle = h.Open("/empty", LinuxOpenFlags.O_DIRECTORY);
        FsAssert.Errno(Errno.EISDIR, h.Client.Read(handle, 0, new byte[8]));
        FsAssert.Errno(Errno.EISDIR, h.Client.Write(handle, 0, new byte[8]));
        FsAssert.Errno(Errno.EISDIR, h.Client.Truncate(handle, 0));
        FsAssert.Errno(Errno.EISDIR, h.Client.Unlink("/empty"));
        FsAssert.Errno(Errno.EISDIR, h.Client.Open("/empty", LinuxOpenFlags.O_TRUNC));
    }

    [Fact]
    public void Removing_a_directory_that_is_not_empty_is_ENOTEMPTY_and_changes_nothing()
    {
        using var h = WithTree();
        FsAssert.Errno(Errno.ENOTEMPTY, h.Client.Rmdir("/full"));
        FsAssert.Errno(Errno.ENOTEMPTY, h.Client.Rename("/empty", "/full"));
        FsAssert.Ok(h.Client.Stat("/full/inside"));
    }

    [Fact]
    public void An_existing_name_is_EEXIST()
    {
        using var h = WithTree();
        FsAssert.Errno(Errno.EEXIST, h.Client.Mkdir("/empty"));
        FsAssert.Errno(Errno.EEXIST, h.Client.Open("/file", LinuxOpenFlags.O_CREAT | LinuxOpenFlags.O_EXCL));
        FsAssert.Errno(Errno.EEXIST, h.Client.Symlink("x", "/file"));
        FsAssert.Errno(Errno.EEXIST, h.Client.Link("/file", "/empty"));
    }

    [Fact]
    public void A_name_longer_than_255_bytes_is_ENAMETOOLONG()
    {
        using var h = WithTree();
        string name = "/" + new string('n', 256);
        FsAssert.Errno(Errno.ENAMETOOLONG, h.Client.Open(name, LinuxOpenFlags.O_CREAT));
        FsAssert.Errno(Errno.ENAMETOOLONG, h.Client.Mkdir(name));
        FsAssert.Errno(Errno.ENAMETOOLONG, h.Client.Stat(name));
    }

    [Fact]
    public void A_path_too_long_for_one_message_is_ENAMETOOLONG_and_never_reaches_the_server()
    {
        using var h = WithTree();
        string path = string.Concat(Enumerable.Repeat("/d", 2100));
        long before = h.Server.Counters.Received;
        FsAssert.Errno(Errno.ENAMETOOLONG, h.Client.Stat(path));
        FsAssert.Errno(Errno.ENAMETOOLONG, h.Client.Rename(path, path));
        Assert.Equal(before, h.Server.Counters.Received);
    }

    [Fact]
    public void A_relative_path_is_EINVAL_and_an_empty_path_ENOENT()
    {
        using var h = WithTree();
        FsAssert.Errno(Errno.EINVAL, h.Client.Stat("file"));
        FsAssert.Errno(Errno.EINVAL, h.Client.Open("file", 0));
        FsAssert.Errno(Errno.EINVAL, h.Client.Rename("/file", "moved"));
        FsAssert.Errno(Errno.ENOENT, h.Client.Stat(""));
        FsAssert.Errno(Errno.ENOENT, h.Client.Unlink(""));
        FsAssert.Errno(Errno.ENOENT, h.Client.Symlink("", "/s"));
        FsAssert.Ok(h.Client.Stat("/file"));
    }

    [Fact]
    public void Every_request_on_a_closed_or_unknown_handle_is_EBADF()
    {
        using var h = WithTree();
        ulong handle = h.Open("/file");
        ulong dir = h.Open("/empty", LinuxOpenFlags.O_DIRECTORY);
        FsAssert.Ok(h.Client.Close(handle));
        FsAssert.Ok(h.Client.Close(dir));
        foreach (ulong bad in new[] { handle, dir, 0UL, 999_999UL })
        {
            FsAssert.Errno(Errno.EBADF, h.Client.Read(bad, 0, new byte[4]));
            FsAssert.Errno(Errno.EBADF, h.Client.Write(bad, 0, new byte[4]));
            FsAssert.Errno(Errno.EBADF, h.Client.Truncate(bad, 0));
            FsAssert.Errno(Errno.EBADF, h.Client.StatHandle(bad));
            FsAssert.Errno(Errno.EBADF, h.Client.Fsync(bad));
            FsAssert.Errno(Errno.EBADF, h.Client.ReadDirectory(bad, 0));
            FsAssert.Errno(Errno.EBADF, h.Client.Close(bad));
        }
    }

    [Fact]
    public void Bad_arguments_are_EINVAL()
    {
        using var h = WithTree();
        ulong handle = h.Open("/file");
        ulong dir = h.Open("/empty", LinuxOpenFlags.O_DIRECTORY);
        FsAssert.Errno(Errno.EINVAL, h.Client.Read(handle, -1, new byte[4]));
        FsAssert.Errno(Errno.EINVAL, h.Client.Write(handle, -1, new byte[4]));
        FsAssert.Errno(Errno.EINVAL, h.Client.ReadDirectory(dir, -5));
        FsAssert.Errno(Errno.EINVAL, h.Client.Readlink("/file"));
        FsAssert.Errno(Errno.EINVAL, h.Client.Chown("/file", -2, 0));
        FsAssert.Errno(Errno.EINVAL, h.Client.Chown("/file", 1L << 32, 0));
        FsAssert.Errno(Errno.EINVAL, h.Client.Utimes("/file", 0, 1_000_000_000, 0, 0));
        FsAssert.Errno(Errno.EINVAL, h.Client.Utimes("/file", -1, 0, 0, 0));
    }

    [Fact]
    public void Running_out_of_space_is_ENOSPC_and_the_failed_write_changes_nothing()
    {
        using var h = new FsHarness(sizeKiB: 4 * 1024);
        long free = h.Client.Statfs().Value.FreeBlocks;
        ulong handle = h.Open("/huge", LinuxOpenFlags.O_CREAT);
        var piece = new byte[FsLimits.MaxDataBytes];
        long offset = 0;
        FsResult<long> w;
        while ((w = h.Client.Write(handle, offset, piece)).IsOk) offset += w.Value;
        FsAssert.Errno(Errno.ENOSPC, w);
        Assert.Equal(offset, h.Client.StatHandle(handle).Value.Size);
        Assert.True(h.Client.Statfs().Value.FreeBlocks < free);
        FsAssert.Ok(h.Client.Close(handle));
        FsAssert.Ok(h.Client.Unlink("/huge"));
        FsAssert.Ok(h.Client.Sync());
        h.Stop();
        E2fsTools.AssertClean(h.Image);
    }

    [Fact]
    public void Opening_more_files_than_the_table_holds_is_ENFILE_until_one_is_closed()
    {
        using var h = WithTree();
        var handles = new List<ulong>();
        for (int i = 0; i < FsLimits.MaxOpenFiles; i++) handles.Add(h.Open("/file"));
        FsAssert.Errno(Errno.ENFILE, h.Client.Open("/file", 0));
        FsAssert.Ok(h.Client.Close(handles[0]));
        FsAssert.Ok(h.Client.Open("/file", 0));
        Assert.Equal(FsLimits.MaxOpenFiles, h.Service.OpenFiles);
    }
}
