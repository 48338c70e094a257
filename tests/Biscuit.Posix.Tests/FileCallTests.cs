// Files through posix onto a real ext2 file system: open flags, read/write/lseek/pread/pwrite,
// readv/writev, stat layouts, getdents64, and every error path the issue names.
using System.Buffers.Binary;
using System.Text;
using static Biscuit.Posix.Tests.PosixHarness;

namespace Biscuit.Posix.Tests;

public sealed class FileCallTests : IDisposable
{
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    [Fact]
    public void A_created_file_reads_back_what_was_written()
    {
        int fd = h.Open("/hello.txt", O.CREAT | O.RDWR);
        Assert.Equal(11, h.Write(fd, "hello world"));
        Assert.Equal(0, h.Call(LinuxCall.Lseek, (ulong)fd, 0, Seek.SET));
        Assert.Equal("hello world", h.Read(fd, 100));
        Assert.Equal("", h.Read(fd, 100));   // end of file
        Assert.Equal(0, h.Call(LinuxCall.Close, (ulong)fd));
    }

    [Fact]
    public void Open_of_a_missing_file_without_O_CREAT_is_ENOENT()
    {
        Assert.Equal(-Errno.ENOENT, h.Call(LinuxCall.Openat, U(At.FDCWD), h.Put("/nope"), O.RDONLY, 0));
    }

    [Fact]
    public void O_EXCL_on_an_existing_file_is_EEXIST()
    {
        h.Call(LinuxCall.Close, (ulong)h.Open("/x", O.CREAT | O.WRONLY));
        Assert.Equal(-Errno.EEXIST, h.Call(LinuxCall.Openat, U(At.FDCWD), h.Put("/x"), O.CREAT | O.EXCL | O.WRONLY, 0x1A4));
    }

    [Fact]
    public void O_TRUNC_empties_the_file_and_O_APPEND_writes_at_the_end()
    {
        int fd = h.Open("/t", O.CREAT | O.WRONLY);
        h.Write(fd, "0123456789");
        h.Call(LinuxCall.Close, (ulong)fd);
        fd = h.Open("/t", O.WRONLY | O.TRUNC);
        h.Write(fd, "ab");
        h.Call(LinuxCall.Close, (ulong)fd);
        fd = h.Open("/t", O.WRONLY | O.APPEND);
        h.Call(LinuxCall.Lseek, (ulong)fd, 0, Seek.SET);
        h.Write(fd, "cd");
        h.Call(LinuxCall.Close, (ulong)fd);
        Assert.Equal("abcd", h.Read(h.Open("/t", O.RDONLY), 100));
    }

    [Fact]
    public void O_DIRECTORY_on_a_file_is_ENOTDIR_and_a_path_through_a_file_is_ENOTDIR()
    {
        h.Call(LinuxCall.Close, (ulong)h.Open("/f", O.CREAT | O.WRONLY));
        Assert.Equal(-Errno.ENOTDIR, h.Call(LinuxCall.Openat, U(At.FDCWD), h.Put("/f"), O.RDONLY | O.DIRECTORY, 0));
        Assert.Equal(-Errno.ENOTDIR, h.Call(LinuxCall.Openat, U(At.FDCWD), h.Put("/f/g"), O.RDONLY, 0));
    }

    [Fact]
    public void O_NOFOLLOW_on_a_symbolic_link_is_ELOOP()
    {
        h.Call(LinuxCall.Close, (ulong)h.Open("/target", O.CREAT | O.WRONLY));
        Assert.Equal(0, h.Call(LinuxCall.Symlink, h.Put("/target"), h.Put("/link")));
        Assert.Equal(-Errno.ELOOP, h.Call(LinuxCall.Openat, U(At.FDCWD), h.Put("/link"), O.RDONLY | O.NOFOLLOW, 0));
        Assert.True(h.Call(LinuxCall.Openat, U(At.FDCWD), h.Put("/link"), O.RDONLY, 0) >= 0);
    }

    [Fact]
    public void Writing_a_directory_opened_for_writing_is_EISDIR()
    {
        Assert.Equal(-Errno.EISDIR, h.Call(LinuxCall.Openat, U(At.FDCWD), h.Put("/"), O.WRONLY, 0));
    }

