// What an application sees when the net server restarts under it (issue 9 item 3, DESIGN.md §7):
// posix (RestartableNetwork over a fake net that dies and restarts) makes the listening and UDP
// sockets again on the new instance — same descriptor, same port, same options, the same epoll
// registration, readiness pushed again — and resets the established connections: a read or write
// gets ECONNRESET once, then end of file and EPIPE; epoll reports EPOLLERR|EPOLLHUP. A restart is
// recovered from once, however many calls find it; while net is down calls fail with EIO; an
// EBADF from a net that did not restart is the call's own and changes nothing.
using System.Buffers.Binary;
using static Biscuit.Posix.Tests.PosixHarness;

namespace Biscuit.Posix.Tests;

public sealed class NetRestartTests : IDisposable
{
    private const uint EPOLLIN = 1, EPOLLOUT = 4, EPOLLERR = 8, EPOLLHUP = 0x10, EPOLLET = 0x80000000;
    private const int SOL_SOCKET = 1, SO_REUSEADDR = 2, SO_ERROR = 4;
    private readonly RestartingNetServer net = new();
    private readonly RestartableNetwork network;
    private readonly List<string> log = [];
    private readonly PosixHarness h;

    public NetRestartTests()
    {
        network = new RestartableNetwork(net, net.Instance, net.Resubscribe, log.Add);
        h = new PosixHarness(network: network);
        Assert.True(network.LearnInstance());
    }

    public void Dispose() => h.Dispose();

    private int Listener(ushort port, int backlog = 511)
    {
        int fd = (int)h.Call(LinuxCall.Socket, Sock.AF_INET, Sock.STREAM | Sock.NONBLOCK, 0);
        Assert.True(fd >= 0);
        Assert.Equal(0, h.Call(LinuxCall.Setsockopt, (ulong)fd, SOL_SOCKET, SO_REUSEADDR, h.Put(BitConverter.GetBytes(1)), 4));
        Assert.Equal(0, h.Call(LinuxCall.Bind, (ulong)fd, h.Put(SockaddrIn.Encode(new Ipv4Endpoint(0, port))), 16));
        Assert.Equal(0, h.Call(LinuxCall.Listen, (ulong)fd, (ulong)backlog));
        return fd;
    }

    private int Accepted(int listener, ushort port)
    {
        net.Current.ConnectClient(port);
        long fd = h.Call(LinuxCall.Accept4, (ulong)listener, 0, 0, (ulong)Sock.NONBLOCK);
        Assert.True(fd >= 0, $"accept4: {fd}");
        return (int)fd;
    }

