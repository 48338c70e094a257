// The event loop that runs our stack against Linux: one thread owns the NetStack and pumps frames
// between it and the TAP device, advances the stack's clock from a Stopwatch, and polls the
// stack-side applications. Tests talk to the stack only through Invoke (run on the loop thread).
using System.Collections.Concurrent;
using System.Diagnostics;

namespace Biscuit.Net.Tests.Harness;

internal interface IStackApp
{
    void Poll(NetStack stack);
}

internal sealed class StackPump : IDisposable
{
    sealed class TapLink(StackPump pump, MacAddress mac) : ILinkLayer
    {
        public MacAddress Mac => mac;
        public int Mtu => 1500;
        public void Transmit(ReadOnlySpan<byte> frame)
        {
            if (pump.Outbound != null) pump.Outbound.Add(frame, pump.now);
            else pump.tap.Write(frame);
        }
    }

    readonly TapDevice tap;
    readonly Thread thread;
    readonly Stopwatch clock = Stopwatch.StartNew();
    readonly ConcurrentQueue<Action> work = new();
    readonly List<IStackApp> apps = new();
    volatile bool stopping;
    long now;
    public Exception? Failure { get; private set; }
    public NetStack Stack { get; }
    /// <summary>Impairs frames from Linux to our stack / from our stack to Linux (set before traffic).</summary>
    public Impairment? Inbound, Outbound;

    public StackPump(TapDevice tap, NetStackOptions options, MacAddress mac)
    {
        this.tap = tap;
        Stack = new NetStack(new TapLink(this, mac), options, 0);
        thread = new Thread(Loop) { IsBackground = true, Name = "stack-pump" };
        thread.Start();
    }

    void Loop()
    {
        var frame = new byte[2048];
        try
        {
            while (!stopping)
            {
                tap.WaitReadable(1);
                now = clock.ElapsedMilliseconds;
                for (int i = 0; i < 512; i++)
                {
                    int n = tap.Read(frame);
                    if (n <= 0) break;
                    if (Inbound != null) Inbound.Add(frame.AsSpan(0, n), now);
                    else Stack.Receive(frame.AsSpan(0, n));
                }
                Inbound?.Release(now, f => Stack.Receive(f));
                Stack.Tick(now);
                while (work.TryDequeue(out var w)) w();
                foreach (var app in apps) app.Poll(Stack);
                Outbound?.Release(now, f => tap.Write(f));
            }
        }
        catch (Exception e)
        {
            Failure = e;
        }
    }

    /// <summary>Runs f on the loop thread and returns its result.</summary>
    public T Invoke<T>(Func<NetStack, T> f)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        work.Enqueue(() =>
        {
            try { done.SetResult(f(Stack)); } catch (Exception e) { done.SetException(e); }
        });
        if (!done.Task.Wait(30_000)) throw new TimeoutException("stack loop did not answer" + (Failure != null ? $": {Failure}" : ""));
        return done.Task.Result;
    }

    public void AddApp(IStackApp app) => Invoke(_ => { apps.Add(app); return 0; });

    public void ThrowIfFailed()
    {
        if (Failure != null) throw new Exception("the stack loop failed", Failure);
    }

    public void Dispose()
    {
        stopping = true;
        thread.Join(5000);
    }
}
