// blk-server serve NAME: the block driver on Biscuit. Finds the device manager among its initial
// handles (manifest option `devices`), claims and resets the virtio-blk device, starts the
// interrupt thread, and serves the block protocol (Biscuit.Block.Protocol) on initial handle 0
// with lib's MessageServer on several workers, so that several requests are in flight at once
// (each worker blocks in the queue only for its own request). A restarted instance does the same:
// the reset at start puts the device in a known state, and its client reconnects (ENOTCONN).
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Server;
using Biscuit.VirtioBlk;

const int Workers = 4;
string name = args.Length > 1 && args[0] == "serve" ? args[1] : "blk";
if (args.Length < 1 || args[0] != "serve")
{
    Console.Error.WriteLine("usage: blk-server serve NAME");
    return 2;
}

Handle deviceManager = default;
for (int slot = 0; slot < 8; slot++)
{
    var info = Handle.Initial(slot).Info();
    if (info.IsOk && info.Value.Type == CapabilityType.DeviceManager) deviceManager = Handle.Initial(slot);
}
if (deviceManager.IsNone)
{
    Console.WriteLine($"{name}: no device manager handle (manifest option `devices`)");
    return 1;
}
var interrupt = Notification.Create();
if (!interrupt.IsOk)
{
    Console.WriteLine($"{name}: no notification for the disk's interrupt: {interrupt.Error.Symbol()}");
    return 1;
}
var disk = VirtioDisk.Open(deviceManager, interrupt.Value, 1, out string reason);
if (disk == null)
{
    Console.WriteLine($"{name}: {reason}");
    return 1;
}
new Thread(disk.Run) { IsBackground = true, Name = "interrupts" }.Start();

var window = new KernelWindowGrant(VirtioDisk.SlotsAddress, (long)VirtioDisk.SlotCount * VirtioDisk.BytesPerSlot / 4096);
var server = new MessageServer(new ServerOptions { Name = name, Budgets = ServerOptions.BudgetsFrom(Biscuit.Generated.MaxLiveBudgets.All) });
new BlockService(disk, window, new KernelDirectPin()).RegisterOn(server);
Console.WriteLine($"{name}: virtio-blk disk of {disk.Sectors / 2048} MiB, queue of {disk.QueueSize} ({disk.MaxInFlight} requests in flight), " +
    $"{VirtioDisk.SlotCount} slots of {VirtioDisk.BytesPerSlot >> 10} KiB, {(disk.CanFlush ? "write cache flushed on Flush" : "no write cache")}; serving");
var endpoint = new Endpoint(Handle.Initial(0));
for (int i = 1; i < Workers; i++)
    new Thread(() => Console.WriteLine($"{name}: worker ended: {server.Run(new KernelServerTransport(endpoint))}")) { IsBackground = true }.Start();
var error = server.Run(new KernelServerTransport(endpoint));
Console.WriteLine($"{name}: server loop ended: {error}");
disk.Reset();
return 1;