    private ulong Event(uint events, ulong data)
    {
        var b = new byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(b, events);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(4), data);
        return h.Put(b);
    }

    private List<(uint Events, ulong Data)> Wait(int epfd)
    {
        ulong buffer = h.Alloc(8 * 12);
        long n = h.Call(LinuxCall.EpollWait, (ulong)epfd, buffer, 8, 0);
        Assert.True(n >= 0, $"epoll_wait answered {n}");
        var bytes = h.Get(buffer, 8 * 12);
        return Enumerable.Range(0, (int)n).Select(i => (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i * 12)),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i * 12 + 4)))).ToList();
    }

    private ushort LocalPort(int fd)
    {
        ulong address = h.Alloc(16), length = h.Put(BitConverter.GetBytes(16));
        Assert.Equal(0, h.Call(LinuxCall.Getsockname, (ulong)fd, address, length));
        return SockaddrIn.Decode(h.Get(address, 16)).Port;
    }

    private int IntOption(int fd, int name)
    {
        ulong value = h.Alloc(4), length = h.Put(BitConverter.GetBytes(4));
        Assert.Equal(0, h.Call(LinuxCall.Getsockopt, (ulong)fd, SOL_SOCKET, (ulong)name, value, length));
        return h.GetInt(value);
    }

    [Fact]
    public void A_listening_socket_keeps_its_descriptor_port_and_options_and_accepts_on_the_new_net()
    {
        int listener = Listener(80);
        net.Restart();
        Assert.Equal(-Errno.EAGAIN, h.Call(LinuxCall.Accept4, (ulong)listener, 0, 0, 0));   // not EBADF: made again first
        Assert.Equal(1, network.Recoveries);
        Assert.Equal(80, LocalPort(listener));
        Assert.Equal(1, IntOption(listener, SO_REUSEADDR));                                   // set again on the new net
        int connection = Accepted(listener, 80);
        Assert.Equal(5, h.Write(connection, "hello"));
        Assert.Contains(log, l => l.Contains("1 sockets made again on the new instance, 0 connections reset"));
    }

    [Fact]
    public void The_epoll_registration_of_a_listener_survives_and_wakes_for_a_connection_on_the_new_net()
    {
        int listener = Listener(81);
        int ep = (int)h.Call(LinuxCall.EpollCreate1, 0);
        Assert.Equal(0, h.Call(LinuxCall.EpollCtl, (ulong)ep, 1, (ulong)listener, Event(EPOLLIN, 7)));
        net.Restart();
        Assert.True(network.CheckRestart());                  // the readiness thread's periodic question
        Assert.Equal(1, net.Subscriptions);                   // the new net signals posix's notification again
        Assert.Empty(Wait(ep));
        net.Current.ConnectClient(81);
        Assert.Equal([(EPOLLIN, 7ul)], Wait(ep));
        Assert.True(h.Call(LinuxCall.Accept4, (ulong)listener, 0, 0, 0) >= 0);
    }

    [Fact]
    public void An_established_connection_is_reset_read_and_write_fail_as_after_an_RST()
    {
        int listener = Listener(82);
        int connection = Accepted(listener, 82);
        int ep = (int)h.Call(LinuxCall.EpollCreate1, 0);
        Assert.Equal(0, h.Call(LinuxCall.EpollCtl, (ulong)ep, 1, (ulong)connection, Event(EPOLLIN | EPOLLOUT | EPOLLET, 9)));
        Wait(ep);
        net.Restart();
        Assert.True(network.CheckRestart());
        var events = Wait(ep);
        Assert.Single(events);
        Assert.Equal(EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP, events[0].Events & (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP));
        ulong buffer = h.Alloc(16);
        Assert.Equal(-Errno.ECONNRESET, h.Call(LinuxCall.Read, (ulong)connection, buffer, 16));
        Assert.Equal(0, h.Call(LinuxCall.Read, (ulong)connection, buffer, 16));                 // then end of file
        Assert.Equal(-Errno.EPIPE, h.Write(connection, "late"));
        Assert.Equal(0, h.Call(LinuxCall.Close, (ulong)connection));
        Assert.Contains(log, l => l.Contains("1 sockets made again on the new instance, 1 connections reset"));
    }

    [Fact]
    public void A_reset_connection_reports_ECONNRESET_once_through_SO_ERROR_and_has_no_peer()
    {
        int listener = Listener(83);
        int connection = Accepted(listener, 83);
        net.Restart();
        Assert.True(network.CheckRestart());
        Assert.Equal(Errno.ECONNRESET, IntOption(connection, SO_ERROR));
        Assert.Equal(0, IntOption(connection, SO_ERROR));
        Assert.Equal(-Errno.ENOTCONN, h.Call(LinuxCall.Getpeername, (ulong)connection, h.Alloc(16), h.Put(BitConverter.GetBytes(16))));
    }

    [Fact]
    public void While_net_is_down_calls_fail_with_EIO_and_once_it_is_back_the_listener_is_made_again()
    {
        int listener = Listener(84);
        net.Die();
        Assert.Equal(-Errno.EIO, h.Call(LinuxCall.Accept4, (ulong)listener, 0, 0, 0));
        Assert.False(network.CheckRestart());
        Assert.Equal(0, network.Recoveries);
        net.Restart();
        Assert.Equal(-Errno.EAGAIN, h.Call(LinuxCall.Accept4, (ulong)listener, 0, 0, 0));
        Assert.Equal(1, network.Recoveries);
        Accepted(listener, 84);
    }

    [Fact]
    public void One_restart_is_recovered_from_once_however_many_calls_find_it()
    {
        int first = Listener(85), second = Listener(86);
        net.Restart();
        Assert.Equal(-Errno.EAGAIN, h.Call(LinuxCall.Accept4, (ulong)first, 0, 0, 0));
        Assert.Equal(-Errno.EAGAIN, h.Call(LinuxCall.Accept4, (ulong)second, 0, 0, 0));
        Assert.False(network.CheckRestart());
        Assert.Equal(1, network.Recoveries);
        Assert.Equal(1, net.Subscriptions);
        Assert.Equal(2, net.Current.OpenSockets);               // each made once on the new net
    }

    [Fact]
    public void An_EBADF_from_a_net_that_did_not_restart_is_the_calls_own_and_remakes_nothing()
    {
        int listener = Listener(87);
        Assert.Equal(0, net.Current.Close(101));                  // net lost the socket (the first id it gave) but did not restart
        Assert.Equal(-Errno.EBADF, h.Call(LinuxCall.Accept4, (ulong)listener, 0, 0, 0));
        Assert.Equal(0, network.Recoveries);
        Assert.Equal(0, net.Subscriptions);
        Assert.Equal(0, net.Current.OpenSockets);
    }

    [Fact]
    public void A_bound_UDP_socket_is_made_again_on_its_port()
    {
        int udp = (int)h.Call(LinuxCall.Socket, Sock.AF_INET, Sock.DGRAM, 0);
        Assert.Equal(0, h.Call(LinuxCall.Bind, (ulong)udp, h.Put(SockaddrIn.Encode(new Ipv4Endpoint(0, 5353))), 16));
        net.Restart();
        Assert.True(network.CheckRestart());
        Assert.Equal(5353, LocalPort(udp));
    }

    [Fact]
    public void A_socket_closed_before_the_restart_is_not_made_again_and_closing_after_it_is_quiet()
    {
        int kept = Listener(88), closed = Listener(89);
        Assert.Equal(0, h.Call(LinuxCall.Close, (ulong)closed));
        net.Restart();
        Assert.True(network.CheckRestart());
        Assert.Equal(1, net.Current.OpenSockets);
        Assert.Equal(0, h.Call(LinuxCall.Close, (ulong)kept));
        Assert.Equal(0, net.Current.OpenSockets);
    }

    [Fact]
    public void Without_a_restart_the_periodic_check_changes_nothing()
    {
        Listener(90);
        Assert.False(network.CheckRestart());
        Assert.False(network.CheckRestart());
        Assert.Equal(0, network.Recoveries);
        Assert.Equal(3, net.InstanceQuestions);                   // LearnInstance, then one per check
    }
}
