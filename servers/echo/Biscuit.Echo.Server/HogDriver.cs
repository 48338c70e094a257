// `echo-server hog`: the memory-hog scenario of issue 10 against the echo server in initial handle 1
// (several workers, a 32 MiB heap): six clients flood it with its most expensive request (Hog, a
// MAXLIVE budget of about 8 MiB) while another makes cheap requests (Add). Admission control must
// keep the server out of memory trouble: no handler fails, the cheap requests are all served, and
// the queueing and refusals show in Stats. Prints "ok - NAME" lines; exit status = failures.
using Biscuit.Echo;
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;

static class HogDriver
{
    public static int Run()
    {
        ServiceClient Client() => new(new KernelClientTransport(new Endpoint(Handle.Initial(1))));
        int failures = 0, cases = 0;
        void Check(string name, string? problem)
        {
            cases++;
            if (problem == null) Console.WriteLine($"ok - {name}");
            else { failures++; Console.WriteLine($"not ok - {name}: {problem}"); }
        }

        int hogsOk = 0, hogsBusy = 0, hogsOther = 0, cheapOk = 0, cheapWrong = 0;
        string? firstOther = null, firstWrong = null;
        var hogs = Enumerable.Range(0, 6).Select(_ => new Thread(() =>
        {
            var client = Client();
            for (int i = 0; i < 6; i++)
            {
                var r = client.Call(EchoContracts.Hog, EchoServer.MaxHogChunks, 120_000);
                if (r.IsOk && r.Value == (long)EchoServer.MaxHogChunks * EchoServer.HogChunkBytes) Interlocked.Increment(ref hogsOk);
                else if (r.Outcome == CallOutcome.ServerError && r.Status == ReplyStatus.Busy) Interlocked.Increment(ref hogsBusy);
                else { Interlocked.Increment(ref hogsOther); firstOther ??= r.ToString(); }
            }
        })).ToList();
        var cheap = new Thread(() =>
        {
            var client = Client();
            for (long i = 0; i < 3000; i++)
            {
                var r = client.Call(EchoContracts.Add, new Pair(i, 1), 120_000);
                if (r.IsOk && r.Value == i + 1) cheapOk++; else { cheapWrong++; firstWrong ??= $"request {i}: {r}"; }
            }
        });
        hogs.ForEach(t => t.Start());
        cheap.Start();
        hogs.ForEach(t => t.Join());
        cheap.Join();

        var stats = Client().Call(StandardRequests.Stats, default, 10_000);
        Console.WriteLine($"hog: hogs ok {hogsOk}, busy {hogsBusy}, other {hogsOther}; cheap ok {cheapOk}, wrong {cheapWrong}");
        if (stats.IsOk)
            Console.WriteLine($"hog: server admitted {stats.Value!.Admitted}, queued {stats.Value.Queued}, refused {stats.Value.Refused}, " +
                              $"handler failures {stats.Value.HandlerFailures}, gen2 collections {stats.Value.Gen2Collections}, heap limit {stats.Value.HeapLimitBytes}");

        Check("every cheap request is served while the server is flooded with expensive ones",
            cheapOk == 3000 ? null : $"{cheapOk} of 3000 cheap requests served, {cheapWrong} wrong (first: {firstWrong})");
        Check("an expensive request either completes or is refused as Busy, never fails midway",
            hogsOther == 0 && hogsOk > 0 ? null : $"{hogsOther} failed otherwise (first: {firstOther}), {hogsOk} completed");
        Check("the server never runs out of heap in a handler",
            stats.IsOk && stats.Value!.HandlerFailures == 0 ? null : $"Stats: {stats}");
        Check("admission control queued or refused expensive requests, visible in Stats",
            stats.IsOk && stats.Value!.Queued + stats.Value.Refused > 0 ? null : "nothing was queued or refused: the flood did not press on the heap");
        Console.WriteLine($"hog: {cases - failures} passed, {failures} failed");
        return failures;
    }
}
