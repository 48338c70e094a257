// A receive that takes the last bytes leaves the socket not readable in posix's cache at once: the
// reply carries net's readiness after the call (ReceiveReply.ReadinessAfter), so a level-triggered
// epoll_wait right after a read that emptied the socket reports nothing (Linux's answer), without
// waiting for net's readiness push. Found by tests/conformance/sockets.c.
using Biscuit.Net.Client.Tests.Harness;
using Biscuit.Posix;
using Biscuit.Posix.Links;

namespace Biscuit.Posix.Links.Tests;

public class ReceiveReadinessTests
{
    private const int SOCK_STREAM = 1;
    private const uint EPOLLIN = 0x1;

    private sealed class NullSink : ISocketReadinessSink
    {
        public void ReadinessChanged(long socket, uint epollMask) { }
    }

    [Fact]
    public void A_receive_that_empties_the_socket_clears_EPOLLIN_and_one_that_leaves_bytes_keeps_it()
    {
        using var h = new ServiceHarness();
        var net = new NetLink(() => h.Net);
        net.Attach(new NullSink());
        long listener = net.Create(SOCK_STREAM, 0);
        Assert.Equal(0, net.Bind(listener, new Ipv4Endpoint(0, 90)));
        Assert.Equal(0, net.Listen(listener, 4));
        var remote = h.B.CreateTcpSocket();
        remote.Connect(ServiceHarness.AddressA, 90);
        long id = -Errno.EAGAIN;
        Assert.True(h.AdvanceUntil(() => (id = net.Accept(listener, out _)) != -Errno.EAGAIN));

        remote.Send("abcd"u8);
        h.Advance(2);
        net.DeliverEvents();
        Assert.NotEqual(0u, net.Readiness(id) & EPOLLIN);
        Assert.Equal(2, net.Receive(id, new byte[2], false, out _));
        Assert.NotEqual(0u, net.Readiness(id) & EPOLLIN);                   // two bytes are left
        Assert.Equal(2, net.Receive(id, new byte[2], false, out _));
        Assert.Equal(0u, net.Readiness(id) & EPOLLIN);                      // emptied: known at once, no push needed
    }
}