    [Fact]
    public void Relative_paths_resolve_against_the_working_directory_and_a_directory_descriptor()
    {
        Assert.Equal(0, h.Call(LinuxCall.Mkdir, h.Put("/d"), 0x1ED));
        Assert.Equal(0, h.Call(LinuxCall.Chdir, h.Put("/d")));
        h.Call(LinuxCall.Close, (ulong)h.Open("inside", O.CREAT | O.WRONLY));
        ulong stat = h.Alloc(StatLayout.Size);
        Assert.Equal(0, h.Call(LinuxCall.Stat, h.Put("/d/inside"), stat));
        int dir = h.Open("/", O.RDONLY | O.DIRECTORY);
        Assert.Equal(0, h.Call(LinuxCall.Newfstatat, (ulong)dir, h.Put("d/../d/inside"), stat, 0));
        ulong cwd = h.Alloc(64);
        Assert.Equal(3, h.Call(LinuxCall.Getcwd, cwd, 64));
        Assert.Equal("/d\0", h.GetString(cwd, 3));
        Assert.Equal(-Errno.ERANGE, h.Call(LinuxCall.Getcwd, cwd, 2));
    }

    [Fact]
    public void Openat_with_a_file_descriptor_as_directory_is_ENOTDIR()
    {
        int fd = h.Open("/plain", O.CREAT | O.WRONLY);
        Assert.Equal(-Errno.ENOTDIR, h.Call(LinuxCall.Openat, (ulong)fd, h.Put("x"), O.RDONLY, 0));
    }

