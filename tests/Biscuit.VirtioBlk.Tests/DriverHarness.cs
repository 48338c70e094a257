// One test's block driver on the host: BlockService over a MemoryDisk, served by lib's MessageServer
// on several worker threads (as blk-server does) over an InMemoryEndpoint, and a ServiceClient.
// Kill() is the driver process dying: callers in service get EOWNERDEAD, the window is revoked;
// Restart() starts a new instance (a fresh BlockService: not connected, nothing pinned) on the same
// endpoint.
using Biscuit.Block.Protocol;
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Server;

namespace Biscuit.VirtioBlk.Tests;

public sealed class DriverHarness : IDisposable
{
    public const int Workers = 4;
    public MemoryDisk Disk { get; }
    public MemoryWindow Window { get; }
    /// <summary>The pages a client lends for direct reads, as both sides see them (null: a driver without pins).</summary>
    public MemoryLoan? Loan { get; }
    public InMemoryEndpoint Endpoint { get; } = new();
    public BlockService Service { get; private set; } = null!;
    public MessageServer Server { get; private set; } = null!;
    public List<string> Log { get; } = [];
    public int Instances { get; private set; }

    public DriverHarness(long sectors = 2048, int slots = 4, int slotBytes = 8192, bool pins = true)
    {
        Disk = new MemoryDisk(sectors, slots, slotBytes);
        Window = new MemoryWindow(Disk);
        Loan = pins ? new MemoryLoan() : null;
        Start();
    }

    public ServiceClient NewClient() => new(Endpoint.CreateClient());

    // Starting an instance and killing one exclude each other: an instance's workers all belong to
    // one incarnation of the endpoint (a kill in the middle of a start would leave some of them
    // alive in the next one, as no real process could be).
    private readonly object lifecycle = new();

    private void Start()
    {
        lock (lifecycle) StartLocked();
    }

    private void StartLocked()
    {
        Instances++;
        Service = new BlockService(Disk, Window, Loan);
        Server = new MessageServer(new ServerOptions { Name = "blk-test", Log = line => { lock (Log) Log.Add(line); } });
        Service.RegisterOn(Server);
        var server = Server;
        for (int i = 0; i < Workers; i++)
        {
            var transport = Endpoint.CreateServer();
            new Thread(() => server.Run(transport)) { IsBackground = true, Name = "blk-test worker" }.Start();
        }
    }

    public void Kill()
    {
        lock (lifecycle)
        {
            Window.Revoke();
            Loan?.DriverDied();
            Endpoint.ServerDied();
        }
    }

    public void Restart()
    {
        Disk.Reset();
        Start();
    }

    /// <summary>For MemoryDisk.BeforeNextTransfer: the driver dies in the middle of a request. The
    /// dying worker never runs again (a dead process's threads do not), and "init" starts the next
    /// instance from another thread.</summary>
    public void DieInTheMiddle()
    {
        Kill();
        var restart = new Thread(Restart) { IsBackground = true, Name = "blk-test init" };
        restart.Start();
        restart.Join();
        dead.Wait();
    }

    private readonly ManualResetEventSlim dead = new();

    public void KillAndRestart()
    {
        Kill();
        Restart();
    }

    /// <summary>Connects a client (the window "mapped" at MemoryWindow.ClientAddress) and checks it worked.</summary>
    public ConnectReply Connect(ServiceClient client)
    {
        var r = client.Call(BlockContracts.Connect, new ConnectRequest(MemoryWindow.ClientAddress), 10_000);
        Assert.True(r.IsOk, r.ToString());
        Assert.Equal(BlockErrno.None, r.Value.Errno);
        return r.Value;
    }

    public void Dispose()
    {
        dead.Set();
        Endpoint.Close();
        Disk.Dispose();
        Loan?.Dispose();
    }
}
