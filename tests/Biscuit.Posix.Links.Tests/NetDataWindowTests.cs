// posix's side of net's socket data window (NetDataWindow, NetLink): sends and receives larger than a
// message move through the window's slots, byte for byte; small ones stay in messages; sendfile's
// SendFilled writes straight into a slot; a net without a window, or a full window, falls back to
// messages; a window that vanished (net's pages revoked) or that net calls stale is mapped again and
// the piece moved again.
using System.Security.Cryptography;
using Biscuit.Net.Client.Tests.Harness;
using Biscuit.Net.Protocol;
using Biscuit.Posix;
using Biscuit.Posix.Links;

namespace Biscuit.Posix.Links.Tests;

/// <summary>What posix sees at net's window address: the test net's pages while granted (or always,
/// for a view that never notices a revocation, so that net itself must refuse the stale window).</summary>
internal sealed class NetWindowView(HostWindowPages pages, bool alwaysMapped = false) : IDataWindowView
{
    public long Address => 0x7400_0000;
    public bool IsMapped() => alwaysMapped || pages.Granted;
    public Span<byte> Bytes(int offset, int length) => pages.Memory.AsSpan(offset, length);
}

public class NetDataWindowTests
{
    private const int SOCK_STREAM = 1, Slot = SocketWindowLimits.SlotBytes;

    private static (ServiceHarness H, NetLink Net, HostWindowPages Pages) Start(bool withPages = true, bool alwaysMapped = false)
    {
        var pages = new HostWindowPages();
        var h = new ServiceHarness(windowPages: withPages ? pages : null);
        return (h, new NetLink(() => h.Net, new NetWindowView(pages, alwaysMapped)), pages);
    }

    private static (long Id, Biscuit.Net.TcpSocket Remote) Connection(ServiceHarness h, NetLink net, ushort port)
    {
        long listener = net.Create(SOCK_STREAM, 0);
        Assert.Equal(0, net.Bind(listener, new Ipv4Endpoint(0, port)));
        Assert.Equal(0, net.Listen(listener, 4));
        var remote = h.B.CreateTcpSocket();
        remote.Connect(ServiceHarness.AddressA, port);
        long id = -Errno.EAGAIN;
        Assert.True(h.AdvanceUntil(() => (id = net.Accept(listener, out _)) != -Errno.EAGAIN));
        Assert.True(id > 0, $"accept: {id}");
        return (id, remote);
    }

    // Sends `data` with `send` (a count or -EAGAIN each call) while the peer drains; what the peer got.
    private static byte[] Deliver(ServiceHarness h, Biscuit.Net.TcpSocket remote, int length, Func<int, long> send)
    {
        var got = new MemoryStream();
        var sink = new byte[65536];
        int sent = 0;
        Assert.True(h.AdvanceUntil(() =>
        {
            long n;
            while (sent < length && (n = send(sent)) > 0) sent += (int)n;
            int m;
            while ((m = remote.Receive(sink)) > 0) got.Write(sink, 0, m);
            return got.Length == length;
        }, maxMs: 60_000), $"the peer got {got.Length} of {length}");
        return got.ToArray();
    }

    private static long Counter(ServiceHarness h, string name) =>
        long.Parse(h.Net.Counters()!.Split('\n').Single(l => l.StartsWith(name + " "))[(name.Length + 1)..]);

