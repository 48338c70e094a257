// Descriptor tables: dup/dup2/dup3, fcntl, ioctl(FIONBIO), close-on-exec, RLIMIT_NOFILE (EMFILE),
// and pipes (pipe2 flags, end of file, EPIPE, EAGAIN, blocking reads woken by a writer).
using static Biscuit.Posix.Tests.PosixHarness;

namespace Biscuit.Posix.Tests;

public sealed class DescriptorCallTests : IDisposable
{
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    private (int Read, int Write) Pipe(int flags = 0)
    {
        ulong fds = h.Alloc(8);
        Assert.Equal(0, h.Call(LinuxCall.Pipe2, fds, (ulong)flags));
        return (h.GetInt(fds), h.GetInt(fds + 4));
    }

    [Fact]
    public void New_descriptors_take_the_lowest_free_number()
    {
        int a = h.Open("/a", O.CREAT | O.RDWR), b = h.Open("/b", O.CREAT | O.RDWR);
        Assert.Equal((0, 1), (a, b));
        h.Call(LinuxCall.Close, 0);
        Assert.Equal(0, h.Open("/c", O.CREAT | O.RDWR));
    }

    [Fact]
    public void Dup_shares_the_position_of_the_open_file_description()
    {
        int fd = h.Open("/f", O.CREAT | O.RDWR);
        h.Write(fd, "abcdef");
        int copy = (int)h.Call(LinuxCall.Dup, (ulong)fd);
        Assert.True(copy > fd);
        h.Call(LinuxCall.Lseek, (ulong)fd, 2, Seek.SET);
        Assert.Equal("cd", h.Read(copy, 2));
        Assert.Equal(4, h.Call(LinuxCall.Lseek, (ulong)fd, 0, Seek.CUR));
    }

