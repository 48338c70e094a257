// The in-memory endpoint keeps the kernel's rendezvous semantics (Syscalls.md "IPC";
// microkernel/Kernel/Ipc/Endpoint.cs), so that what the tests prove of clients and servers holds
// over the kernel too.
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;

namespace Biscuit.Lib.Tests;

public class InMemoryEndpointTests
{
    private static void Send(InMemoryClientTransport client, ulong label, byte payload) =>
        client.Buffer.SetMessage(label, [payload]);

    /// <summary>Starts a call on a thread and returns a function that joins it and gives its error.</summary>
    private static Func<KernelError> CallInBackground(InMemoryClientTransport client, ulong timeoutMs = Syscalls.Forever)
    {
        KernelError result = KernelError.None;
        var thread = new Thread(() => result = client.Call(timeoutMs)) { IsBackground = true };
        thread.Start();
        return () =>
        {
            Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "the call never returned");
            return result;
        };
    }

    [Fact]
    public void A_call_is_received_with_its_badge_and_answered_with_the_reply()
    {
        var endpoint = new InMemoryEndpoint();
        var client = endpoint.CreateClient(badge: 42);
        var server = endpoint.CreateServer();
        Send(client, 7, 0xAB);
        var request = client.Buffer;
        request.HandleCount = 1;
        request.SetHandle(0, 0x1005);
        var join = CallInBackground(client);

        Assert.Equal(KernelError.None, server.Receive(Syscalls.Forever));
        Assert.Equal(7UL, server.Buffer.Label);
        Assert.Equal(42UL, server.Buffer.Badge);
        Assert.Equal(0xAB, server.Buffer.PayloadSpan[0]);
        Assert.Equal(1u, server.Buffer.HandleCount);
        Assert.Equal(0x1005u, server.Buffer.GetHandle(0));

        server.Buffer.SetMessage(0, [0xCD, 0xEF]);
        Assert.Equal(KernelError.WouldBlock, server.ReplyReceive(Syscalls.NoWait));
        Assert.Equal(KernelError.None, join());
        Assert.Equal(0UL, client.Buffer.Label);
        Assert.Equal(new byte[] { 0xCD, 0xEF }, client.Buffer.PayloadSpan.ToArray());
        Assert.Equal(0UL, client.Buffer.Badge);
    }

    [Fact]
    public void Receive_with_timeout_0_and_no_caller_would_block()
    {
        Assert.Equal(KernelError.WouldBlock, new InMemoryEndpoint().CreateServer().Receive(Syscalls.NoWait));
    }

    [Fact]
    public void Receive_with_a_timeout_and_no_caller_times_out()
    {
        Assert.Equal(KernelError.TimedOut, new InMemoryEndpoint().CreateServer().Receive(20));
    }

    [Fact]
    public void A_call_nobody_receives_times_out_and_leaves_the_queue()
    {
        var endpoint = new InMemoryEndpoint();
        var client = endpoint.CreateClient();
        Send(client, 1, 0);
        Assert.Equal(KernelError.TimedOut, client.Call(20));
        Assert.Equal(0, endpoint.QueuedCalls);
        Assert.Equal(KernelError.WouldBlock, endpoint.CreateServer().Receive(Syscalls.NoWait));
    }

    [Fact]
    public void A_call_is_handed_at_once_to_a_waiting_receiver()
    {
        var endpoint = new InMemoryEndpoint();
        var server = endpoint.CreateServer();
        KernelError received = KernelError.TimedOut;
        var receiver = new Thread(() => received = server.Receive(Syscalls.Forever));
        receiver.Start();
        Wait.Until(() => endpoint.WaitingReceivers == 1, "server waiting in receive");
        var client = endpoint.CreateClient();
        Send(client, 5, 1);
        var join = CallInBackground(client);
        Assert.True(receiver.Join(TimeSpan.FromSeconds(30)));
        Assert.Equal(KernelError.None, received);
        Assert.Equal((0, 0), (endpoint.QueuedCalls, endpoint.WaitingReceivers));
        server.Buffer.SetMessage(0, []);
        Assert.Equal(KernelError.WouldBlock, server.ReplyReceive(Syscalls.NoWait));
        Assert.Equal(KernelError.None, join());
    }

    [Fact]
    public void A_call_whose_server_is_too_slow_times_out_and_the_late_reply_is_dropped()
    {
        var endpoint = new InMemoryEndpoint();
        var client = endpoint.CreateClient();
        var server = endpoint.CreateServer();
        KernelError received = KernelError.TimedOut;
        var receiver = new Thread(() => received = server.Receive(Syscalls.Forever));
        receiver.Start();
        Wait.Until(() => endpoint.WaitingReceivers == 1, "server waiting in receive");
        Send(client, 1, 0);
        Assert.Equal(KernelError.TimedOut, client.Call(20));   // handed over at once, then no reply within 20 ms
        Assert.True(receiver.Join(TimeSpan.FromSeconds(30)));
        Assert.Equal(KernelError.None, received);
        server.Buffer.SetMessage(0, [9]);
        Assert.Equal(KernelError.WouldBlock, server.ReplyReceive(Syscalls.NoWait));   // reply dropped, no error
        Assert.Equal(1, client.Buffer.PayloadSpan.Length);
        Assert.Equal(0, client.Buffer.PayloadSpan[0]);                              // the caller's buffer was not overwritten
    }

    [Fact]
    public void A_dead_servers_waiting_receiver_gets_bad_handle_and_takes_no_calls()
    {
        var endpoint = new InMemoryEndpoint();
        var server = endpoint.CreateServer();
        KernelError received = KernelError.None;
        var receiver = new Thread(() => received = server.Receive(Syscalls.Forever));
        receiver.Start();
        Wait.Until(() => endpoint.WaitingReceivers == 1, "server waiting in receive");
        endpoint.ServerDied();
        Assert.True(receiver.Join(TimeSpan.FromSeconds(30)));
        Assert.Equal(KernelError.BadHandle, received);
        var client = endpoint.CreateClient();
        Send(client, 1, 0);
        Assert.Equal(KernelError.TimedOut, client.Call(20));   // queued for a restart that never comes
    }

    [Fact]
    public void A_call_with_timeout_0_is_invalid()
    {
        var client = new InMemoryEndpoint().CreateClient();
        Send(client, 1, 0);
        Assert.Equal(KernelError.InvalidArgument, client.Call(Syscalls.NoWait));
    }

    [Fact]
    public void An_oversized_message_is_refused_to_its_sender()
    {
        var client = new InMemoryEndpoint().CreateClient();
        var request = client.Buffer;
        request.Length = IpcBuffer.MaxPayload + 1;
        Assert.Equal(KernelError.MessageTooLong, client.Call(100));
        request.Length = 0;
        request.HandleCount = 5;
        Assert.Equal(KernelError.InvalidArgument, client.Call(100));
    }

    [Fact]
    public void Receiving_again_without_replying_cancels_the_caller()
    {
        var endpoint = new InMemoryEndpoint();
        var client = endpoint.CreateClient();
        var server = endpoint.CreateServer();
        Send(client, 1, 0);
        var join = CallInBackground(client);
        Assert.Equal(KernelError.None, server.Receive(Syscalls.Forever));
        Assert.Equal(KernelError.WouldBlock, server.Receive(Syscalls.NoWait));
        Assert.Equal(KernelError.Canceled, join());
    }

    [Fact]
    public void When_the_server_dies_its_callers_fail_with_owner_dead_and_its_threads_with_bad_handle()
    {
        var endpoint = new InMemoryEndpoint();
        var inService = endpoint.CreateClient();
        var queued = endpoint.CreateClient();
        var server = endpoint.CreateServer();
        Send(inService, 1, 0);
        var joinInService = CallInBackground(inService);
        Assert.Equal(KernelError.None, server.Receive(Syscalls.Forever));
        Send(queued, 2, 0);
        var joinQueued = CallInBackground(queued);
        Wait.Until(() => endpoint.QueuedCalls == 1, "second call queued");

        endpoint.ServerDied();

        Assert.Equal(KernelError.OwnerDead, joinInService());
        Assert.Equal(KernelError.OwnerDead, joinQueued());
        Assert.Equal(KernelError.BadHandle, server.ReplyReceive(Syscalls.NoWait));
        Assert.Equal(KernelError.BadHandle, server.Receive(Syscalls.NoWait));
    }

    [Fact]
    public void After_a_death_calls_wait_for_the_restarted_server()
    {
        var endpoint = new InMemoryEndpoint();
        endpoint.CreateServer();
        endpoint.ServerDied();
        var client = endpoint.CreateClient();
        Send(client, 3, 0);
        var join = CallInBackground(client);
        Wait.Until(() => endpoint.QueuedCalls == 1, "call queued while no server runs");
        var restarted = endpoint.CreateServer();
        Assert.Equal(KernelError.None, restarted.Receive(Syscalls.Forever));
        Assert.Equal(3UL, restarted.Buffer.Label);
        restarted.Buffer.SetMessage(0, []);
        Assert.Equal(KernelError.WouldBlock, restarted.ReplyReceive(Syscalls.NoWait));
        Assert.Equal(KernelError.None, join());
    }

    [Fact]
    public void Closing_the_endpoint_fails_queued_callers_and_waiting_receivers_with_bad_handle()
    {
        var endpoint = new InMemoryEndpoint();
        var client = endpoint.CreateClient();
        Send(client, 1, 0);
        var join = CallInBackground(client);
        Wait.Until(() => endpoint.QueuedCalls == 1, "call queued");
        KernelError received = KernelError.None;
        endpoint.Close();
        var receiver = new Thread(() => received = endpoint.CreateServer().Receive(Syscalls.Forever));
        receiver.Start();
        Assert.True(receiver.Join(TimeSpan.FromSeconds(30)));
        Assert.Equal(KernelError.BadHandle, received);
        Assert.Equal(KernelError.BadHandle, join());
        Assert.Equal(KernelError.BadHandle, client.Call(100));
    }

    [Fact]
    public void Calls_are_received_in_the_order_they_were_made()
    {
        var endpoint = new InMemoryEndpoint();
        var joins = new List<Func<KernelError>>();
        for (byte i = 0; i < 5; i++)
        {
            var client = endpoint.CreateClient(badge: i);
            Send(client, i, i);
            joins.Add(CallInBackground(client));
            Wait.Until(() => endpoint.QueuedCalls == i + 1, $"call {i} queued");
        }
        var server = endpoint.CreateServer();
        for (byte i = 0; i < 5; i++)
        {
            Assert.Equal(KernelError.None, i == 0 ? server.Receive(Syscalls.Forever) : server.ReplyReceive(Syscalls.Forever));
            Assert.Equal((ulong)i, server.Buffer.Badge);
            server.Buffer.SetMessage(0, []);
        }
        Assert.Equal(KernelError.WouldBlock, server.ReplyReceive(Syscalls.NoWait));
        foreach (var join in joins) Assert.Equal(KernelError.None, join());
    }
}
