// `echo-server soundness`: issue 10's empirical check on Biscuit. Thousands of generated requests of
// every type go to two echo servers that measure what each request allocates (ServerOptions.
// MeasureAllocations: decode + handler + encode on the worker thread); their Stats then show, per
// type, the admission budget (MAXLIVE + message overhead) and the most one request allocated.
// Allocation bounds what a request can hold live, so observed <= budget proves the budget held.
// Pump is sent with 1-4 calls so its garbage cannot pile up beyond its peak (see the host test).
using Biscuit.Echo;
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;

static class SoundnessDriver
{
    public static int Run()
    {
        var a = new ServiceClient(new KernelClientTransport(new Endpoint(Handle.Initial(1))));
        var b = new ServiceClient(new KernelClientTransport(new Endpoint(Handle.Initial(2))));
        var random = new Random(10);
        int failures = 0;
        for (int i = 0; i < 2000; i++)
        {
            var data = new byte[random.Next(0, 3900)];
            random.NextBytes(data);
            if (!a.Call(EchoContracts.Echo, data, 10_000).IsOk) failures++;
            if (!a.Call(EchoContracts.Add, new Pair(random.NextInt64(), random.Next()), 10_000).IsOk) failures++;
        }
        for (int i = 0; i < 200; i++) a.Call(EchoContracts.Fail, default, 10_000);
        for (int i = 0; i < 16; i++) if (!a.Call(EchoContracts.Hog, i % EchoServer.MaxHogChunks + 1, 60_000).IsOk) failures++;
        for (int i = 0; i < 200; i++) if (!b.Call(EchoContracts.Pump, i % 4 + 1, 60_000).IsOk) failures++;
        if (failures > 0) Console.WriteLine($"soundness: {failures} requests failed");

        int problems = 0;
        foreach (var (client, name) in new[] { (a, "echo-a"), (b, "echo-b") })
        {
            var stats = client.Call(StandardRequests.Stats, default, 10_000);
            if (!stats.IsOk || stats.Value!.AllocationRequests.Length == 0) { Console.WriteLine($"not ok - {name} reports allocations: {stats}"); problems++; continue; }
            var s = stats.Value;
            for (int i = 0; i < s.AllocationRequests.Length; i++)
            {
                if (s.AllocationObservedMax[i] == 0 && s.AllocationRequests[i] != "Add" && s.AllocationRequests[i] != "Echo") continue;   // not exercised
                string line = $"{name} {s.AllocationRequests[i]}: budget {s.AllocationBudgets[i]} B, observed at most {s.AllocationObservedMax[i]} B" +
                              (s.AllocationObservedMax[i] > 0 ? $", tightness {(double)s.AllocationBudgets[i] / s.AllocationObservedMax[i]:F1}x" : "");
                bool ok = s.AllocationObservedMax[i] <= s.AllocationBudgets[i];
                Console.WriteLine($"soundness: {line}{(ok ? "" : "  EXCEEDED")}");
                if (!ok) problems++;
            }
        }
        Console.WriteLine(problems == 0 && failures == 0 ? "ok - every request type stayed within its budget on Biscuit"
                                                         : $"not ok - every request type stayed within its budget on Biscuit: {problems} exceeded, {failures} failed");
        return problems + failures == 0 ? 0 : 1;
    }
}
