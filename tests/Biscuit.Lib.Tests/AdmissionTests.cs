// MAXLIVE admission control: a request starts only when its budget fits in
// limit - headroom - live after the last GC - reserved (or, for a small one, in the headroom pool);
// otherwise one collection, then a bounded queue, then Busy.
// The heap figures come from a scripted gauge so that every decision is deterministic.
using Biscuit.Lib.Client;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Server;

namespace Biscuit.Lib.Tests;

public class AdmissionTests
{
    [Fact]
    public void A_budget_that_fits_is_admitted_without_collecting()
    {
        var gauge = new ScriptedHeapGauge(100);
        gauge.SetLive(30);
        var admission = new AdmissionControl(gauge, 1, TimeSpan.FromSeconds(30));
        Assert.Equal(AdmissionOutcome.Admitted, admission.Admit(70));
        Assert.Equal(70, admission.ReservedBytes);
        Assert.Equal(0, gauge.Collections);
        admission.Release(70, AdmissionOutcome.Admitted);
        Assert.Equal(0, admission.ReservedBytes);
    }

    [Fact]
    public void A_budget_that_fits_after_one_collection_is_admitted()
    {
        var gauge = new ScriptedHeapGauge(100) { LiveAfterCollect = 10 };
        gauge.SetLive(50);
        var admission = new AdmissionControl(gauge, 1, TimeSpan.FromSeconds(30));
        Assert.Equal(AdmissionOutcome.Admitted, admission.Admit(80));
        Assert.Equal(1, gauge.Collections);
        Assert.Equal(1, admission.Collections);
    }

    [Fact]
    public void A_budget_larger_than_the_heap_can_ever_hold_is_refused_at_once()
    {
        var gauge = new ScriptedHeapGauge(100);
        gauge.SetLive(20);
        var admission = new AdmissionControl(gauge, 4, TimeSpan.FromSeconds(30));
        Assert.Equal(AdmissionOutcome.RefusedNeverFits, admission.Admit(81));
        Assert.Equal((0L, 0L, 1L), (admission.Admitted, admission.Queued, admission.Refused));
    }

    [Fact]
    public void A_zero_budget_is_admitted_even_when_the_heap_is_over_its_limit()
    {
        var gauge = new ScriptedHeapGauge(100);
        gauge.SetLive(150);
        Assert.Equal(AdmissionOutcome.Admitted, new AdmissionControl(gauge, 0, TimeSpan.Zero).Admit(0));
    }

    [Fact]
    public void A_request_that_must_wait_is_queued_and_admitted_when_another_releases()
    {
        var gauge = new ScriptedHeapGauge(100);
        var admission = new AdmissionControl(gauge, 1, TimeSpan.FromSeconds(60));
        Assert.Equal(AdmissionOutcome.Admitted, admission.Admit(60));
        AdmissionOutcome second = default;
        var waiter = new Thread(() => second = admission.Admit(60));
        waiter.Start();
        Wait.Until(() => admission.WaitingNow == 1, "second request queued");
        Assert.Equal(AdmissionOutcome.RefusedQueueFull, admission.Admit(60));   // the queue holds one
        admission.Release(60, AdmissionOutcome.Admitted);
        Assert.True(waiter.Join(TimeSpan.FromSeconds(30)));
        Assert.Equal(AdmissionOutcome.AdmittedAfterQueueing, second);
        Assert.Equal((2L, 1L, 1L), (admission.Admitted, admission.Queued, admission.Refused));
        Assert.Equal(60, admission.ReservedBytes);
    }

    [Fact]
    public void A_queued_request_is_refused_when_its_wait_runs_out()
    {
        var gauge = new ScriptedHeapGauge(100);
        var admission = new AdmissionControl(gauge, 1, TimeSpan.FromMilliseconds(30));
        Assert.Equal(AdmissionOutcome.Admitted, admission.Admit(60));
        Assert.Equal(AdmissionOutcome.RefusedWaitedTooLong, admission.Admit(60));
        Assert.Equal((1L, 1L, 1L), (admission.Admitted, admission.Queued, admission.Refused));
        Assert.Equal(0, admission.WaitingNow);
    }

