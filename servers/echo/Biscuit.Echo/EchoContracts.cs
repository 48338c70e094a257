// The requests of the demonstration server: Echo (bytes back), Add (two integers), Fail (its
// handler always throws: the loop must answer with an error and go on), Pump (this server calls its
// peer's Echo N times and reports how many came back right: two servers talking over kernel IPC),
// and Crash / Hang, which kill or hang the server on purpose (restart tests).
using Biscuit.Lib.Messages;

namespace Biscuit.Echo;

public readonly record struct Pair(long A, long B);
public readonly record struct PumpResult(long Sent, long Correct);

public static class EchoContracts
{
    private static readonly TwoIntegersCodec<Pair> PairCodec = new("Pair", (a, b) => new Pair(a, b), p => (p.A, p.B));
    private static readonly TwoIntegersCodec<PumpResult> PumpResultCodec = new("PumpResult", (s, c) => new PumpResult(s, c), r => (r.Sent, r.Correct));

    public static readonly RequestType<byte[], byte[]> Echo = new(16, "Echo", idempotent: true, Codecs.Bytes, Codecs.Bytes);
    public static readonly RequestType<Pair, long> Add = new(17, "Add", idempotent: true, PairCodec, Codecs.Int64);
    public static readonly RequestType<Empty, Empty> Fail = new(18, "Fail", idempotent: false, Codecs.Empty, Codecs.Empty);
    public static readonly RequestType<long, PumpResult> Pump = new(19, "Pump", idempotent: false, Codecs.Int64, PumpResultCodec);
    // For the restart tests (issue 9): Crash ends the process as an unhandled error would
    // (FailFast: SIGABRT); Hang never returns (a hung server, found by init's heartbeat).
    public static readonly RequestType<Empty, Empty> Crash = new(20, "Crash", idempotent: false, Codecs.Empty, Codecs.Empty);
    public static readonly RequestType<Empty, Empty> Hang = new(21, "Hang", idempotent: false, Codecs.Empty, Codecs.Empty);
    // For the admission tests (issue 10): Hog holds `chunks` MiB for a while — the expensive request.
    public static readonly RequestType<long, long> Hog = new(22, "Hog", idempotent: true, Codecs.Int64, Codecs.Int64);
}
