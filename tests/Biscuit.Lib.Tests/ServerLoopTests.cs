// The server loop over the in-memory endpoint: correct results at volume, and every kind of bad
// request or failing handler answered with an error reply while the loop keeps serving.
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Server;
using MessagePack;

namespace Biscuit.Lib.Tests;

public class ServerLoopTests
{
    private static void RegisterCalculator(MessageServer server)
    {
        server.Register(Calc.Add, p => p.A + p.B);
        server.Register(Calc.Divide, p => p.A / p.B);   // throws DivideByZeroException for B = 0
        server.Register(Calc.Repeat, n => new string('r', (int)n));
    }

    [Fact]
    public void Serves_100000_requests_between_two_threads_with_correct_results()
    {
        using var running = new RunningServer(RegisterCalculator);
        var client = new ServiceClient(running.Endpoint.CreateClient());
        for (long i = 0; i < 100_000; i++)
        {
            var result = client.Call(Calc.Add, new Pair(i, 3 * i + 1), 30_000);
            if (!result.IsOk || result.Value != 4 * i + 1) Assert.Fail($"request {i}: {result}");
        }
        Assert.Equal(100_000, running.Server.Counters.Ok);
        Assert.Equal(100_000, running.Server.Counters.Received);
    }

    [Fact]
    public void Several_clients_and_workers_each_get_their_own_answers()
    {
        using var running = new RunningServer(RegisterCalculator, workers: 2);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var clients = Enumerable.Range(0, 4).Select(c => new Thread(() =>
        {
            var client = new ServiceClient(running.Endpoint.CreateClient(badge: (ulong)c));
            for (long i = 0; i < 5_000; i++)
            {
                var r = client.Call(Calc.Add, new Pair(c * 1_000_000L, i), 30_000);
                if (!r.IsOk || r.Value != c * 1_000_000L + i) failures.Enqueue($"client {c} request {i}: {r}");
            }
        })).ToList();
        clients.ForEach(t => t.Start());
        clients.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(120))));
        Assert.Empty(failures);
        Assert.Equal(20_000, running.Server.Counters.Ok);
    }

    [Fact]
    public void A_client_call_with_value_type_bodies_allocates_nothing_in_steady_state()
    {
        using var running = new RunningServer(RegisterCalculator);
        var client = new ServiceClient(running.Endpoint.CreateClient());
        for (int i = 0; i < 100; i++) client.Call(Calc.Add, new Pair(i, i), 30_000);   // warm up (first-use allocations)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) client.Call(Calc.Add, new Pair(i, i), 30_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_throwing_handler_gets_an_error_reply_one_log_line_and_the_loop_goes_on()
    {
        using var running = new RunningServer(RegisterCalculator);
        var client = new ServiceClient(running.Endpoint.CreateClient());

        var failed = client.Call(Calc.Divide, new Pair(1, 0), 30_000);
        Assert.Equal(CallOutcome.ServerError, failed.Outcome);
        Assert.Equal(ReplyStatus.HandlerFailed, failed.Status);
        Assert.Contains("DivideByZeroException", failed.Message);

        var next = client.Call(Calc.Divide, new Pair(10, 2), 30_000);
        Assert.True(next.IsOk, next.ToString());
        Assert.Equal(5, next.Value);
        Assert.Single(running.Log);
        Assert.Contains("Divide", running.Log.Single());
        Assert.DoesNotContain('\n', running.Log.Single());
        Assert.Equal(1, running.Server.Counters.HandlerFailed);
    }

    [Fact]
    public void A_malformed_message_gets_a_malformed_reply_and_the_loop_goes_on()
    {
        using var running = new RunningServer(RegisterCalculator);
        var raw = running.Endpoint.CreateClient();
        raw.Buffer.SetMessage(Calc.Add.Id, [0x93, 0x01]);   // an envelope cut short
        Assert.Equal(KernelError.None, raw.Call(30_000));
        Assert.Equal((ulong)ReplyStatus.Malformed, raw.Buffer.Label);
        Assert.Contains("envelope", ErrorText(raw.Buffer));

        var client = new ServiceClient(raw);
        Assert.Equal(3, client.Call(Calc.Add, new Pair(1, 2), 30_000).Value);
        Assert.Equal(1, running.Server.Counters.Malformed);
        Assert.Empty(running.Log);   // bad input is the client's problem, not a server fault worth a log line
    }

    [Fact]
    public void A_body_of_the_wrong_type_gets_a_malformed_reply_naming_the_request()
    {
        using var running = new RunningServer(RegisterCalculator);
        var raw = running.Endpoint.CreateClient();
        var builder = new MessageBuilder();
        Assert.True(Envelope.TryEncode(builder, Calc.Add.Id, Codecs.String, "one plus two", out _));
        raw.Buffer.SetMessage(Calc.Add.Id, builder.WrittenSpan);
        Assert.Equal(KernelError.None, raw.Call(30_000));
        Assert.Equal((ulong)ReplyStatus.Malformed, raw.Buffer.Label);
        Assert.StartsWith("Add: undecodable body", ErrorText(raw.Buffer));
    }

    [Fact]
    public void A_message_of_another_version_gets_a_version_mismatch_reply()
    {
        using var running = new RunningServer(RegisterCalculator);
        var raw = running.Endpoint.CreateClient();
        raw.Buffer.SetMessage(Calc.Add.Id, [0x93, 0x07, (byte)Calc.Add.Id, 0xC0]);
        Assert.Equal(KernelError.None, raw.Call(30_000));
        Assert.Equal((ulong)ReplyStatus.VersionMismatch, raw.Buffer.Label);
        Assert.Contains("version 7", ErrorText(raw.Buffer));
    }

    [Fact]
    public void A_header_whose_length_exceeds_the_payload_area_is_malformed()
    {
        // The kernel never delivers such a header; the loop still must not trust it.
        var server = new MessageServer(new ServerOptions { Log = _ => { } });
        var bytes = new byte[IpcBuffer.Size];
        var buffer = new IpcBuffer(bytes) { Label = Calc.Add.Id, Length = 5000 };
        server.Serve(buffer, new byte[IpcBuffer.MaxPayload], new MessageBuilder());
        Assert.Equal((ulong)ReplyStatus.Malformed, buffer.Label);
        Assert.Contains("header out of range", ErrorText(buffer));
    }

    [Fact]
    public void An_unknown_request_type_gets_an_unknown_request_reply()
    {
        using var running = new RunningServer(RegisterCalculator);
        var result = new ServiceClient(running.Endpoint.CreateClient()).Call(Calc.Unregistered, default, 30_000);
        Assert.Equal((CallOutcome.ServerError, ReplyStatus.UnknownRequest), (result.Outcome, result.Status));
        Assert.Contains("99", result.Message);
        Assert.Equal(1, running.Server.Counters.Unknown);
    }

    [Fact]
    public void A_response_too_large_for_one_message_gets_a_reply_too_large()
    {
        using var running = new RunningServer(RegisterCalculator);
        var client = new ServiceClient(running.Endpoint.CreateClient());
        var result = client.Call(Calc.Repeat, 5000, 30_000);
        Assert.Equal((CallOutcome.ServerError, ReplyStatus.ReplyTooLarge), (result.Outcome, result.Status));
        Assert.Equal(4000, client.Call(Calc.Repeat, 4000, 30_000).Value!.Length);
    }

    [Fact]
    public void A_handler_sees_the_badge_and_handles_and_can_return_handles()
    {
        var echoHandles = new RequestType<Empty, long>(30, "EchoHandles", true, Codecs.Empty, Codecs.Int64);
        using var running = new RunningServer(s => s.Register(echoHandles, (ref RequestContext context, Empty _) =>
        {
            for (int i = 0; i < context.HandleCount; i++) context.AttachReplyHandle(new Handle(context.GetHandle(i).Value + 1));
            return (long)context.Badge;
        }));
        var client = new ServiceClient(running.Endpoint.CreateClient(badge: 77));
        var handles = new HandleList();
        Assert.True(handles.Add(new Handle(100)));
        Assert.True(handles.Add(new Handle(200)));
        var result = client.Call(echoHandles, default, handles, 30_000);
        Assert.True(result.IsOk, result.ToString());
        Assert.Equal(77, result.Value);
        Assert.Equal(2, result.Handles.Count);
        Assert.Equal((101u, 201u), (result.Handles[0].Value, result.Handles[1].Value));

        var plain = client.Call(echoHandles, default, 30_000);   // no handles this time: none come back
        Assert.Equal(0, plain.Handles.Count);
    }

    [Fact]
    public void A_handle_list_holds_at_most_four()
    {
        var handles = new HandleList();
        for (uint i = 1; i <= 4; i++) Assert.True(handles.Add(new Handle(i)));
        Assert.False(handles.Add(new Handle(5)));
        Assert.Equal(4, handles.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => handles[4]);
    }

    [Fact]
    public void Registering_a_request_id_twice_or_after_the_loop_started_is_refused()
    {
        var server = new MessageServer(new ServerOptions());
        server.Register(Calc.Add, p => 0L);
        Assert.Throws<InvalidOperationException>(() => server.Register(Calc.Add, p => 1L));
        using var running = new RunningServer(RegisterCalculator);
        Assert.True(new ServiceClient(running.Endpoint.CreateClient()).Call(Calc.Add, new Pair(1, 1), 30_000).IsOk);
        var e = Assert.Throws<InvalidOperationException>(() => running.Server.Register(Calc.Cheap, n => n));
        Assert.Contains("before the server loop runs", e.Message);
    }

    [Fact]
    public void The_loop_returns_bad_handle_when_its_endpoint_is_closed()
    {
        var running = new RunningServer(RegisterCalculator);
        running.Dispose();
        Assert.Equal(KernelError.BadHandle, Assert.Single(running.Exits));
    }

    private static string ErrorText(IpcBuffer reply)
    {
        var payload = reply.PayloadSpan.ToArray();
        Assert.True(Envelope.TryOpen(payload, reply.Label, out _, out MessagePackReader body, out _, out string reason), reason);
        Assert.True(Envelope.TryReadBody(ref body, Codecs.String, out string text, out reason), reason);
        return text;
    }
}
