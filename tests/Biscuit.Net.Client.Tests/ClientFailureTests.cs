// What SocketServiceClient returns when the call itself fails rather than the socket call:
// -EIO with the reason in LastFailure, never an exception.
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Net.Protocol;
using static Biscuit.Net.Protocol.LinuxErrno;

namespace Biscuit.Net.Client.Tests;

public class ClientFailureTests
{
    [Fact]
    public void Every_call_to_a_closed_endpoint_answers_EIO_and_says_why()
    {
        var endpoint = new InMemoryEndpoint();
        var net = new SocketServiceClient(new ServiceClient(endpoint.CreateClient()), timeoutMs: 1000);
        endpoint.Close();
        Assert.Equal(-EIO, net.Socket(SocketConstants.AF_INET, SocketConstants.SOCK_STREAM));
        Assert.NotNull(net.LastFailure);
        Assert.Equal(-EIO, net.Accept(1, out _, out _));
        Assert.Equal(-EIO, net.Receive(1, new byte[4]));
        Assert.Equal(-EIO, net.GetOption(1, 1, 4, out _));
        Assert.Equal(-EIO, net.GetName(1, out _, out _));
        Assert.Empty(net.PollEvents(10, out bool more));
        Assert.False(more);
        Assert.Contains("TransportFailed", net.LastFailure);
    }

    [Fact]
    public void A_server_that_does_not_answer_in_time_gives_EIO()
    {
        var endpoint = new InMemoryEndpoint();                // nobody receives
        var net = new SocketServiceClient(new ServiceClient(endpoint.CreateClient()), timeoutMs: 50);
        Assert.Equal(-EIO, net.Close(1));
        Assert.Contains("ETIMEDOUT", net.LastFailure);
    }

    [Fact]
    public void Send_of_more_than_one_transfer_sends_only_the_first_transfer()
    {
        var endpoint = new InMemoryEndpoint();
        var server = new Biscuit.Lib.Server.MessageServer(new Biscuit.Lib.Server.ServerOptions { Name = "fake" });
        int seen = -1;
        server.Register(SocketRequests.Send, r => { seen = r.Data.Length; return r.Data.Length; });
        var transport = endpoint.CreateServer();
        var thread = new Thread(() => server.Run(transport)) { IsBackground = true };
        thread.Start();
        var net = new SocketServiceClient(new ServiceClient(endpoint.CreateClient()));
        Assert.Equal(SocketLimits.MaxTransferBytes, net.Send(1, new byte[3 * SocketLimits.MaxTransferBytes]));
        Assert.Equal(SocketLimits.MaxTransferBytes, seen);
        endpoint.Close();
        thread.Join(5000);
    }

    [Fact]
    public void A_Receive_reply_claiming_more_bytes_than_asked_is_EIO()
    {
        var endpoint = new InMemoryEndpoint();
        var server = new Biscuit.Lib.Server.MessageServer(new Biscuit.Lib.Server.ServerOptions { Name = "liar" });
        server.Register(SocketRequests.Receive, r => new ReceiveReply(100, new byte[100], 0, 0));
        var transport = endpoint.CreateServer();
        var thread = new Thread(() => server.Run(transport)) { IsBackground = true };
        thread.Start();
        var net = new SocketServiceClient(new ServiceClient(endpoint.CreateClient()));
        var small = new byte[10];
        Assert.Equal(-EIO, net.Receive(1, small));
        Assert.Contains("at most 10", net.LastFailure);
        Assert.All(small, b => Assert.Equal(0, b));
        endpoint.Close();
        thread.Join(5000);
    }
}
