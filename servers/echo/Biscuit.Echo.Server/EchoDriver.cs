// The test client: talks to two echo servers (initial handles 1 and 2) over kernel IPC and prints
// "ok - NAME" / "not ok - NAME: why" lines, then both servers' Stats as a table. Exit status: the
// number of failures (init passes it on to the kernel, which passes it to QEMU).
using System.Diagnostics;
using Biscuit.Echo;
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Telemetry;

static class EchoDriver
{
    public static int Run(long count)
    {
        var a = new ServiceClient(new KernelClientTransport(new Endpoint(Handle.Initial(1))));
        var b = new ServiceClient(new KernelClientTransport(new Endpoint(Handle.Initial(2))));
        int failures = 0;
        void Check(string name, Func<string?> test)
        {
            string? problem;
            try { problem = test(); } catch (Exception e) { problem = $"{e.GetType().Name}: {e.Message}"; }
            if (problem == null) Console.WriteLine($"ok - {name}");
            else { failures++; Console.WriteLine($"not ok - {name}: {problem}"); }
        }

        Check("a client gets correct replies from a server over kernel IPC", () =>
        {
            for (long i = 0; i < 10_000; i++)
            {
                var r = a.Call(EchoContracts.Add, new Pair(i, 2 * i), 5000);
                if (!r.IsOk || r.Value != 3 * i) return $"Add({i}, {2 * i}) = {r}";
            }
            return null;
        });

        Check($"two servers exchange {count} request/replies with correct results", () =>
        {
            var clock = Stopwatch.StartNew();
            var r = b.Call(EchoContracts.Pump, count, 600_000);
            if (!r.IsOk) return r.ToString();
            Console.WriteLine($"echo: {count} round trips echo-b -> echo-a in {clock.Elapsed.TotalSeconds:F2} s " +
                              $"({count / clock.Elapsed.TotalSeconds:F0} per second)");
            return r.Value.Correct == count ? null : $"{r.Value.Correct} of {count} correct";
        });

        Check("a handler that throws gets an error reply and the server keeps serving", () =>
        {
            var r = a.Call(EchoContracts.Fail, default, 5000);
            if (r.Outcome != CallOutcome.ServerError) return $"Fail gave {r}";
            var after = a.Call(EchoContracts.Echo, new byte[] { 7 }, 5000);
            return after.IsOk && after.Value!.Length == 1 && after.Value[0] == 7 ? null : $"after a failure: {after}";
        });

        Check("a malformed message gets an error reply and the server keeps serving", () =>
        {
            var buffer = IpcBuffer.Current;
            buffer.SetMessage(EchoContracts.Echo.Id, new byte[] { 0xC1, 0xFF, 0x00, 0x13 });   // 0xC1 is never valid MessagePack
            var error = new Endpoint(Handle.Initial(1)).Call(5000);
            if (error != KernelError.None) return $"call failed: {error}";
            if (!Envelope.TryOpen(IpcBuffer.Current.PayloadSpan.ToArray(), IpcBuffer.Current.Label, out uint code, out _, out _, out _))
                return "the error reply itself is not a valid envelope";
            if (code == (uint)ReplyStatus.Ok) return "a malformed request was answered Ok";
            var after = a.Call(EchoContracts.Add, new Pair(1, 1), 5000);
            return after.IsOk && after.Value == 2 ? null : $"after a malformed message: {after}";
        });

        var reports = new List<StatsReport>();
        Check("each server reports its own GC figures in Stats", () =>
        {
            foreach (var (client, name) in new[] { (a, "echo-a"), (b, "echo-b") })
            {
                var r = client.Call(StandardRequests.Stats, default, 5000);
                if (!r.IsOk) return $"{name}: {r}";
                var s = r.Value!;
                if (s.Gen0Collections == 0) return $"{name}: no gen0 collection after {s.RequestsReceived} requests";
                if (s.HeapLimitBytes == 0 || s.HeapLimitBytes > 40L << 20) return $"{name}: heap limit {s.HeapLimitBytes}";
                if (s.RequestsOk == 0 || s.TotalAllocatedBytes == 0) return $"{name}: no requests or allocations counted";
                reports.Add(s);
            }
            if (reports[0].Server == reports[1].Server) return "both reports name the same server";
            if (reports[0].TotalAllocatedBytes == reports[1].TotalAllocatedBytes && reports[0].Gen0Collections == reports[1].Gen0Collections)
                return "identical GC figures: not separate heaps";
            return null;
        });
        if (reports.Count == 2) Console.WriteLine(StatsTable.Format(reports));
        Console.WriteLine($"echo: {5 - failures} passed, {failures} failed");
        return failures;
    }
}
