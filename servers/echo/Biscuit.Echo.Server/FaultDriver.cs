// `echo-server faults DISRUPTIONS`: the client loop of the fault-injection tests (issue 9;
// tests/manifests/faults-echo, tests/Biscuit.Boot.Tests/FaultInjectionTests.cs). Four echo servers,
// in initial handles 1 to 4, have `fault`, `hang`, `corrupt-reply` and `exhaust` injected repeatedly
// by init. One thread per server calls it in a loop, alternating an idempotent Echo and the same
// request sent as not idempotent (for `exhaust` every fourth call is an idempotent Hog of 8 MiB, so
// that the heap must grow while its budget is frozen), until it has seen DISRUPTIONS of its fault
// (server deaths seen as a retry or an I/O error; corrupted replies seen as a bad reply) or
// LoopLimit has passed.
// Rules checked (DESIGN.md §7): an idempotent request always completes with the right answer
// (retried); a non-idempotent one completes or reports an I/O error, never a wrong answer; a
// corrupted reply is an error on the client, never a crash, and the next call succeeds.
// Prints "ok - NAME" / "not ok - NAME: why" and one tally line per server; exit status = failures.
using System.Diagnostics;
using Biscuit.Echo;
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;

static class FaultDriver
{
    private static readonly TimeSpan LoopLimit = TimeSpan.FromSeconds(400);

    // Echo (16) as a client that may not resend it: the server answers it the same way.
    private static readonly RequestType<byte[], byte[]> EchoOnce = new(16, "EchoOnce", idempotent: false, Codecs.Bytes, Codecs.Bytes);

    private sealed class Tally
    {
        public long Calls, Retried, IoErrors, BadReplies, WrongAnswers, OtherFailures, BadReplyNotFollowedByOk;
        public string? FirstProblem;
        public void Problem(string what) { FirstProblem ??= what; }
    }

    public static int Run(int disruptions)
    {
        string[] kinds = { "fault", "hang", "corrupt-reply", "exhaust" };
        var tallies = new Tally[kinds.Length];
        var threads = new Thread[kinds.Length];
        for (int k = 0; k < kinds.Length; k++)
        {
            int index = k;
            tallies[k] = new Tally();
            threads[k] = new Thread(() => Loop(Handle.Initial(1 + index), kinds[index] == "corrupt-reply", kinds[index] == "exhaust", disruptions, tallies[index]));
            threads[k].Start();
        }
        foreach (var t in threads) t.Join();

        int failures = 0;
        void Check(string name, string? problem)
        {
            if (problem == null) Console.WriteLine($"ok - {name}");
            else { failures++; Console.WriteLine($"not ok - {name}: {problem}"); }
        }
        for (int k = 0; k < kinds.Length; k++)
        {
            Tally t = tallies[k];
            Console.WriteLine($"faults: {kinds[k]}: {t.Calls} calls, {t.Retried} idempotent calls retried, {t.IoErrors} I/O errors, " +
                              $"{t.BadReplies} bad replies, {t.WrongAnswers} wrong answers, {t.OtherFailures} other failures");
            Check($"{kinds[k]}: every idempotent request completes with the right answer",
                t.WrongAnswers == 0 && t.OtherFailures == 0 ? null : t.FirstProblem);
            if (kinds[k] == "corrupt-reply")
            {
                Check($"{kinds[k]}: each corrupted reply is a bad-reply error on the client and the next call succeeds",
                    t.BadReplies >= disruptions && t.BadReplyNotFollowedByOk == 0 ? null : $"{t.BadReplies} bad replies, {t.BadReplyNotFollowedByOk} not followed by a good one");
            }
            else
            {
                Check($"{kinds[k]}: the client saw {disruptions} server deaths, each a retry or an I/O error",
                    t.Retried + t.IoErrors >= disruptions ? null : $"only {t.Retried} retries and {t.IoErrors} I/O errors before the loop limit");
                Check($"{kinds[k]}: non-idempotent requests complete or report an I/O error",
                    t.BadReplies == 0 ? null : $"{t.BadReplies} bad replies");
            }
        }
        Console.WriteLine($"faults: {failures} failed");
        return failures;
    }

    private static void Loop(Handle server, bool corrupting, bool growing, int disruptions, Tally t)
    {
        var client = new ServiceClient(new KernelClientTransport(new Endpoint(server)));
        var clock = Stopwatch.StartNew();
        bool lastWasBad = false;
        for (long i = 0; clock.Elapsed < LoopLimit; i++)
        {
            long seen = corrupting ? t.BadReplies : t.Retried + t.IoErrors;
            if (seen >= disruptions) break;
            if (growing && i % 4 == 3)
            {
                var h = client.Call(EchoContracts.Hog, EchoServer.MaxHogChunks, 120_000);
                t.Calls++;
                if (h.Retries > 0) t.Retried++;
                if (h.IsOk && h.Value != (long)EchoServer.MaxHogChunks * EchoServer.HogChunkBytes) { t.WrongAnswers++; t.Problem($"call {i}: Hog gave {h.Value}"); }
                else if (!h.IsOk && h.Outcome != CallOutcome.ServerError) { t.OtherFailures++; t.Problem($"call {i} (Hog, idempotent): {h}"); }
                continue;
            }
            byte[] payload = BitConverter.GetBytes(i);
            bool idempotent = i % 2 == 0;
            var r = client.Call(idempotent ? EchoContracts.Echo : EchoOnce, payload, 120_000);
            t.Calls++;
            if (r.Retries > 0) t.Retried++;
            if (r.IsOk)
            {
                lastWasBad = false;
                if (!r.Value!.AsSpan().SequenceEqual(payload)) { t.WrongAnswers++; t.Problem($"call {i}: wrong answer"); }
                continue;
            }
            if (lastWasBad) t.BadReplyNotFollowedByOk++;
            lastWasBad = false;
            if (r.Outcome == CallOutcome.BadReply) { t.BadReplies++; lastWasBad = true; }
            else if (!idempotent && r.Outcome == CallOutcome.ServerDied && r.Error == KernelError.IoError) t.IoErrors++;
            else { t.OtherFailures++; t.Problem($"call {i} ({(idempotent ? "idempotent" : "not idempotent")}): {r}"); }
        }
    }
}
