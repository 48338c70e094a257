// A running guest the test talks to while it runs (QemuRun waits for the end instead): the whole
// system booted with an e1000e NIC (or the model the caller names) on QEMU user networking, one guest TCP port forwarded to a free
// port on 127.0.0.1. Serial lines are collected as they come; Dispose stops QEMU.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Biscuit.Boot.Tests;

public sealed class QemuSession : IDisposable
{
    private readonly Process _qemu;
    private readonly List<string> _lines = new();
    public int HostPort { get; }

    public QemuSession(string manifest, int guestPort, params string[] servers) : this(manifest, guestPort, servers, "512M", "") { }

    /// <param name="extraArgs">more QEMU arguments (e.g. the root disk's -drive and -device)</param>
    /// <param name="nic">QEMU's NIC model (-device NIC): e1000e as `./biscuit run` uses, or e1000</param>
    public QemuSession(string manifest, int guestPort, string[] servers, string memory, string extraArgs, string nic = "e1000e")
    {
        _ = Repository.KernelImage;
        HostPort = FreePort();
        string modules = Path.Combine(Repository.Build, "modules");
        string initrd = string.Join(",", new[] { Path.Combine(Repository.Build, "kernel.syms"), Path.Combine(modules, "init"),
                Path.Combine(Repository.Root, "tests", "manifests", manifest, "manifest") }
            .Concat(servers.Select(s => Path.Combine(modules, s))));
        var psi = new ProcessStartInfo("qemu-system-x86_64",
            $"-m {memory} -smp 1 -display none -monitor none -serial stdio -no-reboot " +
            "-device isa-debug-exit,iobase=0xf4,iosize=0x04 " +
            $"-netdev user,id=n0,hostfwd=tcp:127.0.0.1:{HostPort}-:{guestPort} -device {nic},netdev=n0,romfile= " +
            $"{extraArgs} -kernel \"{Repository.KernelImage}\" -initrd \"{initrd}\" -append \"init=init\"")
        { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        _qemu = Process.Start(psi)!;
        _qemu.StandardInput.Close();
        _qemu.OutputDataReceived += (_, e) => { if (e.Data != null) lock (_lines) _lines.Add(e.Data.TrimEnd('\r')); };
        _qemu.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_lines) _lines.Add("stderr: " + e.Data); };
        _qemu.BeginOutputReadLine();
        _qemu.BeginErrorReadLine();
    }

    public string Serial { get { lock (_lines) return string.Join("\n", _lines); } }

    public void WaitForLine(Func<string, bool> match, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            lock (_lines) if (_lines.Any(match)) return;
            if (_qemu.HasExited) break;
            Thread.Sleep(100);
        }
        throw new Xunit.Sdk.XunitException($"no matching line after {clock.Elapsed}; serial log:\n{Serial}");
    }

    /// <summary>Connects to the forwarded port, sends `data` while reading as many bytes back, and
    /// returns them (an echo service in the guest). With `halfClose` the host then shuts down its
    /// sending side and the guest must close once everything came back: more bytes fail the call.</summary>
    public byte[] EchoThrough(byte[] data, TimeSpan timeout, bool halfClose = false)
    {
        using var client = new TcpClient();
        client.ReceiveTimeout = client.SendTimeout = (int)timeout.TotalMilliseconds;
        client.Connect("127.0.0.1", HostPort);
        var stream = client.GetStream();
        var back = new byte[data.Length];
        var reader = Task.Run(() =>
        {
            int got = 0;
            while (got < back.Length)
            {
                int n = stream.Read(back, got, back.Length - got);
                if (n == 0) break;
                got += n;
            }
            if (halfClose && got == back.Length && stream.Read(new byte[1], 0, 1) != 0) return -1;   // must be EOF now
            return got;
        });
        stream.Write(data);
        if (halfClose) client.Client.Shutdown(SocketShutdown.Send);
        Xunit.Assert.True(reader.Wait(timeout + TimeSpan.FromSeconds(30)), "the echo did not come back in time; serial:\n" + Serial);
        Xunit.Assert.True(reader.Result >= 0, "the guest sent more than it received");
        Xunit.Assert.Equal(data.Length, reader.Result);
        return back;
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public void Dispose()
    {
        try { if (!_qemu.HasExited) { _qemu.Kill(entireProcessTree: true); _qemu.WaitForExit(10_000); } }
        catch (InvalidOperationException) { }
        _qemu.Dispose();
    }
}
