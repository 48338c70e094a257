// Flow control against Linux: slow readers with small buffers on either side, so that windows close
// to zero and reopen many times, and zero-window probing runs in both directions.
using Biscuit.Net.Tests.Harness;
using Xunit.Abstractions;

namespace Biscuit.Net.Tests.Linux;

[Collection("linux")]
public sealed class FlowControlTests(ITestOutputHelper output)
{
    [Fact]
    public void Linux_uploading_to_a_slow_reader_with_a_small_window_completes_intact()
    {
        using var peer = new LinuxPeer();
        const long size = 1_000_000;
        var sink = peer.Pump.Invoke(s => new TcpSinkServer(s, 5001, receiveBuffer: 8192) { ReadBudget = 4096, ReadIntervalMs = 5 });
        peer.Pump.AddApp(sink);
        var r = peer.Python(PythonScripts.Upload, 120_000, Pattern.WriteBlockFile(), LinuxPeer.StackAddress, "5001", size.ToString());
        var zeroWindows = peer.Pump.Invoke(s => s.Stats.TcpZeroWindowsAdvertised);
        output.WriteLine($"{r}\nzero windows we advertised: {zeroWindows}");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal($"{Pattern.Sha256Hex(size)} {size}", r.Stdout.Trim());
        Assert.True(zeroWindows > 0, "the slow reader never closed the window: the test did not test flow control");
        peer.Pump.ThrowIfFailed();
    }

    [Fact]
    public void Our_sender_facing_a_slow_linux_reader_with_a_tiny_buffer_completes_intact()
    {
        using var peer = new LinuxPeer();
        const long size = 400_000;
        peer.Pump.AddApp(peer.Pump.Invoke(s => new HttpPatternServer(s, 80, size)));
        var r = peer.Python(PythonScripts.SlowHttpReader, 120_000, LinuxPeer.StackAddress, "80");
        var (probes, closed) = peer.Pump.Invoke(s => (s.Stats.TcpZeroWindowProbes, s.Stats.TcpZeroWindowsReceived));
        output.WriteLine($"{r}\nLinux closed its window {closed} times; zero-window probes sent: {probes}");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal($"{Pattern.Sha256Hex(size)} {size}", r.Stdout.Trim());
        Assert.True(closed > 0, "Linux never closed its window: the test did not test flow control");
        peer.Pump.ThrowIfFailed();
    }
}
