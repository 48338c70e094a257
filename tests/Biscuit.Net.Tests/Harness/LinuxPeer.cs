// A private network for one test: a network namespace of its own (bnt-<pid>-<n>) holding the Linux
// end of a TAP device at 10.77.0.1/24, while our stack, on the other end, is 10.77.0.2. Nothing is
// routed out of the namespace: it has only lo and the TAP device. Dispose stops everything and
// removes the namespace and the device, also after a failure half-way through set-up.
using System.Diagnostics;

namespace Biscuit.Net.Tests.Harness;

internal sealed class LinuxPeer : IDisposable
{
    public const string LinuxAddress = "10.77.0.1";
    public const string StackAddress = "10.77.0.2";
    static int counter;

    public string Namespace { get; }
    public string Device { get; }
    public StackPump Pump { get; private set; } = null!;
    public NetStack Stack => Pump.Stack;
    public bool NetemApplied { get; private set; }
    readonly TapDevice tap;
    readonly List<Process> background = new();

    static LinuxPeer() => RemoveLeftoversOfDeadRuns();

    /// <summary>A test process that was killed could not tear down; remove namespaces whose owner is gone.</summary>
    static void RemoveLeftoversOfDeadRuns()
    {
        foreach (var line in Shell.Run("ip", "netns", "list").Stdout.Split('\n'))
        {
            var name = line.Split(' ')[0];
            var parts = name.Split('-');
            if (parts.Length == 3 && parts[0] == "bnt" && int.TryParse(parts[1], out int pid) && !Directory.Exists($"/proc/{pid}"))
                Shell.Run("ip", "netns", "del", name);
        }
    }

    public LinuxPeer(Action<NetStackOptions>? configure = null)
    {
        int n = Interlocked.Increment(ref counter);
        int pid = Environment.ProcessId;
        Namespace = $"bnt-{pid}-{n}";
        Device = $"bnt{pid % 10_000_000}t{n}";
        Shell.Must("ip", "netns", "add", Namespace);
        try
        {
            tap = new TapDevice(Device);
            Shell.Must("ip", "link", "set", Device, "netns", Namespace);
            InNs("ip", "link", "set", "lo", "up");
            InNs("ip", "addr", "add", LinuxAddress + "/24", "dev", Device);
            InNs("ip", "link", "set", Device, "up");
            var options = new NetStackOptions
            {
                Address = Ipv4Address.Parse(StackAddress),
                PrefixLength = 24,
                Gateway = Ipv4Address.Parse(LinuxAddress),
            };
            configure?.Invoke(options);
            Pump = new StackPump(tap, options, MacAddress.Parse("02:00:00:4e:00:02"));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    void InNs(params string[] args) => Shell.Must("ip", ["netns", "exec", Namespace, .. args]);

    /// <summary>Runs a command inside the namespace and waits for it.</summary>
    public Shell.Result Run(int timeoutMs, params string[] args) =>
        Shell.Run("ip", ["netns", "exec", Namespace, .. args], timeoutMs);

    /// <summary>Runs python3 -c script inside the namespace and waits.</summary>
    public Shell.Result Python(string script, int timeoutMs, params string[] args) =>
        Run(timeoutMs, ["python3", "-c", script, .. args]);

    /// <summary>Starts python3 -c script in the namespace and waits until it prints "ready".</summary>
    public Process StartPython(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["netns", "exec", Namespace, "python3", "-u", "-c", script, .. args]) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        background.Add(p);
        var line = p.StandardOutput.ReadLineAsync();
        if (!line.Wait(20_000) || line.Result != "ready")
            throw new InvalidOperationException($"python server did not start: {line.Status} {(line.IsCompletedSuccessfully ? line.Result : "")} {p.StandardError.ReadToEnd()}");
        return p;
    }

    /// <summary>Adds netem (loss, reordering, duplication, delay) to Linux's side of the link if the kernel
    /// has it. Returns false when netem is missing, in which case callers impair in the pump instead.</summary>
    public bool TryNetem(string spec)
    {
        var r = Run(10_000, ["tc", "qdisc", "add", "dev", Device, "root", "netem", .. spec.Split(' ')]);
        NetemApplied = r.ExitCode == 0;
        return NetemApplied;
    }

    public void Dispose()
    {
        foreach (var p in background)
        {
            try { if (!p.HasExited) p.Kill(entireProcessTree: true); p.WaitForExit(5000); } catch (InvalidOperationException) { }
            p.Dispose();
        }
        Pump?.Dispose();
        tap?.Dispose();                                   // a non-persistent TAP device vanishes with its descriptor
        Shell.Run("ip", "netns", "del", Namespace);
    }
}
