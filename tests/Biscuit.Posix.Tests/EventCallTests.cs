// epoll, poll, select and eventfd as applications call them: the packed epoll_event layout, nginx's
// edge-triggered connections and level-triggered listener, EINTR when the caller gives up, and the
// errors (EINVAL, EPERM, EBADF, EFAULT).
using System.Buffers.Binary;
using static Biscuit.Posix.Tests.PosixHarness;

namespace Biscuit.Posix.Tests;

public sealed class EventCallTests : IDisposable
{
    private const uint EPOLLIN = 1, EPOLLOUT = 4, EPOLLRDHUP = 0x2000, EPOLLET = 0x80000000;
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    private ulong Event(uint events, ulong data)
    {
        var b = new byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(b, events);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(4), data);
        return h.Put(b);
    }

    private (int Read, int Write) Pipe(int flags = O.NONBLOCK)
    {
        ulong fds = h.Alloc(8);
        Assert.Equal(0, h.Call(LinuxCall.Pipe2, fds, (ulong)flags));
        return (h.GetInt(fds), h.GetInt(fds + 4));
    }

    private List<(uint Events, ulong Data)> Wait(int epfd, int max, int timeout)
    {
        ulong buffer = h.Alloc(max * 12);
        long n = h.Call(LinuxCall.EpollWait, (ulong)epfd, buffer, (ulong)max, U(timeout));
        Assert.True(n >= 0, $"epoll_wait answered {n}");
        var bytes = h.Get(buffer, max * 12);
        return Enumerable.Range(0, (int)n).Select(i => (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i * 12)),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i * 12 + 4)))).ToList();
    }

    [Fact]
    public void Epoll_reports_a_readable_pipe_with_its_data_in_the_packed_12_byte_layout()
    {
        int ep = (int)h.Call(LinuxCall.EpollCreate, 10);
        var (r, w) = Pipe();
        Assert.Equal(0, h.Call(LinuxCall.EpollCtl, (ulong)ep, 1, (ulong)r, Event(EPOLLIN, 0xABCDEF0123)));
        Assert.Empty(Wait(ep, 4, 0));
        h.Write(w, "x");
        var events = Wait(ep, 4, 0);
        Assert.Equal([(EPOLLIN, 0xABCDEF0123ul)], events);
    }

    [Fact]
    public void Edge_triggered_registrations_report_once_per_arrival_and_level_triggered_while_ready()
    {
        int ep = (int)h.Call(LinuxCall.EpollCreate1, 0);
        var (r1, w1) = Pipe();
        var (r2, w2) = Pipe();
        h.Call(LinuxCall.EpollCtl, (ulong)ep, 1, (ulong)r1, Event(EPOLLIN | EPOLLRDHUP | EPOLLET, 1));
        h.Call(LinuxCall.EpollCtl, (ulong)ep, 1, (ulong)r2, Event(EPOLLIN, 2));
        h.Write(w1, "a");
        h.Write(w2, "b");
        Assert.Equal(2, Wait(ep, 8, 0).Count);
        Assert.Equal([(EPOLLIN, 2ul)], Wait(ep, 8, 0));   // only the level-triggered one again
        h.Write(w1, "more");
        Assert.Contains((EPOLLIN, 1ul), Wait(ep, 8, 0));
    }

    [Fact]
    public void Epoll_on_a_connection_sees_the_peer_close_as_EPOLLRDHUP()
    {
        int listener = (int)h.Call(LinuxCall.Socket, Sock.AF_INET, Sock.STREAM | Sock.NONBLOCK, 0);
        h.Call(LinuxCall.Bind, (ulong)listener, h.Put(SockaddrIn.Encode(new Ipv4Endpoint(0, 80))), 16);
        h.Call(LinuxCall.Listen, (ulong)listener, 511);
        int ep = (int)h.Call(LinuxCall.EpollCreate, 1);
        h.Call(LinuxCall.EpollCtl, (ulong)ep, 1, (ulong)listener, Event(EPOLLIN, 7));
        long client = h.Net.ConnectClient(80);
        Assert.Equal([(EPOLLIN, 7ul)], Wait(ep, 8, 0));
        int connection = (int)h.Call(LinuxCall.Accept4, (ulong)listener, 0, 0, (ulong)Sock.NONBLOCK);
        h.Call(LinuxCall.EpollCtl, (ulong)ep, 1, (ulong)connection, Event(EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, 8));
        Assert.Equal([(EPOLLOUT, 8ul)], Wait(ep, 8, 0));
        h.Net.Close(client);
        var events = Wait(ep, 8, 0);
        Assert.Single(events);
        Assert.Equal(EPOLLIN | EPOLLRDHUP, events[0].Events & (EPOLLIN | EPOLLRDHUP));
    }

    [Fact]
    public void A_blocked_epoll_wait_wakes_for_data_and_ends_with_EINTR_when_the_caller_gives_up()
    {
        int ep = (int)h.Call(LinuxCall.EpollCreate1, 0);
        var (r, w) = Pipe();
        h.Call(LinuxCall.EpollCtl, (ulong)ep, 1, (ulong)r, Event(EPOLLIN, 3));
        ulong buffer = h.Alloc(12);
        var waiter = Task.Run(() => h.Call(LinuxCall.EpollWait, (ulong)ep, buffer, 1, U(-1)));
        Thread.Sleep(20);
        h.Write(w, "go");
        Assert.Equal(1, waiter.Result);

        int ep2 = (int)h.Call(LinuxCall.EpollCreate1, 0);
        var cancel = new SettableCancellation();
        var blocked = Task.Run(() => h.Posix.Handle((ulong)h.Process.Pid, LinuxCall.EpollWait, [(ulong)ep2, buffer, 1, U(-1)], 1, cancel));
        Thread.Sleep(20);
        cancel.IsCancelled = true;
        Assert.Equal(-Errno.EINTR, blocked.Result);
    }

    [Fact]
    public void Closing_a_registered_descriptor_removes_it_from_the_epoll_instance()
    {
        int ep = (int)h.Call(LinuxCall.EpollCreate1, 0);
        var (r, w) = Pipe();
        h.Call(LinuxCall.EpollCtl, (ulong)ep, 1, (ulong)r, Event(EPOLLIN, 1));
        h.Write(w, "x");
        h.Call(LinuxCall.Close, (ulong)r);
        Assert.Empty(Wait(ep, 4, 0));
        var epoll = (EpollFile)h.Process.Fds.Get(ep);
        Assert.Equal(0, epoll.Instance.RegistrationCount);
    }

    [Fact]
    public void Epoll_errors_are_EINVAL_EPERM_EBADF_EEXIST_and_EFAULT()
    {
        int ep = (int)h.Call(LinuxCall.EpollCreate1, 0);
        var (r, _) = Pipe();
        int file = h.Open("/f", O.CREAT | O.RDWR);
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.EpollCreate, 0));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.EpollCreate1, 1));
        Assert.Equal(-Errno.EPERM, h.Call(LinuxCall.EpollCtl, (ulong)ep, 1, (ulong)file, Event(EPOLLIN, 0)));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.EpollCtl, (ulong)file, 1, (ulong)r, Event(EPOLLIN, 0)));
        Assert.Equal(-Errno.EBADF, h.Call(LinuxCall.EpollCtl, (ulong)ep, 1, 99, Event(EPOLLIN, 0)));
        Assert.Equal(-Errno.EFAULT, h.Call(LinuxCall.EpollCtl, (ulong)ep, 1, (ulong)r, Unmapped));
        Assert.Equal(0, h.Call(LinuxCall.EpollCtl, (ulong)ep, 1, (ulong)r, Event(EPOLLIN, 0)));
        Assert.Equal(-Errno.EEXIST, h.Call(LinuxCall.EpollCtl, (ulong)ep, 1, (ulong)r, Event(EPOLLIN, 0)));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.EpollCtl, (ulong)ep, 1, (ulong)ep, Event(EPOLLIN, 0)));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.EpollWait, (ulong)ep, h.Alloc(12), 0, 0));
        Assert.Equal(-Errno.EFAULT, h.Call(LinuxCall.EpollWait, (ulong)ep, Unmapped, 1, 0));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.EpollWait, (ulong)file, h.Alloc(12), 1, 0));
    }

    [Fact]
    public void Poll_reports_revents_and_POLLNVAL_for_a_closed_descriptor()
    {
        var (r, w) = Pipe();
        h.Write(w, "x");
        var fds = new byte[24];
        BinaryPrimitives.WriteInt32LittleEndian(fds, r);
        BinaryPrimitives.WriteInt16LittleEndian(fds.AsSpan(4), 1);       // POLLIN
        BinaryPrimitives.WriteInt32LittleEndian(fds.AsSpan(8), 50);      // not open
        BinaryPrimitives.WriteInt16LittleEndian(fds.AsSpan(12), 1);
        BinaryPrimitives.WriteInt32LittleEndian(fds.AsSpan(16), -1);     // ignored
        ulong address = h.Put(fds);
        Assert.Equal(2, h.Call(LinuxCall.Poll, address, 3, 0));
        var back = h.Get(address, 24);
        Assert.Equal(1, BinaryPrimitives.ReadInt16LittleEndian(back.AsSpan(6)));
        Assert.Equal(0x20, BinaryPrimitives.ReadInt16LittleEndian(back.AsSpan(14)));   // POLLNVAL
        Assert.Equal(0, BinaryPrimitives.ReadInt16LittleEndian(back.AsSpan(22)));
        Assert.Equal(-Errno.EFAULT, h.Call(LinuxCall.Poll, Unmapped, 1, 0));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Poll, address, 100000, 0));
    }

    [Fact]
    public void Select_rewrites_the_sets_with_the_ready_descriptors_and_a_closed_one_is_EBADF()
    {
        var (r, w) = Pipe();
        var readSet = new byte[8];
        readSet[r / 8] |= (byte)(1 << (r % 8));
        var writeSet = new byte[8];
        writeSet[w / 8] |= (byte)(1 << (w % 8));
        ulong rs = h.Put(readSet), ws = h.Put(writeSet);
        Assert.Equal(1, h.Call(LinuxCall.Select, 64, rs, ws, 0, h.Put(new byte[16])));
        Assert.Equal(0, h.Get(rs, 8)[r / 8]);
        Assert.NotEqual(0, h.Get(ws, 8)[w / 8]);
        var bad = new byte[8];
        bad[5] = 1;   // descriptor 40, not open
        Assert.Equal(-Errno.EBADF, h.Call(LinuxCall.Select, 64, h.Put(bad), 0, 0, h.Put(new byte[16])));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Select, 5000, 0, 0, 0, 0));
    }

    [Fact]
    public void Eventfd_counts_writes_and_reads_them_back_in_8_byte_values()
    {
        int fd = (int)h.Call(LinuxCall.Eventfd2, 3, (ulong)O.NONBLOCK);
        Assert.Equal(8, h.Call(LinuxCall.Write, (ulong)fd, h.Put(BitConverter.GetBytes(4UL)), 8));
        ulong value = h.Alloc(8);
        Assert.Equal(8, h.Call(LinuxCall.Read, (ulong)fd, value, 8));
        Assert.Equal(7ul, h.GetU64(value));
        Assert.Equal(-Errno.EAGAIN, h.Call(LinuxCall.Read, (ulong)fd, value, 8));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Read, (ulong)fd, value, 4));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Eventfd2, 0, 0x4));
    }
}
