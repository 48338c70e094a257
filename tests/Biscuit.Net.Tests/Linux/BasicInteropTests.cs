// Our stack against Linux's, through a TAP device in a namespace of the test's own: ping, UDP,
// and small TCP exchanges in both directions.
using Biscuit.Net.Tests.Harness;
using Xunit.Abstractions;

namespace Biscuit.Net.Tests.Linux;

[Collection("linux")]
public sealed class BasicInteropTests(ITestOutputHelper output)
{
    [Fact]
    public void Linux_ping_gets_echo_replies_from_our_stack()
    {
        using var peer = new LinuxPeer();
        var r = peer.Run(30_000, "ping", "-c", "3", "-i", "0.2", "-W", "2", LinuxPeer.StackAddress);
        output.WriteLine(r.ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("3 received", r.Stdout);
        Assert.True(peer.Pump.Invoke(s => s.Stats.IcmpEchoReplies) >= 3);
        peer.Pump.ThrowIfFailed();
    }

    [Fact]
    public void Linux_udp_echo_works_and_a_closed_udp_port_is_refused_with_icmp()
    {
        using var peer = new LinuxPeer();
        peer.Pump.AddApp(peer.Pump.Invoke(s => new UdpEchoServer(s, 7000)));
        var r = peer.Python(PythonScripts.UdpProbe, 30_000, LinuxPeer.StackAddress, "7000");
        output.WriteLine(r.ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("echo hello biscuit 7000", r.Stdout);
        Assert.Contains("refused", r.Stdout);
        Assert.True(peer.Pump.Invoke(s => s.Stats.IcmpErrorsSent) >= 1);
    }

    [Fact]
    public void Curl_downloads_from_our_http_server_with_the_right_bytes()
    {
        using var peer = new LinuxPeer();
        const long size = 3_000_000;
        peer.Pump.AddApp(peer.Pump.Invoke(s => new HttpPatternServer(s, 80, size)));
        var r = peer.Run(60_000, "sh", "-c", $"curl -sS --max-time 50 http://{LinuxPeer.StackAddress}/file | sha256sum");
        output.WriteLine(r.ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith(Pattern.Sha256Hex(size), r.Stdout);
        peer.Pump.ThrowIfFailed();
    }

    [Fact]
    public void Our_client_uploads_to_and_downloads_from_a_linux_server()
    {
        using var peer = new LinuxPeer();
        peer.StartPython(PythonScripts.PatternServer, Pattern.WriteBlockFile(), "9000");
        const long size = 2_000_000;
        var linux = Ipv4Address.Parse(LinuxPeer.LinuxAddress);
        var up = peer.Pump.Invoke(s => new PatternClient(s, linux, 9000, upload: true, size));
        var down = peer.Pump.Invoke(s => new PatternClient(s, linux, 9000, upload: false, size));
        peer.Pump.AddApp(up);
        peer.Pump.AddApp(down);
        Assert.True(Task.WaitAll([up.Result.Task, down.Result.Task], 60_000), "transfers did not finish");
        string expected = $"{Pattern.Sha256Hex(size)} {size}";
        Assert.Equal(expected, up.Result.Task.Result);
        Assert.Equal(expected, down.Result.Task.Result);
        peer.Pump.ThrowIfFailed();
    }
}
