// Request types and helpers the tests share: a small "calculator" protocol with hand-written
// codecs, a scripted heap gauge, and a server running on background threads over an in-memory
// endpoint.
using System.Collections.Concurrent;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Server;
using Biscuit.Lib.Telemetry;
using MessagePack;

namespace Biscuit.Lib.Tests;

public readonly record struct Pair(long A, long B);

public static class PairCodec
{
    public static readonly TwoIntegersCodec<Pair> Instance = new("Pair", (a, b) => new Pair(a, b), p => (p.A, p.B));
}

public static class Calc
{
    public static readonly RequestType<Pair, long> Add = new(16, "Add", idempotent: true, PairCodec.Instance, Codecs.Int64);
    public static readonly RequestType<Pair, long> Divide = new(17, "Divide", idempotent: true, PairCodec.Instance, Codecs.Int64);
    public static readonly RequestType<long, string> Repeat = new(18, "Repeat", idempotent: true, Codecs.Int64, Codecs.String);
    public static readonly RequestType<long, long> Expensive = new(19, "Expensive", idempotent: true, Codecs.Int64, Codecs.Int64);
    public static readonly RequestType<long, long> Cheap = new(20, "Cheap", idempotent: true, Codecs.Int64, Codecs.Int64);
    public static readonly RequestType<long, long> Append = new(21, "Append", idempotent: false, Codecs.Int64, Codecs.Int64);
    public static readonly RequestType<long, long> Collect = new(22, "Collect", idempotent: true, Codecs.Int64, Codecs.Int64);
    public static readonly RequestType<Empty, Empty> Unregistered = new(99, "Unregistered", idempotent: true, Codecs.Empty, Codecs.Empty);
}

/// <summary>A heap gauge whose figures the test sets; Collect counts and applies LiveAfterCollect.</summary>
public sealed class ScriptedHeapGauge(long limit) : IHeapGauge
{
    private long live;
    public long HeapLimitBytes { get; set; } = limit;
    public long LiveBytesAfterLastGc => Interlocked.Read(ref live);
    public long? LiveAfterCollect { get; set; }
    public int Collections;

    public void SetLive(long bytes) => Interlocked.Exchange(ref live, bytes);

    public void Collect()
    {
        Interlocked.Increment(ref Collections);
        if (LiveAfterCollect is long after) SetLive(after);
    }
}

/// <summary>A MessageServer on `workers` background threads over one in-memory endpoint.</summary>
public sealed class RunningServer : IDisposable
{
    private readonly List<Thread> threads = [];
    public readonly ConcurrentQueue<string> Log = new();
    public readonly ConcurrentQueue<KernelError> Exits = new();

    public RunningServer(Action<MessageServer> register, int workers = 1, IReadOnlyDictionary<string, long>? budgets = null,
        IHeapGauge? gauge = null, int queueCapacity = 4, TimeSpan? maxWait = null, InMemoryEndpoint? endpoint = null, string name = "test")
    {
        Endpoint = endpoint ?? new InMemoryEndpoint();
        Server = new MessageServer(new ServerOptions
        {
            Name = name,
            Budgets = budgets,
            UnlistedBudgetBytes = 0,
            MessageOverheadBytes = 0,     // the scenarios script exact budgets
            HeadroomForSmallRequestsBytes = 0,
            HeapGauge = gauge ?? new ScriptedHeapGauge(1L << 30),
            AdmissionQueueCapacity = queueCapacity,
            AdmissionMaxWait = maxWait ?? TimeSpan.FromSeconds(60),
            Log = Log.Enqueue,
        });
        register(Server);
        StartWorkers(workers);
    }

    public InMemoryEndpoint Endpoint { get; }
    public MessageServer Server { get; }

    /// <summary>Starts worker threads of the current server incarnation (after a ServerDied, the restart).</summary>
    public void StartWorkers(int count)
    {
        for (int i = 0; i < count; i++)
        {
            var transport = Endpoint.CreateServer();
            var thread = new Thread(() => Exits.Enqueue(Server.Run(transport))) { IsBackground = true, Name = "server worker" };
            threads.Add(thread);
            thread.Start();
        }
    }

    public void Dispose()
    {
        Endpoint.Close();
        foreach (var t in threads) t.Join(TimeSpan.FromSeconds(30));
    }
}

public static class Wait
{
    /// <summary>Waits for a condition that another thread will make true (a state, not a time); fails after 30 s.</summary>
    public static void Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("never happened: " + what);
            Thread.Sleep(1);
        }
    }
}
