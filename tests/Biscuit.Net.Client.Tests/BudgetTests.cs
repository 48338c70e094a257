// MAXLIVE for the socket service: tools/maxlive computes every request's budget from
// Biscuit.Net.Service's IL (stack calls carry the explicit budgets of SocketBudgets), and here
// every request type runs on the real stack, including its expensive cases (a send that grows the
// send ring, connects and accepts that grow the stack's tables, full receives, full event batches),
// while the server measures what each request allocates on its thread (MeasureAllocations). No
// request may allocate more than the budget admission control reserves for it. (The test link
// copies each frame on Transmit, which the real NIC does not; the budgets cover it anyway.)
using Biscuit.Lib.Messages;
using Biscuit.Lib.Server;
using Biscuit.MaxLive.Analysis;
using Biscuit.Net.Client.Tests.Harness;
using Biscuit.Net.Protocol;
using Biscuit.Net.Service;
using static Biscuit.Net.Client.Tests.Harness.RemoteHost;
using static Biscuit.Net.Protocol.SocketConstants;

namespace Biscuit.Net.Client.Tests;

public class BudgetTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly Lazy<Dictionary<string, long>> Budgets = new(() =>
    {
        var result = Analyzer.Analyze(new[] { typeof(SocketService).Assembly.Location }, "net");
        Assert.True(result.Ok, string.Join("\n", result.AllErrors));
        return result.Requests.ToDictionary(r => r.Request, r => r.Bytes);
    });

    [Fact]
    public void Maxlive_gives_every_socket_request_a_budget()
    {
        var names = typeof(SocketRequests).GetFields().Select(f => f.GetValue(null)).OfType<RequestTypeInfo>().Select(t => t.Name);
        Assert.All(names, n => Assert.True(Budgets.Value.TryGetValue(n, out long b) && b >= 0, $"{n} has no budget"));
    }

    [Fact]
    public void Every_request_allocates_within_its_admission_budget_on_the_real_stack()
    {
        using var h = new ServiceHarness(budgets: ServerOptions.BudgetsFrom(Budgets.Value.Select(kv => (kv.Key, kv.Value))), measure: true,
            windowPages: new HostWindowPages());
        Assert.Equal(0, h.Net.Subscribe(new Biscuit.Lib.Kernel.Handle(9)));

        // Listen, accept many (the stack's tables grow), connect out, and move data both ways.
        long listener = h.ListenOnA(80, backlog: 64);
        var accepted = Enumerable.Range(0, 40).Select(_ => h.ConnectFromB(listener, 80)).ToList();
        var onB = h.ListenOnB(7);
        var (outgoing, remoteOfOutgoing) = h.ConnectToB(onB, 7);
        var (remote, id) = accepted[0];
        Assert.Equal(0, h.Net.SetOption(id, SOL_SOCKET, SO_SNDBUF, SocketBudgets.MaxBufferBytes));
        var chunk = new byte[SocketLimits.MaxTransferBytes];
        long sent = 0;
        for (int i = 0; i < 400 && h.Net.Send(id, chunk) is var n && n > 0; i++) sent += n;   // the ring grows to 1 MiB
        Assert.True(sent > 256 * 1024, $"only {sent} bytes were queued");
        var big = new byte[64 * 1024];
        foreach (var (r, _) in accepted) { r.Send(big); }
        h.Advance(20);
        foreach (var (_, a) in accepted) h.Net.Receive(a, chunk);
        h.PollAll();
        h.Net.Receive(outgoing, chunk);
        var window = h.Net.MapWindow(0x7400_0000);                // the window: a send that grows a ring, a receive into a slot
        Assert.Equal(0, window.Result);
        Assert.Equal(0, h.Net.SetOption(accepted[2].Id, SOL_SOCKET, SO_SNDBUF, SocketBudgets.MaxBufferBytes));
        for (int i = 0; i < 20 && h.Net.SendFromWindow(window.WindowId, accepted[2].Id, 0, 0, SocketWindowLimits.SlotBytes) > 0; i++) { }
        foreach (var (r, _) in accepted.Take(3)) r.Send(big);
        h.Advance(20);
        h.Net.ReceiveToWindow(window.WindowId, accepted[3].Id, 1, 0, SocketWindowLimits.SlotBytes);
        h.Net.Receive(accepted[1].Id, chunk, out _, out _, MSG_PEEK);
        h.Net.Readiness(id);
        h.Net.Shutdown(outgoing, SHUT_WR);
        h.Net.GetName(id, out _, out _);
        h.Net.GetPeer(id, out _, out _);
        h.Net.GetOption(id, SOL_SOCKET, SO_ERROR, out _);
        long udp = h.Net.Socket(Inet, DatagramType);
        h.Net.Bind(udp, 0, 5000);
        h.Net.Send(udp, chunk.AsSpan(0, 1400), ServiceHarness.AddressB.Value, 6000);
        h.Net.Connect(udp, ServiceHarness.AddressB.Value, 6000);
        Assert.True(h.Raw.Call(SocketRequests.NetCounters, default, 10_000).IsOk);
        Assert.True(h.Net.Instance() > 0);
        foreach (var (_, a) in accepted.Skip(20)) h.Net.Close(a);
        h.Net.Close(outgoing);
        h.Net.Close(udp);
        Assert.True(h.Net.ResetClient() >= 20);              // the other 20 connections reset, the listeners closed

        var stats = h.Raw.Call(StandardRequests.Stats, default, 10_000);
        Assert.True(stats.IsOk, stats.ToString());
        var report = stats.Value!;
        var observed = report.AllocationRequests.Zip(report.AllocationBudgets, report.AllocationObservedMax).ToList();
        foreach (var (request, budget, max) in observed)
            output.WriteLine($"{request,-12} budget {budget,10:N0} B  observed max {max,10:N0} B");
        foreach (var (request, budget, max) in observed)
            Assert.True(max <= budget, $"{request} allocated {max} B, more than its admission budget of {budget} B");
        var ran = observed.Where(o => o.Third > 0).Select(o => o.First).ToHashSet();
        Assert.Contains("Send", ran);
        Assert.Contains("Receive", ran);
        Assert.Contains("Accept", ran);
        Assert.Contains("SendFromWindow", ran);
    }
}