    [Fact]
    public void A_large_request_leaves_the_headroom_to_small_ones()
    {
        var gauge = new ScriptedHeapGauge(limit: 10_000);
        var admission = new AdmissionControl(gauge, 0, TimeSpan.Zero, headroomBytes: 1_000);
        Assert.Equal(AdmissionOutcome.Admitted, admission.Admit(8_000));          // leaves 2,000
        Assert.Equal(AdmissionOutcome.RefusedQueueFull, admission.Admit(1_500));  // large: would eat the headroom
        Assert.Equal(AdmissionOutcome.AdmittedFromHeadroom, admission.Admit(900)); // small: the headroom is its own
        Assert.Equal(AdmissionOutcome.Admitted, admission.Admit(900));             // and the general pool's rest too
        Assert.Equal(AdmissionOutcome.RefusedNeverFits, admission.Admit(9_500));   // could never fit beside the headroom
        Assert.Equal(9_800, admission.ReservedBytes);
        Assert.Equal(1, admission.AdmittedFromHeadroomPool);
    }

    [Fact]
    public void Small_requests_are_admitted_from_the_headroom_even_when_the_live_figure_leaves_no_room()
    {
        // The last GC ran while large requests were live: the figure says the heap is full, and a
        // collection now does not change it (as when large requests keep running).
        var gauge = new ScriptedHeapGauge(limit: 10_000) { LiveAfterCollect = 10_000 };
        gauge.SetLive(10_000);
        var admission = new AdmissionControl(gauge, 0, TimeSpan.Zero, headroomBytes: 1_000);
        Assert.Equal(AdmissionOutcome.AdmittedFromHeadroom, admission.Admit(600));
        Assert.Equal(AdmissionOutcome.AdmittedFromHeadroom, admission.Admit(400));
        Assert.Equal(AdmissionOutcome.RefusedQueueFull, admission.Admit(1));       // the headroom is all lent
        Assert.Equal(AdmissionOutcome.RefusedNeverFits, admission.Admit(1_000));   // large ones never use it
        admission.Release(600, AdmissionOutcome.AdmittedFromHeadroom);
        Assert.Equal(AdmissionOutcome.AdmittedFromHeadroom, admission.Admit(500));
        Assert.Equal(900, admission.ReservedBytes);
    }

    [Fact]
    public void A_queued_small_request_is_admitted_when_a_small_one_returns_headroom()
    {
        var gauge = new ScriptedHeapGauge(limit: 10_000) { LiveAfterCollect = 10_000 };
        gauge.SetLive(10_000);
        var admission = new AdmissionControl(gauge, 1, TimeSpan.FromSeconds(60), headroomBytes: 1_000);
        Assert.Equal(AdmissionOutcome.AdmittedFromHeadroom, admission.Admit(800));
        AdmissionOutcome second = default;
        var waiter = new Thread(() => second = admission.Admit(800));
        waiter.Start();
        Wait.Until(() => admission.WaitingNow == 1, "second small request queued");
        admission.Release(800, AdmissionOutcome.AdmittedFromHeadroom);
        Assert.True(waiter.Join(TimeSpan.FromSeconds(30)));
        Assert.Equal(AdmissionOutcome.AdmittedFromHeadroomAfterQueueing, second);
        Assert.Equal(800, admission.ReservedBytes);
    }

    [Fact]
    public void Releasing_more_than_was_reserved_is_a_programming_error()
    {
        var admission = new AdmissionControl(new ScriptedHeapGauge(100), 1, TimeSpan.Zero, headroomBytes: 10);
        Assert.Throws<InvalidOperationException>(() => admission.Release(1, AdmissionOutcome.Admitted));
        Assert.Equal(AdmissionOutcome.Admitted, admission.Admit(50));
        Assert.Throws<InvalidOperationException>(() => admission.Release(50, AdmissionOutcome.AdmittedFromHeadroom));   // the wrong pool
        Assert.Throws<ArgumentException>(() => admission.Release(50, AdmissionOutcome.RefusedQueueFull));
        admission.Release(50, AdmissionOutcome.Admitted);
        Assert.Equal(0, admission.ReservedBytes);
    }

