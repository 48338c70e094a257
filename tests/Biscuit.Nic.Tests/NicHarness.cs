// One test's NIC driver on the host: NicService over a FakeNic, served by lib's MessageServer on
// three workers (as nic-server does) over an InMemoryEndpoint, and ServiceClients. ClientAlive
// stands for ipc_reply_pending of the Hold being served: false is the client's process dead.
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Server;
using Biscuit.Nic.Protocol;

namespace Biscuit.Nic.Tests;

public sealed class NicHarness : IDisposable
{
    public const long Window = 0x5000_0000;
    public FakeNic Nic { get; } = new();
    public InMemoryEndpoint Endpoint { get; } = new();
    public NicService Service { get; }
    public List<CountingSignal> Signals { get; } = [];
    public volatile bool ClientAlive = true;

    public NicHarness()
    {
        Service = new NicService(Nic.Rings, Nic, Nic, h => { var s = new CountingSignal(h); lock (Signals) Signals.Add(s); return s; },
            () => ClientAlive, instance: 7, holdPollMs: 5);
        Service.Start();
        var server = new MessageServer(new ServerOptions { Name = "nic-test" });
        Service.RegisterOn(server);
        for (int i = 0; i < 3; i++)
        {
            var transport = Endpoint.CreateServer();
            new Thread(() => server.Run(transport)) { IsBackground = true, Name = "nic-test worker" }.Start();
        }
    }

    public ServiceClient NewClient() => new(Endpoint.CreateClient());

    public static CallResult<AttachReply> TryAttach(ServiceClient client, long window = Window, int handles = 1)
    {
        var list = new HandleList();
        for (int i = 0; i < handles; i++) list.Add(new Handle(0x1005 + (uint)i));
        return client.Call(NicContracts.Attach, new AttachRequest(window), list, 10_000);
    }

    public static AttachReply Attach(ServiceClient client)
    {
        var r = TryAttach(client);
        Assert.True(r.IsOk, r.ToString());
        Assert.True(r.Value!.IsOk, r.Value.Message);
        return r.Value;
    }

    public static ReceiveReply Receive(ServiceClient client, long session, params int[] returned)
    {
        var r = client.Call(NicContracts.Receive, new ReceiveRequest(session, returned), 10_000);
        Assert.True(r.IsOk, r.ToString());
        return r.Value!;
    }

    public static TransmitReply Transmit(ServiceClient client, long session, int[] slots, int[] lengths)
    {
        var r = client.Call(NicContracts.Transmit, new TransmitRequest(session, slots, lengths), 10_000);
        Assert.True(r.IsOk, r.ToString());
        return r.Value!;
    }

    public static byte[] Frame(int length, byte fill)
    {
        var f = new byte[length];
        Array.Fill(f, fill);
        return f;
    }

    public NicStats Stats() => NewClient().Call(NicContracts.NicStats, default, 10_000).Value;

    public void Dispose()
    {
        ClientAlive = false;
        Endpoint.Close();
        Thread.Sleep(20);                 // a Hold worker notices and leaves the fake's memory alone
        Nic.Dispose();
    }
}
