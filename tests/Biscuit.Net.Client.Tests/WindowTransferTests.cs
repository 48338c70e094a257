// The socket data window (Biscuit.Net.Protocol/SocketWindow.cs) on the real service: MapWindow once
// per client run, SendFromWindow / ReceiveToWindow moving bytes through the shared pages (1 MiB each
// way checked by SHA-256, UDP with addresses, peeking, end of file), and every bad input answered
// with its error: no window, another run's window, another caller, a slot or range outside the
// window, a bad address, a second window, a malformed body.
using System.Security.Cryptography;
using Biscuit.Lib.Messages;
using Biscuit.Net.Client.Tests.Harness;
using Biscuit.Net.Protocol;
using static Biscuit.Net.Client.Tests.Harness.RemoteHost;
using static Biscuit.Net.Protocol.LinuxErrno;

namespace Biscuit.Net.Client.Tests;

public class WindowTransferTests
{
    private const long Address = 0x7300_0000;
    private const int SlotBytes = SocketWindowLimits.SlotBytes;

    private static (ServiceHarness H, HostWindowPages Pages, SocketWindowLayout Window) Mapped()
    {
        var pages = new HostWindowPages();
        var h = new ServiceHarness(windowPages: pages);
        var window = h.Net.MapWindow(Address);
        Assert.Equal(0, window.Result);
        return (h, pages, window);
    }

    [Fact]
    public void MapWindow_grants_the_pages_at_the_address_and_answers_the_layout()
    {
        var (h, pages, window) = Mapped();
        using var owner = h;
        Assert.Equal((SocketWindowLimits.Slots, SlotBytes), (window.Slots, window.SlotBytes));
        Assert.NotEqual(0UL, window.WindowId);
        Assert.Equal(window.WindowId, h.Service.WindowId);
        Assert.Equal((1, Address), (pages.Grants, pages.LastAddress));
    }

