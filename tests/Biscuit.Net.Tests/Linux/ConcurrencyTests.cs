// Many connections at once against Linux: 200+ concurrent echo connections from Linux to our
// stack, and 200 concurrent downloads by our client from a Linux server.
using Biscuit.Net.Tests.Harness;
using Xunit.Abstractions;

namespace Biscuit.Net.Tests.Linux;

[Collection("linux")]
public sealed class ConcurrencyTests(ITestOutputHelper output)
{
    [Fact]
    public void Linux_opens_250_concurrent_connections_to_our_echo_server_and_every_echo_matches()
    {
        using var peer = new LinuxPeer();
        var echo = peer.Pump.Invoke(s => new TcpEchoServer(s, 7, backlog: 512));
        peer.Pump.AddApp(echo);
        var r = peer.Python(PythonScripts.ConcurrentEcho, 120_000, LinuxPeer.StackAddress, "7", "250", "65536");
        output.WriteLine(r.ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("ok 250 bad []", r.Stdout);
        Assert.Equal(250, peer.Pump.Invoke(_ => echo.Accepted));
        peer.Pump.ThrowIfFailed();
    }

    [Fact]
    public void Our_stack_runs_200_concurrent_downloads_from_linux()
    {
        using var peer = new LinuxPeer();
        peer.StartPython(PythonScripts.PatternServer, Pattern.WriteBlockFile(), "9000");
        var linux = Ipv4Address.Parse(LinuxPeer.LinuxAddress);
        const long size = 200_000;
        var clients = peer.Pump.Invoke(s => Enumerable.Range(0, 200).Select(_ => new PatternClient(s, linux, 9000, upload: false, size)).ToList());
        foreach (var c in clients) peer.Pump.AddApp(c);
        Assert.True(Task.WaitAll(clients.Select(c => (Task)c.Result.Task).ToArray(), 120_000), "downloads did not finish");
        string expected = $"{Pattern.Sha256Hex(size)} {size}";
        Assert.All(clients, c => Assert.Equal(expected, c.Result.Task.Result));
        var states = peer.Pump.Invoke(s => s.ConnectionsByState().ToDictionary(kv => kv.Key, kv => kv.Value));
        output.WriteLine(string.Join(", ", states.Select(kv => $"{kv.Key}={kv.Value}")));
        peer.Pump.ThrowIfFailed();
    }
}
