// The demonstration server's handlers, registered on lib's MessageServer. `peer` (optional) is a
// client of another echo server, used by Pump.
using Biscuit.Annotations;
using Biscuit.Lib.Client;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Server;

namespace Biscuit.Echo;

public sealed class EchoServer(ServiceClient? peer)
{
    public void RegisterOn(MessageServer server)
    {
        server.Register(EchoContracts.Echo, Echo);
        server.Register(EchoContracts.Add, Add);
        server.Register(EchoContracts.Fail, Fail);
        server.Register(EchoContracts.Pump, Pump);
        server.Register(EchoContracts.Crash, Crash);
        server.Register(EchoContracts.Hang, Hang);
        server.Register(EchoContracts.Hog, Hog);
    }

    public const int HogChunkBytes = 1 << 20, MaxHogChunks = 8, HogHoldMilliseconds = 100;

    // The expensive request: up to 8 MiB held at once while it "works". Its MAXLIVE budget is what
    // lets admission control run a few at a time instead of running out of heap.
    [RequestHandler("Hog")]
    [MaxIterations(MaxHogChunks)]
    public static long Hog(long chunks)
    {
        if (chunks < 1 || chunks > MaxHogChunks) throw new InvalidOperationException("Hog takes 1 to 8 chunks");
        var held = new byte[MaxHogChunks][];
        long total = 0;
        for (int i = 0; i < chunks; i++)
        {
            held[i] = new byte[HogChunkBytes];
            held[i][i] = 1;
            total += held[i].Length;
        }
        Hold();
        return total + held[0][0] - 1;
    }

    [AssumeAllocation(0)]
    private static void Hold() => Thread.Sleep(HogHoldMilliseconds);

    [RequestHandler("Crash")]
    public static Empty Crash(Empty _)
    {
        Die();
        return default;
    }

    // The process ends here: whatever FailFast allocates never matters to the server's heap.
    [AssumeAllocation(0)]
    private static void Die() => Environment.FailFast("Crash requested");

    [RequestHandler("Hang")]
    public static Empty Hang(Empty _)
    {
        long spins = 0;
        while (true) spins++;
    }

    [RequestHandler("Echo")]
    public static byte[] Echo(byte[] data) => data;

    [RequestHandler("Add")]
    public static long Add(Pair p) => p.A + p.B;

    [RequestHandler("Fail")]
    public static Empty Fail(Empty _) => throw new InvalidOperationException("Fail always fails");

    [RequestHandler("Pump")]
    public PumpResult Pump(long count)
    {
        if (peer == null) throw new InvalidOperationException("this server has no peer to pump");
        long correct = 0;
        var payload = new byte[8];
        for (long i = 0; i < count; i++)
        {
            for (int b = 0; b < 8; b++) payload[b] = (byte)(i >> (8 * b));
            if (CallPeer(payload, i)) correct++;
        }
        return new PumpResult(count, correct);
    }

    // One Echo round trip through lib's client: the reply's buffers are garbage once checked.
    // lib's client and codecs are outside this analysis; 1 KiB covers the reply array, the
    // result struct and MessagePack's reader state (measured: under 200 bytes per call).
    [AssumeAllocation(1024, StackOnly = true)]
    private bool CallPeer(byte[] payload, long expected)
    {
        var r = peer!.Call(EchoContracts.Echo, payload, 10_000);
        if (!r.IsOk || r.Value!.Length != 8) return false;
        long value = 0;
        for (int b = 0; b < 8; b++) value |= (long)r.Value[b] << (8 * b);
        return value == expected;
    }
}
