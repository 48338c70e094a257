// The network path on Biscuit (issue 6, QEMU part): the net server — the C# TCP/IP stack over the
// e1000e driver core, both in ring 3 — offers a TCP echo service on guest port 7, and the host
// reaches it through QEMU's user-network port forward with its own (Linux) TCP stack as the client.
// Manifest: tests/manifests/net.
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Biscuit.Boot.Tests;

public sealed class NetworkBoot : IDisposable
{
    public readonly QemuSession Session = new("net", 7, "nic-server", "net-server", "stats");

    public NetworkBoot() =>
        Session.WaitForLine(l => l.StartsWith("net: ", StringComparison.Ordinal) && l.Contains("TCP echo on port 7"), TimeSpan.FromMinutes(3));

    public void Dispose() => Session.Dispose();
}

public class NetworkTests : IClassFixture<NetworkBoot>
{
    private readonly NetworkBoot _boot;
    public NetworkTests(NetworkBoot boot) => _boot = boot;

    private byte[] EchoThrough(byte[] data) => _boot.Session.EchoThrough(data, TimeSpan.FromSeconds(60));

    [Fact]
    public void The_driver_reports_the_NIC_the_MAC_address_and_the_link()
    {
        Assert.Contains("nic: e1000e (82574L), MAC 52:54:00:12:34:56, link up", _boot.Session.Serial);   // the driver server
        Assert.Contains(_boot.Session.Serial.Split('\n'), l => l.StartsWith("net: NIC driver server instance ", StringComparison.Ordinal)
            && l.Contains("MAC 52:54:00:12:34:56, 10.0.2.15/24 via 10.0.2.2", StringComparison.Ordinal));   // net, attached to it
    }

    [Fact]
    public void The_net_server_answers_Stats_with_its_own_GC_figures()
    {
        _boot.Session.WaitForLine(l => l == "stats: end", TimeSpan.FromMinutes(2));
        Assert.Contains("net", _boot.Session.Serial.Split('\n').SkipWhile(l => l != "stats: begin").Skip(1).First());
    }

    [Fact]
    public void A_short_message_from_the_host_comes_back_unchanged()
    {
        byte[] hello = "hello from the host's Linux TCP stack"u8.ToArray();
        Assert.Equal(hello, EchoThrough(hello));
    }

    [Fact]
    public void A_256_KiB_transfer_comes_back_byte_for_byte()
    {
        var data = RandomNumberGenerator.GetBytes(256 * 1024);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(EchoThrough(data)));
    }

    [Fact]
    public void Ten_concurrent_connections_are_each_echoed_correctly()
    {
        var tasks = Enumerable.Range(0, 10).Select(i => Task.Run(() =>
        {
            var data = new byte[8192 + i * 100];
            new Random(i).NextBytes(data);
            return EchoThrough(data).AsSpan().SequenceEqual(data);
        })).ToArray();
        Assert.True(Task.WaitAll(tasks, TimeSpan.FromMinutes(3)), "connections did not finish; serial:\n" + _boot.Session.Serial);
        Assert.All(tasks, t => Assert.True(t.Result));
    }
}