    [Fact]
    public void Dup2_replaces_an_open_target_and_dup3_refuses_the_same_descriptor()
    {
        int a = h.Open("/a", O.CREAT | O.RDWR), b = h.Open("/b", O.CREAT | O.RDWR);
        Assert.Equal(b, h.Call(LinuxCall.Dup2, (ulong)a, (ulong)b));
        h.Write(b, "via b");
        h.Call(LinuxCall.Lseek, (ulong)a, 0, Seek.SET);
        Assert.Equal("via b", h.Read(a, 10));
        Assert.Equal(a, h.Call(LinuxCall.Dup2, (ulong)a, (ulong)a));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Dup3, (ulong)a, (ulong)a, 0));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Dup3, (ulong)a, 9, 1));
        Assert.Equal(9, h.Call(LinuxCall.Dup3, (ulong)a, 9, (ulong)O.CLOEXEC));
        Assert.Equal(Fcntl.FD_CLOEXEC, h.Call(LinuxCall.Fcntl, 9, Fcntl.GETFD));
        Assert.Equal(-Errno.EBADF, h.Call(LinuxCall.Dup2, (ulong)a, 5000));
    }

    [Fact]
    public void Fcntl_duplicates_above_a_floor_and_sets_descriptor_and_status_flags()
    {
        int fd = h.Open("/f", O.CREAT | O.RDWR | O.CLOEXEC);
        Assert.Equal(Fcntl.FD_CLOEXEC, h.Call(LinuxCall.Fcntl, (ulong)fd, Fcntl.GETFD));
        Assert.Equal(0, h.Call(LinuxCall.Fcntl, (ulong)fd, Fcntl.SETFD, 0));
        Assert.Equal(0, h.Call(LinuxCall.Fcntl, (ulong)fd, Fcntl.GETFD));
        Assert.Equal(10, h.Call(LinuxCall.Fcntl, (ulong)fd, Fcntl.DUPFD, 10));
        Assert.Equal(11, h.Call(LinuxCall.Fcntl, (ulong)fd, Fcntl.DUPFD_CLOEXEC, 10));
        Assert.Equal(Fcntl.FD_CLOEXEC, h.Call(LinuxCall.Fcntl, 11, Fcntl.GETFD));
        Assert.Equal(O.RDWR, h.Call(LinuxCall.Fcntl, (ulong)fd, Fcntl.GETFL) & (O.ACCMODE | O.NONBLOCK));
        Assert.Equal(0, h.Call(LinuxCall.Fcntl, (ulong)fd, Fcntl.SETFL, (ulong)(O.NONBLOCK | O.WRONLY)));
        Assert.Equal(O.RDWR | O.NONBLOCK, h.Call(LinuxCall.Fcntl, (ulong)fd, Fcntl.GETFL) & (O.ACCMODE | O.NONBLOCK));   // the access mode cannot change
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Fcntl, (ulong)fd, 999));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Fcntl, (ulong)fd, Fcntl.DUPFD, U(-1)));
    }

    [Fact]
    public void Ioctl_FIONBIO_makes_a_pipe_non_blocking_and_unknown_requests_are_ENOTTY()
    {
        var (r, _) = Pipe();
        ulong one = h.Put(new byte[] { 1, 0, 0, 0 });
        Assert.Equal(0, h.Call(LinuxCall.Ioctl, (ulong)r, Ioctl.FIONBIO, one));
        Assert.Equal(-Errno.EAGAIN, h.Call(LinuxCall.Read, (ulong)r, h.Alloc(4), 4));
        Assert.Equal(-Errno.ENOTTY, h.Call(LinuxCall.Ioctl, (ulong)r, 0x1234, one));
        Assert.Equal(-Errno.EFAULT, h.Call(LinuxCall.Ioctl, (ulong)r, Ioctl.FIONBIO, Unmapped));
    }

    [Fact]
    public void A_full_descriptor_table_is_EMFILE_and_closing_one_makes_room()
    {
        h.Process.Fds.Limit = 8;
        for (int i = 0; i < 8; i++) h.Open("/dev/null", O.RDONLY);
        Assert.Equal(-Errno.EMFILE, h.Call(LinuxCall.Openat, U(At.FDCWD), h.Put("/dev/null"), O.RDONLY, 0));
        Assert.Equal(-Errno.EMFILE, h.Call(LinuxCall.Dup, 0));
        ulong fds = h.Alloc(8);
        Assert.Equal(-Errno.EMFILE, h.Call(LinuxCall.Pipe2, fds, 0));
        h.Call(LinuxCall.Close, 3);
        Assert.Equal(3, h.Open("/dev/null", O.RDONLY));
    }

    [Fact]
    public void Exhausting_descriptors_on_files_leaks_no_fs_node()
    {
        h.Process.Fds.Limit = 16;
        h.Call(LinuxCall.Close, (ulong)h.Open("/leak", O.CREAT | O.WRONLY));
        long r;
        while ((r = h.Call(LinuxCall.Openat, U(At.FDCWD), h.Put("/leak"), O.RDONLY, 0)) >= 0) { }
        Assert.Equal(-Errno.EMFILE, r);
        Assert.Equal(16, h.Fs.OpenNodeCount);
        h.Posix.Processes.Exit(h.Process.Pid);
        Assert.Equal(0, h.Fs.OpenNodeCount);
    }

    [Fact]
    public void Close_on_exec_descriptors_close_at_exec_and_the_others_stay()
    {
        int keep = h.Open("/dev/null", O.RDONLY), drop = h.Open("/dev/zero", O.RDONLY | O.CLOEXEC);
        h.Process.Fds.CloseOnExec();
        Assert.True(h.Process.Fds.TryGet(keep, out _));
        Assert.False(h.Process.Fds.TryGet(drop, out _));
    }

    [Fact]
    public void A_pipe_carries_bytes_and_reports_end_of_file_when_the_writer_closes()
    {
        var (r, w) = Pipe();
        Assert.Equal(5, h.Write(w, "hello"));
        Assert.Equal("hello", h.Read(r, 100));
        h.Call(LinuxCall.Close, (ulong)w);
        Assert.Equal("", h.Read(r, 100));
    }

    [Fact]
    public void Writing_a_pipe_without_readers_is_EPIPE_and_an_empty_non_blocking_pipe_EAGAIN()
    {
        var (r, w) = Pipe(O.NONBLOCK);
        Assert.Equal(-Errno.EAGAIN, h.Call(LinuxCall.Read, (ulong)r, h.Alloc(4), 4));
        h.Call(LinuxCall.Close, (ulong)r);
        Assert.Equal(-Errno.EPIPE, h.Write(w, "x"));
    }

    [Fact]
    public void A_full_non_blocking_pipe_takes_a_short_write_then_EAGAIN()
    {
        var (_, w) = Pipe(O.NONBLOCK);
        var big = new byte[Biscuit.Posix.Pipe.Capacity + 100];
        ulong buffer = h.Put(big);
        Assert.Equal(Biscuit.Posix.Pipe.Capacity, h.Call(LinuxCall.Write, (ulong)w, buffer, (ulong)big.Length));
        Assert.Equal(-Errno.EAGAIN, h.Call(LinuxCall.Write, (ulong)w, buffer, 1));
    }

    [Fact]
    public void Pipe2_with_unknown_flags_is_EINVAL_and_with_a_bad_pointer_EFAULT()
    {
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Pipe2, h.Alloc(8), 0x1));
        Assert.Equal(-Errno.EFAULT, h.Call(LinuxCall.Pipe2, Unmapped, 0));
        Assert.Equal(0, h.Process.Fds.Count);
    }

    [Fact]
    public void A_blocking_read_waits_for_a_writer_on_another_thread()
    {
        var (r, w) = Pipe();
        ulong buffer = h.Alloc(16);
        var reader = Task.Run(() => h.Call(LinuxCall.Read, (ulong)r, buffer, 16));
        Thread.Sleep(30);
        Assert.False(reader.IsCompleted);
        h.Write(w, "late");
        Assert.Equal(4, reader.Result);
        Assert.Equal("late", h.GetString(buffer, 4));
    }

    [Fact]
    public void A_blocked_read_ends_with_EINTR_when_the_caller_gives_up()
    {
        var (r, _) = Pipe();
        var cancel = new SettableCancellation();
        var reader = Task.Run(() => h.Posix.Handle((ulong)h.Process.Pid, LinuxCall.Read, [(ulong)r, h.Alloc(4), 4], 1, cancel));
        Thread.Sleep(30);
        cancel.IsCancelled = true;
        Assert.Equal(-Errno.EINTR, reader.Result);
    }
}

public sealed class SettableCancellation : Biscuit.Posix.Events.IWaitCancellation
{
    public volatile bool Cancelled;
    public bool IsCancelled { get => Cancelled; set => Cancelled = value; }
}

public sealed class BlockingWriteTests : IDisposable
{
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    [Fact]
    public void A_blocking_write_larger_than_the_pipe_completes_once_a_reader_drains_it()
    {
        ulong fds = h.Alloc(8);
        h.Call(LinuxCall.Pipe2, fds, 0);
        int r = h.GetInt(fds), w = h.GetInt(fds + 4);
        var data = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        ulong source = h.Put(data);
        var writer = Task.Run(() => h.Call(LinuxCall.Write, (ulong)w, source, (ulong)data.Length));
        var received = new List<byte>();
        ulong buffer = h.Alloc(8192);
        while (received.Count < data.Length)
        {
            long n = h.Call(LinuxCall.Read, (ulong)r, buffer, 8192);
            Assert.True(n > 0);
            received.AddRange(h.Get(buffer, (int)n));
        }
        Assert.Equal(data.Length, writer.Result);
        Assert.Equal(data, received.ToArray());
    }
}
