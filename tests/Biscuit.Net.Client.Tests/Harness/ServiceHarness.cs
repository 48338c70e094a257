// The socket service as posix will see it, on the host: a SocketServiceClient calls, over lib's
// in-memory endpoint, a MessageServer worker thread running SocketService on stack A (10.9.0.1);
// an in-memory link joins A to stack B (10.9.0.2), the "remote host" the test drives directly.
// Time is virtual: frames move and timers run only when the test calls Advance, so every test is
// exactly reproducible. Only the test thread touches B; A is touched under StackHost.Gate (by the
// server thread in a handler, or by the test thread in Advance), as in the real server.
using System.Collections.Concurrent;
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Server;
using Biscuit.Net.Protocol;
using Biscuit.Net.Service;

namespace Biscuit.Net.Client.Tests.Harness;

public sealed class ServiceHarness : IDisposable
{
    public static readonly Ipv4Address AddressA = Ipv4Address.Parse("10.9.0.1");
    public static readonly Ipv4Address AddressB = Ipv4Address.Parse("10.9.0.2");

    private sealed class Wire(ConcurrentQueue<byte[]> to, MacAddress mac) : ILinkLayer
    {
        public MacAddress Mac => mac;
        public int Mtu => 1500;
        public void Transmit(ReadOnlySpan<byte> frame) => to.Enqueue(frame.ToArray());
    }

    private readonly ConcurrentQueue<byte[]> toA = new(), toB = new();
    private readonly InMemoryEndpoint endpoint = new();
    private readonly List<Thread> serverThreads = new();
    private long now;                                   // virtual milliseconds; written by the test thread

    public readonly StackHost Host;
    public readonly NetStack B;
    public readonly MessageServer Server;
    public readonly SocketService Service;
    public readonly ServiceClient Raw;
    public readonly SocketServiceClient Net;
    public readonly Dictionary<uint, CountingSignal> Signals = new();   // by handle value; guarded by itself

    public ServiceHarness(int maxSockets = 64, IReadOnlyDictionary<string, long>? budgets = null, bool measure = false,
        Action<NetStackOptions>? configure = null, int workers = 1, long instance = 1, ISocketWindowPages? windowPages = null)
    {
        var optionsA = new NetStackOptions { Address = AddressA, PrefixLength = 24, Gateway = Ipv4Address.Any,
            TcpMaxBuffer = SocketBudgets.MaxBufferBytes, TcpMaxConnections = SocketBudgets.MaxConnections };
        var optionsB = new NetStackOptions { Address = AddressB, PrefixLength = 24, Gateway = Ipv4Address.Any };
        configure?.Invoke(optionsA);
        configure?.Invoke(optionsB);
        var a = new NetStack(new Wire(toB, MacAddress.Parse("02:00:00:00:09:01")), optionsA);
        B = new NetStack(new Wire(toA, MacAddress.Parse("02:00:00:00:09:02")), optionsB);
        Host = new StackHost(a, () => Volatile.Read(ref now), maxSockets, instance, wakeEventLoop: () => Interlocked.Increment(ref eventLoopWakes));
        Server = new MessageServer(new ServerOptions { Name = "net", Budgets = budgets, MeasureAllocations = measure });
        Service = new SocketService(Host, SignalFor, () => [("test_counter", 42)], windowPages);
        Service.RegisterOn(Server);
        for (int w = 0; w < workers; w++)
        {
            var transport = endpoint.CreateServer();
            var thread = new Thread(() => Server.Run(transport)) { IsBackground = true, Name = "net service worker " + w };
            thread.Start();
            serverThreads.Add(thread);
        }
        Raw = new ServiceClient(endpoint.CreateClient());
        Net = new SocketServiceClient(Raw, timeoutMs: 30_000);
    }

    public long Now => Volatile.Read(ref now);

    private int eventLoopWakes;
    /// <summary>How often a call asked the event loop to deliver loopback datagrams (StackHost's wakeEventLoop).</summary>
    public int EventLoopWakes => Volatile.Read(ref eventLoopWakes);

    /// <summary>Another client of the same endpoint, for a second calling thread.</summary>
    public SocketServiceClient NewClient(ulong badge = 0) => new(new ServiceClient(endpoint.CreateClient(badge)), timeoutMs: 30_000);

    private IReadinessSignal SignalFor(Handle handle)
    {
        lock (Signals)
        {
            if (!Signals.TryGetValue(handle.Value, out var s)) Signals[handle.Value] = s = new CountingSignal();
            return s;
        }
    }

    public CountingSignal Signal(uint handle) { lock (Signals) return Signals[handle]; }

    /// <summary>Moves every frame in flight and delivers A's loopback datagrams (until none is left), then advances the clock 1 ms and runs
    /// both stacks' timers, `ms` times.</summary>
    public void Advance(int ms = 1)
    {
        for (int i = 0; i < ms; i++)
        {
            Deliver();
            now++;
            Host.Run(s => s.Tick(now));
            B.Tick(now);
            Deliver();
        }
    }

    /// <summary>Advances until `done` holds, at most `maxMs` of virtual time; false if it never did.</summary>
    public bool AdvanceUntil(Func<bool> done, int maxMs = 5000)
    {
        for (int i = 0; i < maxMs; i++)
        {
            if (done()) return true;
            Advance();
        }
        return done();
    }

    private void Deliver()
    {
        int loopbackLeft = Host.DeliverLoopback(1);
        for (int rounds = 0; !toA.IsEmpty || !toB.IsEmpty || loopbackLeft > 0; rounds++)
        {
            if (rounds > 100_000) throw new InvalidOperationException("the two stacks exchange frames without end");
            while (toB.TryDequeue(out var f)) B.Receive(f);
            if (!toA.IsEmpty) Host.Run(s => { while (toA.TryDequeue(out var f)) s.Receive(f); });
            loopbackLeft = Host.DeliverLoopback(1);
        }
    }

    /// <summary>Every event PollEvents returns until it says no more.</summary>
    public List<SocketEvent> PollAll()
    {
        var all = new List<SocketEvent>();
        bool more = true;
        while (more) all.AddRange(Net.PollEvents(SocketLimits.MaxEventsPerBatch, out more));
        return all;
    }

    public void Dispose()
    {
        endpoint.Close();
        foreach (var t in serverThreads) t.Join(10_000);
    }
}

/// <summary>A readiness signal that counts.</summary>
public sealed class CountingSignal : IReadinessSignal
{
    private int signals, releases;
    public int Signals => Volatile.Read(ref signals);
    public int Releases => Volatile.Read(ref releases);
    public void Signal() => Interlocked.Increment(ref signals);
    public void Release() => Interlocked.Increment(ref releases);
}
