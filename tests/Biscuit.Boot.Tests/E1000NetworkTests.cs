// The network path over the e1000 (82540EM) instead of the e1000e (issue 6: the driver serves "the
// e1000e (82574L) and e1000 that QEMU 7.2 emulates"): the same boot as NetworkTests (manifest
// tests/manifests/net: nic, net with its TCP echo on guest port 7, stats) with `-device e1000`; the
// driver must find the 82540EM, bring it up with the shared register map and legacy descriptors, and
// the host's Linux TCP stack must get its bytes echoed through QEMU's port forward.
using System.Security.Cryptography;

namespace Biscuit.Boot.Tests;

public sealed class E1000NetworkBoot : IDisposable
{
    public readonly QemuSession Session = new("net", 7, ["nic-server", "net-server", "stats"], "512M", "", nic: "e1000");

    public E1000NetworkBoot() =>
        Session.WaitForLine(l => l.StartsWith("net: ", StringComparison.Ordinal) && l.Contains("TCP echo on port 7"), TimeSpan.FromMinutes(3));

    public void Dispose() => Session.Dispose();
}

public class E1000NetworkTests(E1000NetworkBoot boot) : IClassFixture<E1000NetworkBoot>
{
    [Fact]
    public void The_driver_finds_the_82540EM_reads_its_MAC_and_sees_the_link_up()
    {
        Assert.Contains("nic: e1000 (82540EM), MAC 52:54:00:12:34:56, link up", boot.Session.Serial);
        Assert.DoesNotContain("e1000e", boot.Session.Serial.Split('\n').Where(l => l.StartsWith("nic: ", StringComparison.Ordinal)));
        Assert.Contains(boot.Session.Serial.Split('\n'), l => l.StartsWith("net: NIC driver server instance ", StringComparison.Ordinal)
            && l.Contains("MAC 52:54:00:12:34:56, 10.0.2.15/24 via 10.0.2.2", StringComparison.Ordinal));
    }

    [Fact]
    public void A_short_message_from_the_host_comes_back_unchanged()
    {
        byte[] hello = "hello over the e1000"u8.ToArray();
        Assert.Equal(hello, boot.Session.EchoThrough(hello, TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public void A_256_KiB_transfer_comes_back_byte_for_byte()
    {
        var data = RandomNumberGenerator.GetBytes(256 * 1024);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(boot.Session.EchoThrough(data, TimeSpan.FromSeconds(60))));
    }

    [Fact]
    public void Ten_concurrent_connections_are_each_echoed_correctly()
    {
        var tasks = Enumerable.Range(0, 10).Select(i => Task.Run(() =>
        {
            var data = new byte[8192 + i * 100];
            new Random(i).NextBytes(data);
            return boot.Session.EchoThrough(data, TimeSpan.FromSeconds(60)).AsSpan().SequenceEqual(data);
        })).ToArray();
        Assert.True(Task.WaitAll(tasks, TimeSpan.FromMinutes(3)), "connections did not finish; serial:\n" + boot.Session.Serial);
        Assert.All(tasks, t => Assert.True(t.Result));
    }
}