    [Fact]
    public void Pread_and_pwrite_use_the_offset_and_leave_the_position_alone()
    {
        int fd = h.Open("/p", O.CREAT | O.RDWR);
        h.Write(fd, "abcdefgh");
        Assert.Equal(3, h.Call(LinuxCall.Pwrite64, (ulong)fd, h.Put(Encoding.ASCII.GetBytes("XYZ")), 3, 2));
        ulong buffer = h.Alloc(8);
        Assert.Equal(4, h.Call(LinuxCall.Pread64, (ulong)fd, buffer, 4, 1));
        Assert.Equal("bXYZ", h.GetString(buffer, 4));
        Assert.Equal(8, h.Call(LinuxCall.Lseek, (ulong)fd, 0, Seek.CUR));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Pread64, (ulong)fd, buffer, 4, U(-1)));
    }

    [Fact]
    public void Lseek_past_the_start_is_EINVAL_and_SEEK_END_counts_from_the_size()
    {
        int fd = h.Open("/s", O.CREAT | O.RDWR);
        h.Write(fd, "12345");
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Lseek, (ulong)fd, U(-10), Seek.CUR));
        Assert.Equal(3, h.Call(LinuxCall.Lseek, (ulong)fd, U(-2), Seek.END));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Lseek, (ulong)fd, 0, 7));
    }

    [Fact]
    public void Writev_gathers_and_readv_scatters()
    {
        int fd = h.Open("/v", O.CREAT | O.RDWR);
        ulong iov = h.Alloc(32);
        var iovBytes = new byte[32];
        BinaryPrimitives.WriteUInt64LittleEndian(iovBytes, h.Put(Encoding.ASCII.GetBytes("head ")));
        BinaryPrimitives.WriteUInt64LittleEndian(iovBytes.AsSpan(8), 5);
        BinaryPrimitives.WriteUInt64LittleEndian(iovBytes.AsSpan(16), h.Put(Encoding.ASCII.GetBytes("body")));
        BinaryPrimitives.WriteUInt64LittleEndian(iovBytes.AsSpan(24), 4);
        h.Kernel.Write(h.Process.Kernel, iov, iovBytes);
        Assert.Equal(9, h.Call(LinuxCall.Writev, (ulong)fd, iov, 2));
        h.Call(LinuxCall.Lseek, (ulong)fd, 0, Seek.SET);
        ulong a = h.Alloc(3), b = h.Alloc(16);
        BinaryPrimitives.WriteUInt64LittleEndian(iovBytes, a);
        BinaryPrimitives.WriteUInt64LittleEndian(iovBytes.AsSpan(8), 3);
        BinaryPrimitives.WriteUInt64LittleEndian(iovBytes.AsSpan(16), b);
        BinaryPrimitives.WriteUInt64LittleEndian(iovBytes.AsSpan(24), 16);
        h.Kernel.Write(h.Process.Kernel, iov, iovBytes);
        Assert.Equal(9, h.Call(LinuxCall.Readv, (ulong)fd, iov, 2));
        Assert.Equal("hea", h.GetString(a, 3));
        Assert.Equal("d body", h.GetString(b, 6));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Writev, (ulong)fd, iov, 5000));
    }

    [Fact]
    public void Fstat_fills_the_x86_64_struct_stat_layout()
    {
        int fd = h.Open("/st", O.CREAT | O.RDWR, 0x1A4);
        h.Write(fd, "12345");
        ulong stat = h.Alloc(StatLayout.Size);
        Assert.Equal(0, h.Call(LinuxCall.Fstat, (ulong)fd, stat));
        var s = h.Get(stat, StatLayout.Size);
        Assert.Equal(0x81A4u, BinaryPrimitives.ReadUInt32LittleEndian(s.AsSpan(24)));   // st_mode: S_IFREG | 0644
        Assert.Equal(1ul, BinaryPrimitives.ReadUInt64LittleEndian(s.AsSpan(16)));      // st_nlink
        Assert.Equal(5L, BinaryPrimitives.ReadInt64LittleEndian(s.AsSpan(48)));        // st_size
        Assert.Equal(4096L, BinaryPrimitives.ReadInt64LittleEndian(s.AsSpan(56)));     // st_blksize
        Assert.NotEqual(0ul, BinaryPrimitives.ReadUInt64LittleEndian(s.AsSpan(8)));     // st_ino
    }

    [Fact]
    public void Lstat_sees_the_link_and_stat_its_target_and_AT_EMPTY_PATH_stats_the_descriptor()
    {
        int fd = h.Open("/tgt", O.CREAT | O.RDWR);
        h.Write(fd, "abc");
        h.Call(LinuxCall.Symlink, h.Put("/tgt"), h.Put("/lnk"));
        ulong stat = h.Alloc(StatLayout.Size);
        Assert.Equal(0, h.Call(LinuxCall.Lstat, h.Put("/lnk"), stat));
        Assert.Equal(Mode.IFLNK, h.GetInt(stat + 24) & Mode.IFMT);
        Assert.Equal(0, h.Call(LinuxCall.Newfstatat, U(At.FDCWD), h.Put("/lnk"), stat, 0));
        Assert.Equal(3L, (long)h.GetU64(stat + 48));
        Assert.Equal(0, h.Call(LinuxCall.Newfstatat, (ulong)fd, h.Put(""), stat, At.EMPTY_PATH));
        Assert.Equal(3L, (long)h.GetU64(stat + 48));
        Assert.Equal(-Errno.ENOENT, h.Call(LinuxCall.Newfstatat, (ulong)fd, h.Put(""), stat, 0));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Newfstatat, (ulong)fd, h.Put("x"), stat, 0x4));
    }

    [Fact]
    public void Getdents64_lists_every_entry_in_linux_dirent64_records()
    {
        h.Call(LinuxCall.Mkdir, h.Put("/list"), 0x1ED);
        for (int i = 0; i < 40; i++) h.Call(LinuxCall.Close, (ulong)h.Open($"/list/file{i:D2}", O.CREAT | O.WRONLY));
        int dir = h.Open("/list", O.RDONLY | O.DIRECTORY);
        var names = new List<string>();
        ulong buffer = h.Alloc(512);
        while (true)
        {
            long n = h.Call(LinuxCall.Getdents64, (ulong)dir, buffer, 512);
            Assert.True(n >= 0);
            if (n == 0) break;
            var bytes = h.Get(buffer, (int)n);
            for (int at = 0; at < n;)
            {
                int length = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at + 16));
                Assert.Equal(0, length % 8);
                int nul = Array.IndexOf(bytes, (byte)0, at + 19);
                names.Add(Encoding.UTF8.GetString(bytes, at + 19, nul - at - 19));
                at += length;
            }
        }
        Assert.Equal(42, names.Count);
        Assert.Contains(".", names);
        Assert.Contains("file39", names);
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public void Getdents64_with_a_buffer_too_small_for_one_entry_is_EINVAL_and_of_a_file_ENOTDIR()
    {
        int dir = h.Open("/", O.RDONLY | O.DIRECTORY);
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Getdents64, (ulong)dir, h.Alloc(8), 8));
        int file = h.Open("/f", O.CREAT | O.RDWR);
        Assert.Equal(-Errno.ENOTDIR, h.Call(LinuxCall.Getdents64, (ulong)file, h.Alloc(64), 64));
    }

    [Fact]
    public void A_bad_descriptor_is_EBADF_for_every_descriptor_call()
    {
        ulong buffer = h.Alloc(StatLayout.Size);
        foreach (int call in new[] { LinuxCall.Read, LinuxCall.Write, LinuxCall.Close, LinuxCall.Fstat, LinuxCall.Lseek, LinuxCall.Getdents64,
                     LinuxCall.Pread64, LinuxCall.Fcntl, LinuxCall.Dup, LinuxCall.Ioctl, LinuxCall.Ftruncate })
            Assert.Equal(-Errno.EBADF, h.Call(call, 77, buffer, 8));
    }

    [Fact]
    public void Writing_a_read_only_descriptor_and_reading_a_write_only_one_are_EBADF()
    {
        int w = h.Open("/rw", O.CREAT | O.WRONLY);
        Assert.Equal(-Errno.EBADF, h.Call(LinuxCall.Read, (ulong)w, h.Alloc(4), 4));
        int r = h.Open("/rw", O.RDONLY);
        Assert.Equal(-Errno.EBADF, h.Write(r, "x"));
    }

    [Fact]
    public void A_bad_user_pointer_is_EFAULT_never_a_crash()
    {
        int fd = h.Open("/e", O.CREAT | O.RDWR);
        h.Write(fd, "data");
        h.Call(LinuxCall.Lseek, (ulong)fd, 0, Seek.SET);
        Assert.Equal(-Errno.EFAULT, h.Call(LinuxCall.Read, (ulong)fd, Unmapped, 4));
        Assert.Equal(-Errno.EFAULT, h.Call(LinuxCall.Write, (ulong)fd, Unmapped, 4));
        Assert.Equal(-Errno.EFAULT, h.Call(LinuxCall.Openat, U(At.FDCWD), Unmapped, O.RDONLY, 0));
        Assert.Equal(-Errno.EFAULT, h.Call(LinuxCall.Openat, U(At.FDCWD), 0, O.RDONLY, 0));
        Assert.Equal(-Errno.EFAULT, h.Call(LinuxCall.Fstat, (ulong)fd, Unmapped));
        Assert.Equal(-Errno.EFAULT, h.Call(LinuxCall.Writev, (ulong)fd, Unmapped, 1));
        Assert.Empty(h.System.LogLines);   // EFAULT is an answer, not a failure inside posix
    }

    [Fact]
    public void A_path_string_that_runs_into_an_unmapped_page_is_EFAULT_and_one_too_long_ENAMETOOLONG()
    {
        ulong end = Scratch + ScratchSize;
        h.Kernel.Write(h.Process.Kernel, end - 3, "abc"u8);   // no NUL before the unmapped page
        Assert.Equal(-Errno.EFAULT, h.Call(LinuxCall.Openat, U(At.FDCWD), end - 3, O.RDONLY, 0));
        Assert.Equal(-Errno.ENAMETOOLONG, h.Call(LinuxCall.Openat, U(At.FDCWD), h.Put("/" + new string('a', 5000)), O.RDONLY, 0));
        Assert.Equal(-Errno.ENAMETOOLONG, h.Call(LinuxCall.Openat, U(At.FDCWD), h.Put("/" + new string('a', 300)), O.RDONLY, 0));
    }

    [Fact]
    public void Access_reports_existence()
    {
        h.Call(LinuxCall.Close, (ulong)h.Open("/a", O.CREAT | O.WRONLY));
        Assert.Equal(0, h.Call(LinuxCall.Access, h.Put("/a"), 4));
        Assert.Equal(-Errno.ENOENT, h.Call(LinuxCall.Access, h.Put("/b"), 0));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Access, h.Put("/a"), 64));
        Assert.Equal(-Errno.EACCES, h.Call(LinuxCall.Access, h.Put("/a"), 1));   // 0644: nobody may execute
    }

    [Fact]
    public void Ftruncate_sets_the_size_and_needs_a_writable_descriptor()
    {
        int fd = h.Open("/tr", O.CREAT | O.RDWR);
        h.Write(fd, "0123456789");
        Assert.Equal(0, h.Call(LinuxCall.Ftruncate, (ulong)fd, 4));
        Assert.Equal(4, h.Call(LinuxCall.Lseek, (ulong)fd, 0, Seek.END));
        int ro = h.Open("/tr", O.RDONLY);
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Ftruncate, (ulong)ro, 0));
    }
}
