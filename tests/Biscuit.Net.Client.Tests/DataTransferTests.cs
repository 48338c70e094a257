// Moving data through the service: Send and Receive with their EAGAIN paths, end of file, the
// errors of a shut or reset connection, a large transfer both ways checked byte for byte, and UDP.
using System.Security.Cryptography;
using Biscuit.Net.Client.Tests.Harness;
using Biscuit.Net.Protocol;
using static Biscuit.Net.Client.Tests.Harness.RemoteHost;
using static Biscuit.Net.Protocol.LinuxErrno;

namespace Biscuit.Net.Client.Tests;

public class DataTransferTests
{
    [Fact]
    public void Receive_answers_EAGAIN_before_data_then_the_bytes_the_peer_sent()
    {
        using var h = new ServiceHarness();
        var (remote, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        var buffer = new byte[100];
        Assert.Equal(-EAGAIN, h.Net.Receive(id, buffer));
        remote.Send("hello"u8);
        h.Advance(2);
        Assert.Equal(5, h.Net.Receive(id, buffer, out uint from, out int fromPort));
        Assert.Equal("hello"u8.ToArray(), buffer[..5]);
        Assert.Equal((ServiceHarness.AddressB.Value, (int)remote.LocalPort), (from, fromPort));
        Assert.Equal(-EAGAIN, h.Net.Receive(id, buffer));
    }

    [Fact]
    public void Receive_returns_at_most_what_was_asked_and_keeps_the_rest()
    {
        using var h = new ServiceHarness();
        var (remote, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        remote.Send("abcdef"u8);
        h.Advance(2);
        var buffer = new byte[4];
        Assert.Equal(4, h.Net.Receive(id, buffer));
        Assert.Equal("abcd"u8.ToArray(), buffer);
        Assert.Equal(2, h.Net.Receive(id, buffer));
        Assert.Equal("ef"u8.ToArray(), buffer[..2]);
        Assert.Equal(0, h.Net.Receive(id, Span<byte>.Empty));          // recv of 0 bytes
    }

    [Fact]
    public void A_negative_receive_size_is_EINVAL()
    {
        using var h = new ServiceHarness();
        var (_, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        var reply = h.Raw.Call(SocketRequests.Receive, new ReceiveRequest(id, -1, 0), 10_000);
        Assert.Equal(-EINVAL, reply.Value.Result);
    }

    [Fact]
    public void Receive_with_MSG_PEEK_leaves_the_bytes_for_the_next_receive()
    {
        using var h = new ServiceHarness();
        var (remote, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        var buffer = new byte[16];
        Assert.Equal(-EAGAIN, h.Net.Receive(id, buffer, out _, out _, SocketConstants.MSG_PEEK));
        remote.Send("peek"u8);
        h.Advance(2);
        Assert.Equal(2, h.Net.Receive(id, buffer.AsSpan(0, 2), out _, out _, SocketConstants.MSG_PEEK));
        Assert.Equal(4, h.Net.Receive(id, buffer, out _, out _, SocketConstants.MSG_PEEK));
        Assert.Equal(4, h.Net.Receive(id, buffer));
        Assert.Equal("peek"u8.ToArray(), buffer[..4]);
        Assert.Equal(-EAGAIN, h.Net.Receive(id, buffer));
    }

    [Fact]
    public void Receive_of_urgent_data_is_EOPNOTSUPP()
    {
        using var h = new ServiceHarness();
        var (_, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        Assert.Equal(-EOPNOTSUPP, h.Net.Receive(id, new byte[4], out _, out _, SocketConstants.MSG_OOB));
    }

    [Fact]
    public void A_UDP_peek_leaves_the_datagram_queued()
    {
        using var h = new ServiceHarness();
        long id = h.Net.Socket(Inet, DatagramType);
        h.Net.Bind(id, 0, 5000);
        var peer = h.B.CreateUdpSocket();
        peer.SendTo("dgram"u8, ServiceHarness.AddressA, 5000);
        h.Advance(2);
        var buffer = new byte[16];
        Assert.Equal(5, h.Net.Receive(id, buffer, out uint from, out _, SocketConstants.MSG_PEEK));
        Assert.Equal(ServiceHarness.AddressB.Value, from);
        Assert.Equal(5, h.Net.Receive(id, buffer));
        Assert.Equal(-EAGAIN, h.Net.Receive(id, buffer));
    }

    [Fact]
    public void After_the_peer_closes_Receive_returns_the_data_then_end_of_file_every_time()
    {
        using var h = new ServiceHarness();
        var (remote, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        remote.Send("last"u8);
        remote.Close();
        h.Advance(5);
        var buffer = new byte[16];
        Assert.Equal(4, h.Net.Receive(id, buffer));
        Assert.Equal(0, h.Net.Receive(id, buffer));
        Assert.Equal(0, h.Net.Receive(id, buffer));
    }

    [Fact]
    public void Send_accepts_a_prefix_when_the_buffer_fills_then_EAGAIN_and_EPOLLOUT_when_the_peer_reads()
    {
        using var h = new ServiceHarness();
        var (remote, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        Assert.Equal(0, h.Net.SetOption(id, SocketConstants.SOL_SOCKET, SocketConstants.SO_SNDBUF, 4096));
        var chunk = new byte[SocketLimits.MaxTransferBytes];
        long total = 0, sent;
        while ((sent = h.Net.Send(id, chunk)) > 0) total += sent;   // B does not read: windows and buffers fill
        Assert.Equal(-EAGAIN, sent);
        h.Advance(50);
        while ((sent = h.Net.Send(id, chunk)) > 0) total += sent;
        Assert.Equal(-EAGAIN, sent);
        h.PollAll();                                                  // forget what happened so far
        var sink = new byte[1 << 20];
        long read = 0;
        Assert.True(h.AdvanceUntil(() => { int n = remote.Receive(sink); if (n > 0) read += n; return read == total; }), "B did not get every byte");
        Assert.True((EventsOf(h.PollAll(), id) & EpollEvents.EPOLLOUT) != 0, "no EPOLLOUT once there was room again");
        Assert.True(h.Net.Send(id, chunk) > 0);
    }

    [Fact]
    public void An_empty_send_is_not_EAGAIN_but_zero()
    {
        using var h = new ServiceHarness();
        var (_, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        Assert.Equal(0, h.Net.Send(id, ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void Send_after_shutdown_of_the_writing_side_is_EPIPE_and_the_peer_sees_end_of_file()
    {
        using var h = new ServiceHarness();
        var (remote, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        Assert.Equal(0, h.Net.Shutdown(id, SocketConstants.SHUT_WR));
        Assert.Equal(-EPIPE, h.Net.Send(id, [1]));
        Assert.True(h.AdvanceUntil(() => remote.Receive(new byte[1]) == 0), "B never saw the FIN");
        remote.Send("still open"u8);                                  // the other direction still works
        h.Advance(2);
        Assert.Equal(10, h.Net.Receive(id, new byte[32]));
    }

    [Fact]
    public void Shutdown_checks_how_and_the_kind_of_socket()
    {
        using var h = new ServiceHarness();
        var (_, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        Assert.Equal(-EINVAL, h.Net.Shutdown(id, 3));
        Assert.Equal(-EINVAL, h.Net.Shutdown(id, -1));
        Assert.Equal(-EOPNOTSUPP, h.Net.Shutdown(h.Net.Socket(Inet, DatagramType), SocketConstants.SHUT_RD));
        Assert.Equal(-ENOTCONN, h.Net.Shutdown(h.Net.Socket(Inet, StreamType), SocketConstants.SHUT_RD));
    }

    [Fact]
    public void A_reset_from_the_peer_is_ECONNRESET_once_then_end_of_file()
    {
        using var h = new ServiceHarness();
        var (remote, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        remote.Abort();
        h.Advance(2);
        Assert.True((EventsOf(h.PollAll(), id) & (EpollEvents.EPOLLERR | EpollEvents.EPOLLHUP)) != 0);
        Assert.Equal(-ECONNRESET, h.Net.Receive(id, new byte[8]));
        Assert.Equal(0, h.Net.Receive(id, new byte[8]));
        Assert.True(h.Net.Send(id, [1]) < 0);
    }

    [Fact]
    public void One_MiB_each_way_arrives_byte_for_byte()
    {
        using var h = new ServiceHarness();
        var (remote, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        var up = RandomNumberGenerator.GetBytes(1 << 20);
        var down = RandomNumberGenerator.GetBytes(1 << 20);
        var gotByService = new MemoryStream();
        var gotByRemote = new MemoryStream();
        int upSent = 0, downSent = 0;
        var buffer = new byte[SocketLimits.MaxTransferBytes];
        var sink = new byte[65536];
        bool done = h.AdvanceUntil(() =>
        {
            if (upSent < up.Length) { int n = remote.Send(up.AsSpan(upSent)); if (n > 0) upSent += n; }
            long s;
            while (downSent < down.Length && (s = h.Net.Send(id, down.AsSpan(downSent))) > 0) downSent += (int)s;
            long r;
            while ((r = h.Net.Receive(id, buffer)) > 0) gotByService.Write(buffer, 0, (int)r);
            int m;
            while ((m = remote.Receive(sink)) > 0) gotByRemote.Write(sink, 0, m);
            return gotByService.Length == up.Length && gotByRemote.Length == down.Length;
        }, maxMs: 60_000);
        Assert.True(done, $"service got {gotByService.Length}, remote got {gotByRemote.Length}");
        Assert.Equal(SHA256.HashData(up), SHA256.HashData(gotByService.ToArray()));
        Assert.Equal(SHA256.HashData(down), SHA256.HashData(gotByRemote.ToArray()));
    }

    [Fact]
    public void Udp_datagrams_go_both_ways_with_the_senders_address()
    {
        using var h = new ServiceHarness();
        long id = h.Net.Socket(Inet, DatagramType);
        Assert.Equal(0, h.Net.Bind(id, 0, 5000));
        var peer = h.B.CreateUdpSocket();
        Assert.Equal(Errno.None, peer.Bind(6000));
        Assert.Equal(3, h.Net.Send(id, "one"u8, ServiceHarness.AddressB.Value, 6000));
        h.Advance(2);
        var got = new byte[16];
        Assert.Equal(3, peer.ReceiveFrom(got, out var from, out ushort fromPort));
        Assert.Equal((ServiceHarness.AddressA, (ushort)5000), (from, fromPort));
        peer.SendTo("reply"u8, ServiceHarness.AddressA, 5000);
        h.Advance(2);
        Assert.Equal(5, h.Net.Receive(id, got, out uint address, out int port));
        Assert.Equal((ServiceHarness.AddressB.Value, 6000), (address, port));
        Assert.Equal(-EAGAIN, h.Net.Receive(id, got));
    }

    [Fact]
    public void Udp_without_a_destination_needs_a_connected_peer()
    {
        using var h = new ServiceHarness();
        long id = h.Net.Socket(Inet, DatagramType);
        Assert.Equal(-EDESTADDRREQ, h.Net.Send(id, "x"u8));
        Assert.Equal(-ENOTCONN, h.Net.GetPeer(id, out _, out _));
        Assert.Equal(0, h.Net.Connect(id, ServiceHarness.AddressB.Value, 6000));
        Assert.Equal(0, h.Net.GetPeer(id, out uint address, out int port));
        Assert.Equal((ServiceHarness.AddressB.Value, 6000), (address, port));
        var peer = h.B.CreateUdpSocket();
        peer.Bind(6000);
        Assert.Equal(1, h.Net.Send(id, "x"u8));
        h.Advance(2);
        Assert.Equal(1, peer.ReceiveFrom(new byte[4], out _, out _));
        Assert.Equal(-EINVAL, h.Net.Send(id, "x"u8, 0, 70_000));
    }
}
