// Transfers over a bad link: 5% loss, reordering, duplication and delay. Linux's side gets
// `tc netem` when the kernel has it; our side of the wire is always impaired in the pump (and Linux's
// side too when netem is missing), so both directions see loss. Every byte must arrive intact.
using System.Diagnostics;
using Biscuit.Net.Tests.Harness;
using Xunit.Abstractions;

namespace Biscuit.Net.Tests.Linux;

[Collection("linux")]
public sealed class LossyLinkTests(ITestOutputHelper output)
{
    const long Size = 4_000_000;

    LinuxPeer MakeLossyPeer(int seed)
    {
        var peer = new LinuxPeer();
        bool netem = peer.TryNetem("delay 2ms 1ms loss 5% duplicate 1% reorder 10% 50%");
        output.WriteLine(netem ? "netem applied on Linux's side" : "netem unavailable: impairing both directions in the pump");
        peer.Pump.Invoke(_ =>
        {
            peer.Pump.Outbound = new Impairment(seed);
            if (!netem) peer.Pump.Inbound = new Impairment(seed + 1);
            return 0;
        });
        return peer;
    }

    void Report(LinuxPeer peer, Stopwatch watch)
    {
        var (retx, fast, timeouts, dropped) = peer.Pump.Invoke(s =>
            (s.Stats.TcpRetransmissions, s.Stats.TcpFastRetransmits, s.Stats.TcpTimeouts, s.Stats.TotalDropped));
        output.WriteLine("drops by reason: " + peer.Pump.Invoke(s => string.Join(", ", s.Stats.DropCounts().Select(d => $"{d.Reason}={d.Count}"))));
        var (outDropped, inDropped) = peer.Pump.Invoke(_ => (peer.Pump.Outbound?.Dropped ?? 0, peer.Pump.Inbound?.Dropped ?? 0));
        output.WriteLine($"{watch.ElapsedMilliseconds} ms; retransmissions {retx} (fast {fast}, timeouts {timeouts}); " +
            $"frames lost by the pump: out {outDropped}, in {inDropped}; dropped by the stack {dropped}");
    }

    [Fact]
    public void Curl_download_over_a_lossy_reordering_link_arrives_intact()
    {
        using var peer = MakeLossyPeer(1);
        peer.Pump.AddApp(peer.Pump.Invoke(s => new HttpPatternServer(s, 80, Size)));
        var watch = Stopwatch.StartNew();
        var r = peer.Run(120_000, "sh", "-c", $"curl -sS --max-time 110 http://{LinuxPeer.StackAddress}/big | sha256sum");
        Report(peer, watch);
        output.WriteLine(r.ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith(Pattern.Sha256Hex(Size), r.Stdout);
        peer.Pump.ThrowIfFailed();
    }

    [Fact]
    public void Linux_upload_over_a_lossy_reordering_link_arrives_intact()
    {
        using var peer = MakeLossyPeer(2);
        peer.Pump.AddApp(peer.Pump.Invoke(s => new TcpSinkServer(s, 5001)));
        var watch = Stopwatch.StartNew();
        var r = peer.Python(PythonScripts.Upload, 120_000, Pattern.WriteBlockFile(), LinuxPeer.StackAddress, "5001", Size.ToString());
        Report(peer, watch);
        output.WriteLine(r.ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal($"{Pattern.Sha256Hex(Size)} {Size}", r.Stdout.Trim());
        peer.Pump.ThrowIfFailed();
    }

    [Fact]
    public void Our_client_transfers_both_ways_over_a_lossy_reordering_link_intact()
    {
        using var peer = MakeLossyPeer(3);
        peer.StartPython(PythonScripts.PatternServer, Pattern.WriteBlockFile(), "9000");
        var linux = Ipv4Address.Parse(LinuxPeer.LinuxAddress);
        var watch = Stopwatch.StartNew();
        var up = peer.Pump.Invoke(s => new PatternClient(s, linux, 9000, upload: true, Size));
        var down = peer.Pump.Invoke(s => new PatternClient(s, linux, 9000, upload: false, Size));
        peer.Pump.AddApp(up);
        peer.Pump.AddApp(down);
        bool finished = Task.WaitAll([up.Result.Task, down.Result.Task], 120_000);
        Report(peer, watch);
        if (!finished) output.WriteLine(peer.Pump.Invoke(s => up.Describe() + "\n" + down.Describe() + "\n" + string.Join("\n", s.Tcp.Connections.Select(c => c.Describe()))));
        Assert.True(finished, "transfers did not finish");
        string expected = $"{Pattern.Sha256Hex(Size)} {Size}";
        Assert.Equal(expected, up.Result.Task.Result);
        Assert.Equal(expected, down.Result.Task.Result);
        peer.Pump.ThrowIfFailed();
    }

    [Fact]
    public void Fifty_concurrent_echo_connections_over_a_lossy_link_all_match()
    {
        using var peer = MakeLossyPeer(4);
        peer.Pump.AddApp(peer.Pump.Invoke(s => new TcpEchoServer(s, 7)));
        var watch = Stopwatch.StartNew();
        var r = peer.Python(PythonScripts.ConcurrentEcho, 120_000, LinuxPeer.StackAddress, "7", "50", "65536");
        Report(peer, watch);
        output.WriteLine(r.ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("ok 50 bad []", r.Stdout);
        peer.Pump.ThrowIfFailed();
    }
}