    [Fact]
    public void A_large_send_moves_through_the_window_and_arrives_byte_for_byte()
    {
        var (h, net, _) = Start();
        using var harness = h;
        var (id, remote) = Connection(h, net, 80);
        var data = RandomNumberGenerator.GetBytes(300_000);
        var got = Deliver(h, remote, data.Length, at => net.Send(id, data.AsSpan(at), null));
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(got));
        Assert.Equal(data.Length, Counter(h, "window.bytes_sent"));
        Assert.Equal(1, net.Window!.Mappings);
    }

    [Fact]
    public void A_large_receive_moves_through_the_window_and_is_byte_exact()
    {
        var (h, net, _) = Start();
        using var harness = h;
        var (id, remote) = Connection(h, net, 80);
        var data = RandomNumberGenerator.GetBytes(200_000);
        var got = new MemoryStream();
        var into = new byte[150_000];
        int sent = 0;
        Assert.True(h.AdvanceUntil(() =>
        {
            if (sent < data.Length) { int n = remote.Send(data.AsSpan(sent)); if (n > 0) sent += n; }
            long r;
            while ((r = net.Receive(id, into, peek: false, out _)) > 0) got.Write(into, 0, (int)r);
            return got.Length == data.Length;
        }, maxMs: 60_000));
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(got.ToArray()));
        Assert.Equal(data.Length, Counter(h, "window.bytes_received"));
    }

    [Fact]
    public void Sends_and_receives_of_one_message_or_less_stay_in_messages()
    {
        var (h, net, _) = Start();
        using var harness = h;
        var (id, remote) = Connection(h, net, 80);
        Assert.Equal(SocketLimits.MaxTransferBytes, net.Send(id, new byte[SocketLimits.MaxTransferBytes], null));
        h.Advance(50);
        remote.Send("hi"u8);
        h.Advance(50);
        Assert.Equal(2, net.Receive(id, new byte[SocketLimits.MaxTransferBytes], peek: false, out _));
        Assert.Equal(0, net.Window!.Mappings);
        Assert.Equal(0, Counter(h, "window.bytes_sent"));
    }

    [Fact]
    public void SendFilled_sends_what_the_filler_wrote_into_the_slot()
    {
        var (h, net, pages) = Start();
        using var harness = h;
        var (id, remote) = Connection(h, net, 80);
        var data = RandomNumberGenerator.GetBytes(3 * Slot + 5);
        var got = Deliver(h, remote, data.Length, at => net.SendFilled(id, data.Length - at, into =>
        {
            int n = Math.Min(into.Length, data.Length - at);
            data.AsSpan(at, n).CopyTo(into);
            return n;
        }));
        Assert.Equal(data, got);
        Assert.Equal(data.Length, Counter(h, "window.bytes_sent"));
    }

    [Fact]
    public void SendFilled_answers_the_fillers_error_or_zero_and_sends_nothing()
    {
        var (h, net, _) = Start();
        using var harness = h;
        var (id, _) = Connection(h, net, 80);
        Assert.Equal(-Errno.EIO, net.SendFilled(id, 1000, _ => -Errno.EIO));
        Assert.Equal(0, net.SendFilled(id, 1000, _ => 0));
        Assert.Equal(0, Counter(h, "window.bytes_sent"));
    }

    [Fact]
    public void Without_a_window_from_net_data_goes_through_messages_and_posix_stops_asking()
    {
        var (h, net, _) = Start(withPages: false);
        using var harness = h;
        var (id, remote) = Connection(h, net, 80);
        var data = RandomNumberGenerator.GetBytes(100_000);
        var got = Deliver(h, remote, data.Length, at => net.Send(id, data.AsSpan(at), null));
        Assert.Equal(data, got);
        Assert.True(net.Window!.Unavailable);
        var filled = Deliver(h, remote, 10, _ => net.SendFilled(id, 10, into => { "0123456789"u8.CopyTo(into); return 10; }));
        Assert.Equal("0123456789"u8.ToArray(), filled);
    }

    [Fact]
    public void With_every_slot_taken_a_large_send_goes_through_messages()
    {
        var (h, net, _) = Start();
        using var harness = h;
        var (id, remote) = Connection(h, net, 80);
        for (int i = 0; i < SocketWindowLimits.Slots; i++) Assert.True(net.Window!.TryTakeSlot(out _));
        var data = RandomNumberGenerator.GetBytes(50_000);
        var got = Deliver(h, remote, data.Length, at => net.Send(id, data.AsSpan(at), null));
        Assert.Equal(data, got);
        Assert.True(net.Window!.SlotsRefused > 0);
        Assert.Equal(0, Counter(h, "window.bytes_sent"));
    }

    [Fact]
    public void A_window_whose_pages_vanished_is_mapped_again_and_the_send_made_on_the_new_one()
    {
        var (h, net, pages) = Start();
        using var harness = h;
        var (first, firstRemote) = Connection(h, net, 80);
        var data = RandomNumberGenerator.GetBytes(100_000);
        Assert.Equal(data, Deliver(h, firstRemote, data.Length, at => net.Send(first, data.AsSpan(at), null)));
        h.Net.ResetClient();                          // net takes its window back (as its death would)
        Assert.False(pages.Granted);
        var (second, secondRemote) = Connection(h, net, 81);
        Assert.Equal(data, Deliver(h, secondRemote, data.Length, at => net.Send(second, data.AsSpan(at), null)));
        Assert.Equal(2, net.Window!.Mappings);
    }

    [Fact]
    public void A_window_net_calls_stale_is_mapped_again_and_the_receive_made_on_the_new_one()
    {
        var (h, net, _) = Start(alwaysMapped: true);  // posix does not notice: net's ESTALE must tell it
        using var harness = h;
        var (first, _) = Connection(h, net, 80);
        Assert.Equal(-Errno.EAGAIN, net.Receive(first, new byte[100_000], peek: false, out _));
        h.Net.ResetClient();
        var (second, remote) = Connection(h, net, 81);
        remote.Send("after the reset"u8);
        h.Advance(50);
        var into = new byte[100_000];
        Assert.Equal(15, net.Receive(second, into, peek: false, out _));
        Assert.Equal("after the reset"u8.ToArray(), into[..15]);
        Assert.Equal(2, net.Window!.Mappings);
    }
}
