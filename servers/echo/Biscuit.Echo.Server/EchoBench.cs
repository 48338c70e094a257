// `echo-server bench N`: the cost of one request between two .NET servers on Biscuit, split into
// its parts (issue 4's benchmark). Measured in the guest with the TSC-backed Stopwatch:
//   call      a typed ServiceClient call of Add to echo-a (encode, kernel IPC, server decode,
//             dispatch, encode reply, IPC back, decode) — the whole round trip
//   ipc       a raw ipc_call with an empty message to echo-a's endpoint (the kernel's share;
//             echo-a answers it with an Unknown-request error reply, so its loop's own work is in it)
//   codec     encoding an Add request and decoding its reply envelope in-process, no IPC
// and the server's GC pauses after the run (from its Stats histogram).
using System.Diagnostics;
using Biscuit.Echo;
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;

static class EchoBench
{
    public static int Run(int count)
    {
        var endpoint = new Endpoint(Handle.Initial(1));
        var client = new ServiceClient(new KernelClientTransport(endpoint));
        for (int i = 0; i < 1000; i++) client.Call(EchoContracts.Add, new Pair(i, i), 5000);   // warm-up

        var samples = new double[count];
        for (int i = 0; i < count; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            var r = client.Call(EchoContracts.Add, new Pair(i, 1), 5000);
            samples[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            if (!r.IsOk || r.Value != i + 1) { Console.WriteLine($"bench failed at {i}: {r}"); return 1; }
        }
        Report("servers_call", samples);

        for (int i = 0; i < count; i++)
        {
            var buffer = IpcBuffer.Current;
            buffer.SetMessage(1000, ReadOnlySpan<byte>.Empty);
            long t0 = Stopwatch.GetTimestamp();
            var e = endpoint.Call(5000);
            samples[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            if (e != KernelError.None) { Console.WriteLine($"bench ipc failed: {e}"); return 1; }
        }
        Report("servers_ipc", samples);

        var builder = new MessageBuilder();
        for (int i = 0; i < count; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            builder.Reset();
            Envelope.TryEncode(builder, EchoContracts.Add.Id, EchoContracts.Add.RequestCodec, new Pair(i, 1), out _);
            var bytes = builder.WrittenSpan.ToArray();
            Envelope.TryOpen(bytes, EchoContracts.Add.Id, out _, out var body, out _, out _);
            Envelope.TryReadBody(ref body, EchoContracts.Add.RequestCodec, out var pair, out _);
            samples[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            if (pair.A != i) { Console.WriteLine("bench codec failed"); return 1; }
        }
        Report("servers_codec", samples);

        var stats = client.Call(StandardRequests.Stats, default, 5000);
        if (stats.IsOk)
        {
            var s = stats.Value!;
            Console.WriteLine($"bench servers_gc gen0={s.Gen0Collections} gen1={s.Gen1Collections} gen2={s.Gen2Collections} " +
                              $"pause_total_ns={s.TotalPauseNs} pause_max_ns={s.MaxPauseNs} time_in_gc={s.TimeInGcFraction:F5} " +
                              $"histogram={string.Join(",", s.HistogramCounts)} bounds_ns={string.Join(",", s.HistogramUpperBoundsNs)}");
        }
        Console.WriteLine("bench done");
        return 0;
    }

    private static void Report(string name, double[] samples)
    {
        var sorted = (double[])samples.Clone();
        Array.Sort(sorted);
        double median = sorted[sorted.Length / 2], p99 = sorted[(int)(sorted.Length * 0.99)];
        Console.WriteLine($"bench {name} n={sorted.Length} median_us={median:F2} p99_us={p99:F2} rate_per_s={1e6 / median:F0}");
    }
}