    [Fact]
    public void A_second_MapWindow_is_EBUSY_until_ResetClient_takes_the_window_back()
    {
        var (h, pages, first) = Mapped();
        using var owner = h;
        Assert.Equal(-EBUSY, h.Net.MapWindow(Address).Result);
        Assert.True(h.Net.ResetClient() >= 0);
        Assert.False(pages.Granted);
        Assert.Equal(0UL, h.Service.WindowId);
        var second = h.Net.MapWindow(Address);
        Assert.Equal(0, second.Result);
        Assert.NotEqual(first.WindowId, second.WindowId);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-4096L)]
    [InlineData(Address + 1)]
    [InlineData(Address + 2048)]
    public void MapWindow_at_an_address_that_is_not_a_positive_multiple_of_a_page_is_EINVAL(long address)
    {
        var pages = new HostWindowPages();
        using var h = new ServiceHarness(windowPages: pages);
        Assert.Equal(-EINVAL, h.Net.MapWindow(address).Result);
        Assert.Equal(0, pages.Grants);
    }

    [Fact]
    public void MapWindow_passes_the_kernels_grant_error_on_and_grants_nothing()
    {
        var pages = new HostWindowPages { FailWith = -17 };   // EEXIST: the caller uses that range
        using var h = new ServiceHarness(windowPages: pages);
        Assert.Equal(-17, h.Net.MapWindow(Address).Result);
        Assert.Equal(0UL, h.Service.WindowId);
        pages.FailWith = 0;
        Assert.Equal(0, h.Net.MapWindow(Address).Result);     // a failed grant holds nothing: the next may succeed
    }

    [Fact]
    public void A_server_without_window_pages_answers_EOPNOTSUPP()
    {
        using var h = new ServiceHarness();
        Assert.Equal(-EOPNOTSUPP, h.Net.MapWindow(Address).Result);
    }

    [Fact]
    public void SendFromWindow_sends_the_slots_bytes_from_the_offset()
    {
        var (h, pages, window) = Mapped();
        using var owner = h;
        var (remote, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        "xxhello"u8.CopyTo(pages.Slot(3, 100, 7));
        Assert.Equal(5, h.Net.SendFromWindow(window.WindowId, id, 3, 102, 5));
        h.Advance(50);
        var got = new byte[16];
        Assert.Equal(5, remote.Receive(got));
        Assert.Equal("hello"u8.ToArray(), got[..5]);
    }

    [Fact]
    public void ReceiveToWindow_puts_the_bytes_in_the_slot_and_reports_sender_and_readiness()
    {
        var (h, pages, window) = Mapped();
        using var owner = h;
        var (remote, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        Assert.Equal(-EAGAIN, h.Net.ReceiveToWindow(window.WindowId, id, 0, 0, 100).Result);
        remote.Send("abcdef"u8);
        h.Advance(2);
        var peeked = h.Net.ReceiveToWindow(window.WindowId, id, 5, 10, 4, SocketConstants.MSG_PEEK);
        Assert.Equal(4, peeked.Result);
        Assert.Equal("abcd"u8.ToArray(), pages.Slot(5, 10, 4).ToArray());
        var reply = h.Net.ReceiveToWindow(window.WindowId, id, 15, SlotBytes - 6, 6);
        Assert.Equal(6, reply.Result);
        Assert.Equal("abcdef"u8.ToArray(), pages.Slot(15, SlotBytes - 6, 6).ToArray());
        Assert.Equal((ServiceHarness.AddressB.Value, (long)remote.LocalPort), ((uint)reply.Address, reply.Port));
        Assert.Equal(0, reply.ReadinessAfter & EpollEvents.EPOLLIN);   // the read emptied the socket
        remote.Shutdown(ShutdownHow.Write);
        h.Advance(2);
        Assert.Equal(0, h.Net.ReceiveToWindow(window.WindowId, id, 0, 0, 100).Result);   // end of file
    }

    [Fact]
    public void One_MiB_each_way_through_the_window_arrives_byte_for_byte()
    {
        var (h, pages, window) = Mapped();
        using var owner = h;
        var (remote, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        Assert.Equal(0, h.Net.SetOption(id, SocketConstants.SOL_SOCKET, SocketConstants.SO_SNDBUF, 1 << 20));
        var up = RandomNumberGenerator.GetBytes(1 << 20);
        var down = RandomNumberGenerator.GetBytes(1 << 20);
        var gotByService = new MemoryStream();
        var gotByRemote = new MemoryStream();
        int upSent = 0, downSent = 0;
        var sink = new byte[65536];
        bool done = h.AdvanceUntil(() =>
        {
            if (upSent < up.Length) { int n = remote.Send(up.AsSpan(upSent)); if (n > 0) upSent += n; }
            while (downSent < down.Length)
            {
                int piece = Math.Min(SlotBytes, down.Length - downSent);
                down.AsSpan(downSent, piece).CopyTo(pages.Slot(1, 0, piece));
                long s = h.Net.SendFromWindow(window.WindowId, id, 1, 0, piece);
                if (s <= 0) break;
                downSent += (int)s;
            }
            long r;
            while ((r = h.Net.ReceiveToWindow(window.WindowId, id, 2, 0, SlotBytes).Result) > 0) gotByService.Write(pages.Slot(2, 0, (int)r));
            int m;
            while ((m = remote.Receive(sink)) > 0) gotByRemote.Write(sink, 0, m);
            return gotByService.Length == up.Length && gotByRemote.Length == down.Length;
        }, maxMs: 60_000);
        Assert.True(done, $"service got {gotByService.Length}, remote got {gotByRemote.Length}");
        Assert.Equal(SHA256.HashData(up), SHA256.HashData(gotByService.ToArray()));
        Assert.Equal(SHA256.HashData(down), SHA256.HashData(gotByRemote.ToArray()));
        var counters = h.Net.Counters()!;
        Assert.Contains($"window.bytes_sent {1 << 20}", counters);
        Assert.Contains($"window.bytes_received {1 << 20}", counters);
    }

    [Fact]
    public void Udp_datagrams_go_through_the_window_with_their_addresses()
    {
        var (h, pages, window) = Mapped();
        using var owner = h;
        long id = h.Net.Socket(Inet, DatagramType);
        Assert.Equal(0, h.Net.Bind(id, 0, 5000));
        var peer = h.B.CreateUdpSocket();
        Assert.Equal(Errno.None, peer.Bind(6000));
        "one"u8.CopyTo(pages.Slot(0, 0, 3));
        Assert.Equal(3, h.Net.SendFromWindow(window.WindowId, id, 0, 0, 3, ServiceHarness.AddressB.Value, 6000));
        h.Advance(2);
        var got = new byte[16];
        Assert.Equal(3, peer.ReceiveFrom(got, out _, out _));
        peer.SendTo("reply"u8, ServiceHarness.AddressA, 5000);
        h.Advance(2);
        var reply = h.Net.ReceiveToWindow(window.WindowId, id, 4, 0, 64);
        Assert.Equal(5, reply.Result);
        Assert.Equal("reply"u8.ToArray(), pages.Slot(4, 0, 5).ToArray());
        Assert.Equal((ServiceHarness.AddressB.Value, 6000L), ((uint)reply.Address, reply.Port));
    }

    [Fact]
    public void Transfers_without_a_window_or_naming_another_runs_window_are_ESTALE()
    {
        var pages = new HostWindowPages();
        using var h = new ServiceHarness(windowPages: pages);
        var (_, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        Assert.Equal(-ESTALE, h.Net.SendFromWindow(1, id, 0, 0, 1));
        Assert.Equal(-ESTALE, h.Net.ReceiveToWindow(1, id, 0, 0, 1).Result);
        var old = h.Net.MapWindow(Address);
        h.Net.ResetClient();
        var (_, id2) = h.ConnectFromB(h.ListenOnA(81), 81);
        var now = h.Net.MapWindow(Address);
        Assert.Equal(-ESTALE, h.Net.SendFromWindow(old.WindowId, id2, 0, 0, 1));
        Assert.Equal(-ESTALE, h.Net.ReceiveToWindow(old.WindowId, id2, 0, 0, 1).Result);
        Assert.Equal(-ESTALE, h.Net.SendFromWindow(now.WindowId + 1, id2, 0, 0, 1));
        Assert.Equal(1, h.Net.SendFromWindow(now.WindowId, id2, 0, 0, 1));
    }

    [Fact]
    public void A_window_of_a_net_instance_is_ESTALE_to_the_next_instance()
    {
        var pagesA = new HostWindowPages();
        var pagesB = new HostWindowPages();
        using var first = new ServiceHarness(windowPages: pagesA, instance: 0x1234);
        using var second = new ServiceHarness(windowPages: pagesB, instance: 0x5678);
        var old = first.Net.MapWindow(Address);
        var (_, id) = second.ConnectFromB(second.ListenOnA(80), 80);
        second.Net.MapWindow(Address);
        Assert.Equal(-ESTALE, second.Net.SendFromWindow(old.WindowId, id, 0, 0, 1));
    }

    [Fact]
    public void A_caller_other_than_the_grantee_is_EACCES()
    {
        var (h, _, window) = Mapped();
        using var owner = h;
        var (_, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        var other = h.NewClient(badge: 77);
        Assert.Equal(-EACCES, other.SendFromWindow(window.WindowId, id, 0, 0, 1));
        Assert.Equal(-EACCES, other.ReceiveToWindow(window.WindowId, id, 0, 0, 1).Result);
        Assert.Equal(-EBUSY, other.MapWindow(Address).Result);
    }

    [Theory]
    [InlineData(-1, 0, 1)]
    [InlineData(SocketWindowLimits.Slots, 0, 1)]
    [InlineData(0, -1, 1)]
    [InlineData(0, 0, -1)]
    [InlineData(0, 0, SlotBytes + 1)]
    [InlineData(0, 1, SlotBytes)]
    [InlineData(0, SlotBytes, 1)]
    [InlineData(0, int.MaxValue, 2)]
    public void A_slot_or_range_outside_the_window_is_ERANGE_and_touches_nothing(int slot, int offset, int count)
    {
        var (h, _, window) = Mapped();
        using var owner = h;
        var (remote, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        remote.Send("data"u8);
        h.Advance(2);
        Assert.Equal(-ERANGE, h.Net.SendFromWindow(window.WindowId, id, slot, offset, count));
        Assert.Equal(-ERANGE, h.Net.ReceiveToWindow(window.WindowId, id, slot, offset, count).Result);
        Assert.Equal(4, h.Net.Receive(id, new byte[8]));   // the data is still there
    }

    [Fact]
    public void Fields_beyond_32_bits_are_ERANGE()
    {
        var (h, _, window) = Mapped();
        using var owner = h;
        var (_, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        var wide = new RequestType<long[], long>(SocketRequests.SendFromWindow.Id, "SendFromWindow", false, new LongsCodec(), Codecs.Int64);
        var reply = h.Raw.Call(wide, [(long)window.WindowId, id, 0, 1L << 33, 1, 0, 0], 10_000);
        Assert.Equal(-ERANGE, reply.Value);
    }

    [Fact]
    public void A_bad_socket_through_a_good_window_is_EBADF()
    {
        var (h, _, window) = Mapped();
        using var owner = h;
        Assert.Equal(-EBADF, h.Net.SendFromWindow(window.WindowId, 12345, 0, 0, 1));
        Assert.Equal(-EBADF, h.Net.ReceiveToWindow(window.WindowId, 12345, 0, 0, 1).Result);
    }

    [Fact]
    public void A_window_request_with_a_malformed_body_gets_a_Malformed_reply_and_the_client_sees_EIO()
    {
        var (h, _, _) = Mapped();
        using var owner = h;
        foreach (var type in new RequestTypeInfo[] { SocketRequests.SendFromWindow, SocketRequests.ReceiveToWindow, SocketRequests.MapWindow })
        {
            var wrongShape = new RequestType<long[], long>(type.Id, type.Name, false, new LongsCodec(), Codecs.Int64);
            var reply = h.Raw.Call(wrongShape, [1, 2], 10_000);
            Assert.Equal(ReplyStatus.Malformed, reply.Status);
        }
        var tooShort = new RequestType<long[], long>(SocketRequests.SendFromWindow.Id, "SendFromWindow", false, new LongsCodec(), Codecs.Int64);
        Assert.Equal(ReplyStatus.Malformed, h.Raw.Call(tooShort, [1, 2, 3, 4, 5, 6], 10_000).Status);
        Assert.True(h.Net.Socket(Inet, StreamType) > 0, "the server stopped answering");
    }

    /// <summary>An array of integers: bodies of any shape.</summary>
    private sealed class LongsCodec : IMessageCodec<long[]>
    {
        public void Write(ref MessagePack.MessagePackWriter writer, long[] value)
        {
            writer.WriteArrayHeader(value.Length);
            foreach (long v in value) writer.Write(v);
        }

        public long[] Read(ref MessagePack.MessagePackReader reader) => throw new NotSupportedException("requests only");
    }
}
