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
        // Every connection was closed by Linux first: ours end in LAST-ACK -> CLOSED, none may linger.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (peer.Pump.Invoke(s => s.Tcp.ConnectionCount) > 0 && watch.ElapsedMilliseconds < 10_000) Thread.Sleep(50);
        Assert.Equal(0, peer.Pump.Invoke(s => s.Tcp.ConnectionCount));
        peer.Pump.ThrowIfFailed();
    }

    [Fact]
    public void Linux_makes_500_short_http_connections_one_after_another()
    {
        using var peer = new LinuxPeer();
        var http = peer.Pump.Invoke(s => new HttpPatternServer(s, 80, 1000));
        peer.Pump.AddApp(http);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var r = peer.Python(PythonScripts.SequentialRequests, 120_000, LinuxPeer.StackAddress, "80", "500");
        output.WriteLine($"{r}\n500 connections in {watch.ElapsedMilliseconds} ms");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("ok 500 bytes 500000", r.Stdout);
        // We closed first each time: TIME-WAIT entries remain on our side, and nothing else.
        var states = peer.Pump.Invoke(s => s.ConnectionsByState().ToDictionary(kv => kv.Key, kv => kv.Value));
        output.WriteLine(string.Join(", ", states.Select(kv => $"{kv.Key}={kv.Value}")));
        Assert.All(states, kv => Assert.True(kv.Key is TcpState.TimeWait or TcpState.Listen or TcpState.FinWait2 or TcpState.FinWait1, kv.Key.ToString()));
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
