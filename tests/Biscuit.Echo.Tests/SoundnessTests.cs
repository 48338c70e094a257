// The empirical check of MAXLIVE's budgets for the echo server (issue 10, item 3): every handler
// runs on thousands of generated requests while the bytes it allocates on its thread are measured
// (GC.GetAllocatedBytesForCurrentThread). Allocation is an upper bound of what a request can hold
// live, so a request whose allocation stays within its computed budget cannot have exceeded it;
// one that allocates more fails the test with the request printed. Tightness (budget / observed
// maximum) is printed per request type.
using Biscuit.Echo;
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Server;
using Biscuit.MaxLive.Analysis;
using Xunit.Abstractions;

namespace Biscuit.Echo.Tests;

public class SoundnessTests(ITestOutputHelper output)
{
    private static readonly Lazy<Dictionary<string, long>> Budgets = new(() =>
    {
        var result = Analyzer.Analyze(new[] { typeof(EchoServer).Assembly.Location }, "echo");
        Assert.True(result.Ok, string.Join("\n", result.AllErrors));
        return result.Requests.ToDictionary(r => r.Request, r => r.Bytes);
    });

    private long Measure(Action handler)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        handler();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private void CheckAll<T>(string request, IEnumerable<T> inputs, Action<T> run)
    {
        long budget = Budgets.Value[request], worst = 0;
        run(inputs.First());                                  // first call: JIT and statics, not the handler
        foreach (var input in inputs)
        {
            long allocated = Measure(() => run(input));
            Assert.True(allocated <= budget, $"{request}({input}) allocated {allocated} B, more than its MAXLIVE budget of {budget} B");
            worst = Math.Max(worst, allocated);
        }
        output.WriteLine($"{request}: budget {budget} B, observed at most {worst} B, tightness {(worst == 0 ? "exact (0 B)" : $"{(double)budget / worst:F1}x")}");
    }

    [Fact]
    public void Echo_stays_within_its_budget_on_random_payloads()
    {
        var random = new Random(1);
        CheckAll("Echo", Enumerable.Range(0, 3000).Select(i => { var b = new byte[random.Next(0, 4000)]; random.NextBytes(b); return b; }),
            b => EchoServer.Echo(b));
    }

    [Fact]
    public void Add_stays_within_its_budget()
    {
        var random = new Random(2);
        CheckAll("Add", Enumerable.Range(0, 3000).Select(_ => new Pair(random.NextInt64(), random.NextInt64())), p => EchoServer.Add(p));
    }

    [Fact]
    public void Fail_stays_within_its_budget_including_the_exception_it_throws()
    {
        CheckAll("Fail", Enumerable.Range(0, 1000).Select(_ => default(Empty)), e =>
        {
            try { EchoServer.Fail(e); } catch (InvalidOperationException) { }
        });
    }

    [Fact]
    public void Hog_stays_within_its_budget_for_every_chunk_count()
    {
        CheckAll("Hog", Enumerable.Range(0, 17).Select(i => (long)(i % EchoServer.MaxHogChunks + 1)), n => EchoServer.Hog(n));
    }

    [Fact]
    public void Pump_stays_within_its_budget_while_calling_a_peer()
    {
        // A peer echo server on another thread over lib's in-memory rendezvous (its allocations are
        // on its own thread, as they would be in another process).
        var endpoint = new InMemoryEndpoint();
        var peerServer = new MessageServer(new ServerOptions { Name = "peer", Log = _ => { } });
        new EchoServer(null).RegisterOn(peerServer);
        var serverSide = endpoint.CreateServer();
        var worker = new Thread(() => peerServer.Run(serverSide)) { IsBackground = true };
        worker.Start();
        var pumping = new EchoServer(new ServiceClient(endpoint.CreateClient()));
        CheckAll("Pump", Enumerable.Range(0, 600).Select(i => (long)(i % 4 + 1)), n => pumping.Pump(n));
    }
}
