// The client's rules when the server dies before replying (DESIGN.md §7): an idempotent request is
// resent and answered by the restarted server; a non-idempotent one is an I/O error, never resent.
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;

namespace Biscuit.Lib.Tests;

public class ClientRetryTests
{
    /// <summary>A server whose handler for `type` blocks on its first call until released, so the
    /// test can kill the server while a request is in service.</summary>
    private sealed class DyingServer : IDisposable
    {
        public readonly ManualResetEventSlim FirstCallEntered = new();
        public readonly ManualResetEventSlim ReleaseFirstCall = new();
        public int Calls;
        public readonly RunningServer Running;

        public DyingServer(RequestType<long, long> type)
        {
            Running = new RunningServer(s => s.Register(type, n =>
            {
                if (Interlocked.Increment(ref Calls) == 1)
                {
                    FirstCallEntered.Set();
                    ReleaseFirstCall.Wait();
                }
                return n * 2;
            }));
        }

        /// <summary>The server process dies mid-request; its stuck thread is let go and exits (EBADF).</summary>
        public void Die()
        {
            Running.Endpoint.ServerDied();
            ReleaseFirstCall.Set();
            Wait.Until(() => Running.Exits.Count == 1, "dead worker left its loop");
            Assert.Equal(KernelError.BadHandle, Running.Exits.Single());
        }

        public void Dispose() => Running.Dispose();
    }

    private static Func<CallResult<long>> CallInBackground(InMemoryEndpoint endpoint, RequestType<long, long> type, long value, ulong timeoutMs = 60_000)
    {
        CallResult<long> result = default;
        var client = new ServiceClient(endpoint.CreateClient());
        var thread = new Thread(() => result = client.Call(type, value, timeoutMs)) { IsBackground = true };
        thread.Start();
        return () =>
        {
            Assert.True(thread.Join(TimeSpan.FromSeconds(60)), "call never returned");
            return result;
        };
    }

    [Fact]
    public void An_idempotent_request_is_resent_after_the_server_dies_and_the_restarted_server_answers()
    {
        using var dying = new DyingServer(Calc.Collect);
        var join = CallInBackground(dying.Running.Endpoint, Calc.Collect, 21);
        Assert.True(dying.FirstCallEntered.Wait(TimeSpan.FromSeconds(30)));
        dying.Die();
        Wait.Until(() => dying.Running.Endpoint.QueuedCalls == 1, "resent call waiting for the restart");
        dying.Running.StartWorkers(1);   // the reincarnation

        var result = join();
        Assert.True(result.IsOk, result.ToString());
        Assert.Equal(42, result.Value);
        Assert.Equal(1, result.Retries);
        Assert.Equal(2, dying.Calls);
    }

    [Fact]
    public void A_non_idempotent_request_whose_server_died_is_an_io_error_and_is_not_resent()
    {
        using var dying = new DyingServer(Calc.Append);
        var join = CallInBackground(dying.Running.Endpoint, Calc.Append, 5);
        Assert.True(dying.FirstCallEntered.Wait(TimeSpan.FromSeconds(30)));
        dying.Die();

        var result = join();
        Assert.Equal(CallOutcome.ServerDied, result.Outcome);
        Assert.Equal(KernelError.IoError, result.Error);
        Assert.Equal(0, result.Retries);
        Assert.Contains("not idempotent", result.Message);
        Assert.Equal(0, dying.Running.Endpoint.QueuedCalls);

        dying.Running.StartWorkers(1);
        var next = new ServiceClient(dying.Running.Endpoint.CreateClient()).Call(Calc.Append, 6, 30_000);
        Assert.Equal(12, next.Value);
        Assert.Equal(2, dying.Calls);   // the first request ran once (in the dead server), never again
    }

    [Fact]
    public void An_idempotent_request_gives_up_after_the_retry_limit()
    {
        var endpoint = new InMemoryEndpoint();
        var client = new ServiceClient(endpoint.CreateClient(), maxRetries: 2);
        CallResult<long> result = default;
        var thread = new Thread(() => result = client.Call(Calc.Collect, 1, 60_000));
        thread.Start();
        for (int death = 0; death < 3; death++)
        {
            Wait.Until(() => endpoint.QueuedCalls == 1, $"attempt {death + 1} queued");
            endpoint.ServerDied();   // kills the queued call too (EOWNERDEAD), as the kernel does
        }
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)));
        Assert.Equal(CallOutcome.TransportFailed, result.Outcome);
        Assert.Equal(KernelError.OwnerDead, result.Error);
        Assert.Equal(2, result.Retries);
    }

    [Fact]
    public void A_call_nobody_answers_times_out()
    {
        var result = new ServiceClient(new InMemoryEndpoint().CreateClient()).Call(Calc.Add, new Pair(1, 2), 20);
        Assert.Equal((CallOutcome.TransportFailed, KernelError.TimedOut), (result.Outcome, result.Error));
    }

    [Fact]
    public void A_request_too_large_for_one_message_is_refused_before_sending()
    {
        var endpoint = new InMemoryEndpoint();
        var echo = new RequestType<string, string>(40, "Echo", true, Codecs.String, Codecs.String);
        var result = new ServiceClient(endpoint.CreateClient()).Call(echo, new string('x', 5000), 1000);
        Assert.Equal(CallOutcome.RequestTooLarge, result.Outcome);
        Assert.Equal(0, endpoint.QueuedCalls);
    }

    [Fact]
    public void A_reply_that_cannot_be_decoded_is_a_bad_reply()
    {
        var endpoint = new InMemoryEndpoint();
        var server = endpoint.CreateServer();
        var responder = new Thread(() =>
        {
            Assert.Equal(KernelError.None, server.Receive(Syscalls.Forever));
            server.Buffer.SetMessage(0, [0x93, 0x01, 0x00, 0xA3, (byte)'a']);   // Ok, body is a string cut short
            server.ReplyReceive(Syscalls.NoWait);
        });
        responder.Start();
        var result = new ServiceClient(endpoint.CreateClient()).Call(Calc.Add, new Pair(1, 2), 30_000);
        Assert.True(responder.Join(TimeSpan.FromSeconds(30)));
        Assert.Equal(CallOutcome.BadReply, result.Outcome);
        Assert.Contains("Add reply", result.Message);
    }
}