    [Fact]
    public void Budgets_come_from_the_table_by_request_name_plus_the_message_overhead_with_a_default_for_unlisted_ones()
    {
        var server = new MessageServer(new ServerOptions { Budgets = new Dictionary<string, long> { ["Add"] = 123 }, UnlistedBudgetBytes = 7, MessageOverheadBytes = 1000 });
        Assert.Equal(1123, server.BudgetOf(Calc.Add));
        Assert.Equal(7, server.BudgetOf(Calc.Divide));
        Assert.Equal(0, new MessageServer(new ServerOptions()).BudgetOf(Calc.Add));
    }

    [Fact]
    public void The_generated_maxlive_table_becomes_the_budget_dictionary()
    {
        var budgets = ServerOptions.BudgetsFrom([("Read", 4096), ("Stats", 512)]);
        Assert.Equal(4096, budgets["Read"]);
        Assert.Equal(512, budgets["Stats"]);
    }

    [Fact]
    public void A_maxlive_table_with_a_refused_or_repeated_request_is_rejected()
    {
        Assert.Contains("maxlive refused", Assert.Throws<ArgumentException>(() => ServerOptions.BudgetsFrom([("Read", -1)])).Message);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => ServerOptions.BudgetsFrom([("Read", 1), ("Read", 2)])).Message);
    }

    [Fact]
    public void An_expensive_request_is_queued_or_refused_while_cheap_ones_keep_being_served()
    {
        var gauge = new ScriptedHeapGauge(100);
        var holdFirst = new ManualResetEventSlim();
        int expensiveRunning = 0;
        var budgets = new Dictionary<string, long> { ["Expensive"] = 60, ["Cheap"] = 10, ["Stats"] = 0 };
        using var running = new RunningServer(s =>
        {
            s.Register(Calc.Expensive, n =>
            {
                Interlocked.Increment(ref expensiveRunning);
                if (n == 1) holdFirst.Wait();
                Interlocked.Decrement(ref expensiveRunning);
                return n * 10;
            });
            s.Register(Calc.Cheap, n => n + 1);
        }, workers: 3, budgets: budgets, gauge: gauge, queueCapacity: 1);

        // 1. The first expensive request is admitted (60 of 100) and holds its budget.
        var first = StartCall(running, Calc.Expensive, 1);
        Wait.Until(() => Volatile.Read(ref expensiveRunning) == 1, "first expensive request running");
        // 2. The second does not fit (60 > 40): one collection, then it waits in the queue.
        var second = StartCall(running, Calc.Expensive, 2);
        Wait.Until(() => running.Server.Admission.WaitingNow == 1, "second expensive request queued");
        Assert.Equal(1, gauge.Collections);
        // 3. A third finds the queue full: Busy.
        var client = new ServiceClient(running.Endpoint.CreateClient());
        var third = client.Call(Calc.Expensive, 3, 30_000);
        Assert.Equal((CallOutcome.ServerError, ReplyStatus.Busy), (third.Outcome, third.Status));
        Assert.Contains("Expensive needs 60 bytes", third.Message);
        // 4. Cheap requests (10 <= 40) are served all the while.
        for (long i = 0; i < 50; i++) Assert.Equal(i + 1, client.Call(Calc.Cheap, i, 30_000).Value);
        Assert.Equal(1, running.Server.Admission.WaitingNow);
        // 5. The first finishes and releases; the queued one runs.
        holdFirst.Set();
        Assert.Equal(10, first().Value);
        Assert.Equal(20, second().Value);

        var stats = client.Call(StandardRequests.Stats, default, 30_000);
        Assert.True(stats.IsOk, stats.ToString());
        Assert.Equal(53, stats.Value!.Admitted);   // 2 expensive + 50 cheap + this Stats
        Assert.Equal(1, stats.Value.Queued);
        Assert.Equal(1, stats.Value.Refused);
        Assert.Equal(0, stats.Value.ReservedBytes);
        Assert.Equal(2, stats.Value.AdmissionCollections);   // the second and the third each collected once
    }

    private static Func<CallResult<long>> StartCall(RunningServer running, Biscuit.Lib.Messages.RequestType<long, long> type, long value)
    {
        CallResult<long> result = default;
        var client = new ServiceClient(running.Endpoint.CreateClient());
        var thread = new Thread(() => result = client.Call(type, value, 60_000)) { IsBackground = true };
        thread.Start();
        return () =>
        {
            Assert.True(thread.Join(TimeSpan.FromSeconds(60)), "call never returned");
            return result;
        };
    }
}
