// ResetClient and Instance (issue 9 item 3): what a restarted posix relies on. ResetClient drops
// every socket the dead posix left — connections reset (the peer sees an RST), listeners closed so
// that the new nginx can bind its port again — and forgets the dead subscriber; sending it twice
// changes nothing more. Instance names the server instance, so posix can tell a restarted net from
// a live one, and a dead instance's socket ids are unknown (EBADF) to the next instance.
using Biscuit.Net.Client.Tests.Harness;
using Biscuit.Net.Protocol;
using static Biscuit.Net.Client.Tests.Harness.RemoteHost;
using static Biscuit.Net.Protocol.LinuxErrno;

namespace Biscuit.Net.Client.Tests;

public class ResetClientTests
{
    [Fact]
    public void ResetClient_drops_every_socket_resets_connections_and_frees_the_listening_port()
    {
        using var h = new ServiceHarness();
        long listener = h.ListenOnA(80);
        var (remote, accepted) = h.ConnectFromB(listener, 80);
        long udp = h.Net.Socket(Inet, DatagramType);
        Assert.Equal(0, h.Net.Bind(udp, 0, 5353));

        Assert.Equal(3, h.Net.ResetClient());
        h.Advance(5);

        Assert.Equal((int)Biscuit.Net.Errno.ECONNRESET, -remote.Receive(new byte[8]));   // the RST reached the peer
        foreach (long id in new[] { listener, accepted, udp })
        {
            Assert.Equal(-EBADF, h.Net.Readiness(id));
            Assert.Equal(-EBADF, h.Net.Close(id));
        }
        long again = h.ListenOnA(80);                          // the port is free: a new nginx can listen
        Assert.True(again > 0);
        long udpAgain = h.Net.Socket(Inet, DatagramType);
        Assert.Equal(0, h.Net.Bind(udpAgain, 0, 5353));
    }

    [Fact]
    public void A_second_ResetClient_finds_nothing_to_drop()
    {
        using var h = new ServiceHarness();
        h.ListenOnA(81);
        Assert.Equal(1, h.Net.ResetClient());
        Assert.Equal(0, h.Net.ResetClient());
        Assert.Equal(0, h.Net.ResetClient());
    }

    [Fact]
    public void ResetClient_forgets_the_subscriber_and_releases_its_notification()
    {
        using var h = new ServiceHarness();
        Assert.Equal(0, h.Net.Subscribe(new Biscuit.Lib.Kernel.Handle(7)));
        long listener = h.ListenOnA(82);
        var old = h.Signal(7);
        Assert.Equal(1, h.Net.ResetClient());
        Assert.Equal(1, old.Releases);
        int signalsBefore = old.Signals;

        long fresh = h.ListenOnA(82);                          // the new client's listener: nobody subscribed
        h.ConnectFromB(fresh, 82);
        h.Advance(5);
        Assert.Equal(signalsBefore, old.Signals);              // the dead client's notification is never signalled again

        Assert.Equal(0, h.Net.Subscribe(new Biscuit.Lib.Kernel.Handle(8)));   // a new subscriber works as before
        var remote = h.B.CreateTcpSocket();
        remote.Connect(ServiceHarness.AddressA, 82);
        h.Advance(5);
        Assert.True(h.Signal(8).Signals >= 1);
        Assert.Contains(h.PollAll(), e => e.Id == fresh);
    }

    [Fact]
    public void Instance_answers_the_number_the_server_was_started_with_every_time()
    {
        using var h = new ServiceHarness(instance: 0x1234_5678_9ABC);
        Assert.Equal(0x1234_5678_9ABC, h.Net.Instance());
        h.ListenOnA(83);
        h.Net.ResetClient();
        Assert.Equal(0x1234_5678_9ABC, h.Net.Instance());      // a reset is not a restart
    }

    [Fact]
    public void The_ids_one_instance_handed_out_are_unknown_to_the_next_instance()
    {
        long[] oldIds;
        using (var before = new ServiceHarness(instance: 0x5EED_0001))
            oldIds = Enumerable.Range(0, 8).Select(_ => before.Net.Socket(Inet, StreamType)).ToArray();
        using var after = new ServiceHarness(instance: 0x5EED_0002);
        long[] newIds = Enumerable.Range(0, 8).Select(_ => after.Net.Socket(Inet, StreamType)).ToArray();
        Assert.Empty(oldIds.Intersect(newIds));
        foreach (long id in oldIds) Assert.Equal(-EBADF, after.Net.Readiness(id));
    }

    [Fact]
    public void A_server_refuses_an_instance_number_that_is_not_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServiceHarness(instance: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServiceHarness(instance: -5));
    }
}
