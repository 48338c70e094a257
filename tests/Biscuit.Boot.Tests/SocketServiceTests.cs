// The net server's socket service on Biscuit (issue 6 item 3, QEMU part): the net server runs in
// `serve` mode (no built-in echo), and a second process — `net-server socket-echo 7`, started by the
// manifest with the net endpoint in its USES — listens on guest port 7 through the socket protocol
// (Subscribe, Socket, Bind, Listen, PollEvents, Accept, Receive, Send, Close over kernel IPC) and
// echoes. The host's Linux TCP stack connects through QEMU's port forward and checks every byte.
// Manifest: tests/manifests/net-sockets.
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Biscuit.Boot.Tests;

public sealed class SocketServiceBoot : IDisposable
{
    public readonly QemuSession Session = new("net-sockets", 7, "nic-server", "net-server");

    public SocketServiceBoot() =>
        Session.WaitForLine(l => l.StartsWith("socket-echo: listening on port 7", StringComparison.Ordinal), TimeSpan.FromMinutes(3));

    public void Dispose() => Session.Dispose();
}

public class SocketServiceTests : IClassFixture<SocketServiceBoot>
{
    private readonly SocketServiceBoot _boot;
    public SocketServiceTests(SocketServiceBoot boot) => _boot = boot;

    private byte[] EchoThrough(byte[] data, bool halfClose = false) => _boot.Session.EchoThrough(data, TimeSpan.FromSeconds(120), halfClose);

    [Fact]
    public void The_client_process_listens_through_the_socket_service_of_a_net_server_without_built_in_echo()
    {
        Assert.Contains("socket service on the endpoint", _boot.Session.Serial);
        Assert.DoesNotContain("TCP echo on port", _boot.Session.Serial);
    }

    [Fact]
    public void The_client_is_woken_by_the_net_servers_readiness_signal()
    {
        EchoThrough("wake me"u8.ToArray(), halfClose: true);
        _boot.Session.WaitForLine(l => l.StartsWith("socket-echo: connection", StringComparison.Ordinal), TimeSpan.FromMinutes(1));
        var line = _boot.Session.Serial.Split('\n').Last(l => l.StartsWith("socket-echo: connection", StringComparison.Ordinal));
        var match = System.Text.RegularExpressions.Regex.Match(line, @"(\d+) wake-ups by the net server");
        Assert.True(match.Success, line);
        Assert.True(long.Parse(match.Groups[1].Value) > 0, line);
        Assert.Contains("readiness_signals_failed 0", line);                 // the server's own count, from NetCounters
    }

    [Fact]
    public void A_short_message_from_the_host_comes_back_unchanged()
    {
        byte[] hello = "hello through the socket protocol"u8.ToArray();
        Assert.Equal(hello, EchoThrough(hello));
    }

    [Fact]
    public void A_2_MiB_transfer_comes_back_byte_for_byte()
    {
        var data = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(EchoThrough(data)));
    }

    [Fact]
    public void After_the_host_shuts_down_its_side_everything_comes_back_then_end_of_file()
    {
        var data = RandomNumberGenerator.GetBytes(300 * 1024);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(EchoThrough(data, halfClose: true)));
    }

    [Fact]
    public void Eight_concurrent_256_KiB_connections_are_each_echoed_correctly()
    {
        var tasks = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
        {
            var data = new byte[256 * 1024 + i * 1000];
            new Random(i).NextBytes(data);
            return EchoThrough(data).AsSpan().SequenceEqual(data);
        })).ToArray();
        Assert.True(Task.WaitAll(tasks, TimeSpan.FromMinutes(4)), "connections did not finish; serial:\n" + _boot.Session.Serial);
        Assert.All(tasks, t => Assert.True(t.Result));
    }
}
