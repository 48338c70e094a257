// setsockopt/getsockopt through the service: every option the stack supports, in both directions;
// what it does not support is ENOPROTOOPT; bad values are EINVAL.
using Biscuit.Net.Client.Tests.Harness;
using Biscuit.Net.Protocol;
using static Biscuit.Net.Client.Tests.Harness.RemoteHost;
using static Biscuit.Net.Protocol.LinuxErrno;
using static Biscuit.Net.Protocol.SocketConstants;

namespace Biscuit.Net.Client.Tests;

public class OptionTests
{
    private static long Get(ServiceHarness h, long id, int level, int name)
    {
        Assert.Equal(0, h.Net.GetOption(id, level, name, out long value));
        return value;
    }

    [Theory]
    [InlineData(SOL_SOCKET, SO_REUSEADDR, 1)]
    [InlineData(SOL_SOCKET, SO_KEEPALIVE, 1)]
    [InlineData(SOL_SOCKET, SO_SNDBUF, 65536)]
    [InlineData(SOL_SOCKET, SO_RCVBUF, 32768)]
    [InlineData(SOL_SOCKET, SO_LINGER, 5)]
    [InlineData(SOL_SOCKET, SO_LINGER, 0)]
    [InlineData(IPPROTO_TCP, TCP_NODELAY, 1)]
    public void A_TCP_option_set_is_read_back(int level, int name, long value)
    {
        using var h = new ServiceHarness();
        long id = h.Net.Socket(Inet, StreamType);
        Assert.Equal(0, h.Net.SetOption(id, level, name, value));
        Assert.Equal(value, Get(h, id, level, name));
    }

    [Fact]
    public void Options_start_as_Linux_sets_them_and_buffer_sizes_are_clamped_to_the_stacks_bounds()
    {
        using var h = new ServiceHarness();
        long id = h.Net.Socket(Inet, StreamType);
        Assert.Equal(0, Get(h, id, SOL_SOCKET, SO_REUSEADDR));
        Assert.Equal(0, Get(h, id, SOL_SOCKET, SO_KEEPALIVE));
        Assert.Equal(0, Get(h, id, IPPROTO_TCP, TCP_NODELAY));
        Assert.Equal(LingerOff, Get(h, id, SOL_SOCKET, SO_LINGER));
        Assert.Equal(0, h.Net.SetOption(id, SOL_SOCKET, SO_SNDBUF, 1));
        Assert.Equal(h.Host.Stack.Options.TcpMinBuffer, Get(h, id, SOL_SOCKET, SO_SNDBUF));
        Assert.Equal(0, h.Net.SetOption(id, SOL_SOCKET, SO_RCVBUF, int.MaxValue));
        Assert.Equal(h.Host.Stack.Options.TcpMaxBuffer, Get(h, id, SOL_SOCKET, SO_RCVBUF));
    }

    [Fact]
    public void Unknown_options_and_options_a_UDP_socket_lacks_are_ENOPROTOOPT()
    {
        using var h = new ServiceHarness();
        long tcp = h.Net.Socket(Inet, StreamType), udp = h.Net.Socket(Inet, DatagramType);
        Assert.Equal(-ENOPROTOOPT, h.Net.SetOption(tcp, SOL_SOCKET, 99, 1));
        Assert.Equal(-ENOPROTOOPT, h.Net.GetOption(tcp, SOL_SOCKET, 99, out _));
        Assert.Equal(-ENOPROTOOPT, h.Net.SetOption(tcp, 41 /* IPPROTO_IPV6 */, 1, 1));
        Assert.Equal(-ENOPROTOOPT, h.Net.SetOption(tcp, SOL_SOCKET, SO_ERROR, 0));     // read-only
        Assert.Equal(-ENOPROTOOPT, h.Net.SetOption(tcp, SOL_SOCKET, SO_TYPE, 1));
        Assert.Equal(-ENOPROTOOPT, h.Net.SetOption(udp, IPPROTO_TCP, TCP_NODELAY, 1));
        Assert.Equal(-ENOPROTOOPT, h.Net.SetOption(udp, SOL_SOCKET, SO_KEEPALIVE, 1));
        Assert.Equal(-ENOPROTOOPT, h.Net.GetOption(udp, SOL_SOCKET, SO_SNDBUF, out _));
        Assert.Equal(-ENOPROTOOPT, h.Net.SetOption(udp, SOL_SOCKET, SO_LINGER, 0));
    }

    [Fact]
    public void A_UDP_socket_keeps_its_receive_buffer_and_reuse_address_settings()
    {
        using var h = new ServiceHarness();
        long udp = h.Net.Socket(Inet, DatagramType);
        Assert.Equal(0, h.Net.SetOption(udp, SOL_SOCKET, SO_REUSEADDR, 1));
        Assert.Equal(1, Get(h, udp, SOL_SOCKET, SO_REUSEADDR));
        Assert.Equal(0, h.Net.SetOption(udp, SOL_SOCKET, SO_RCVBUF, 8192));
        Assert.Equal(8192, Get(h, udp, SOL_SOCKET, SO_RCVBUF));
        Assert.Equal(0, Get(h, udp, SOL_SOCKET, SO_ERROR));
    }

    [Fact]
    public void Bad_option_values_are_EINVAL()
    {
        using var h = new ServiceHarness();
        long id = h.Net.Socket(Inet, StreamType);
        Assert.Equal(-EINVAL, h.Net.SetOption(id, SOL_SOCKET, SO_SNDBUF, -1));
        Assert.Equal(-EINVAL, h.Net.SetOption(id, SOL_SOCKET, SO_RCVBUF, long.MaxValue));
        Assert.Equal(-EINVAL, h.Net.SetOption(id, SOL_SOCKET, SO_LINGER, -2));
    }

    [Fact]
    public void SO_REUSEADDR_lets_a_listener_rebind_a_port_held_by_a_lingering_connection()
    {
        using var h = new ServiceHarness();
        long listener = h.ListenOnA(80);
        var (remote, id) = h.ConnectFromB(listener, 80);
        h.Net.Close(id);                                   // we close first: our side lingers in TIME-WAIT
        Assert.True(h.AdvanceUntil(() => remote.Receive(new byte[1]) == 0));
        remote.Close();
        h.Advance(10);
        h.Net.Close(listener);
        long again = h.Net.Socket(Inet, StreamType);
        Assert.Equal(-EADDRINUSE, h.Net.Bind(again, 0, 80));
        Assert.Equal(0, h.Net.SetOption(again, SOL_SOCKET, SO_REUSEADDR, 1));
        Assert.Equal(0, h.Net.Bind(again, 0, 80));
    }

    [Fact]
    public void Close_with_SO_LINGER_zero_resets_the_connection()
    {
        using var h = new ServiceHarness();
        var (remote, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        Assert.Equal(0, h.Net.SetOption(id, SOL_SOCKET, SO_LINGER, 0));
        Assert.Equal(0, h.Net.Close(id));
        Assert.True(h.AdvanceUntil(() => remote.Receive(new byte[1]) == -(int)Errno.ECONNRESET), "B saw no reset");
    }
}
