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
int refused = DriverStartup.Prepare(args, "blk-server", "disk", out string name, out Handle deviceManager, out Notification interrupt);
if (refused != 0) return refused;
var disk = VirtioDisk.Open(deviceManager, interrupt, 1, out string reason);
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
DriverStartup.Serve(server, name, Workers);
disk.Reset();
return 1;
