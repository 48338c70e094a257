// nic-server serve NAME: the NIC driver on Biscuit. Finds the device manager among its initial
// handles (manifest option `devices`), claims and initialises the NIC (PciNic: e1000e, e1000 or
// 82599), gives its RX slots to the device, starts the interrupt thread, and serves the NIC
// protocol (Biscuit.Nic.Protocol) on initial handle 0 with lib's MessageServer on 3 workers (one
// of them waits in the client's Hold).
// A restarted instance does the same: the reset at start puts the device in a known state, and its
// client, whose Hold failed with EOWNERDEAD, attaches again.
// The interrupt thread: wait for the device's interrupt (polling every 100 ms, so a lost one costs
// time, not a hang), service the rings (NicService.Service), then unmask the line (irq_ack).
using System.Diagnostics;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Server;
using Biscuit.Nic;

const int Workers = 3;
int refused = DriverStartup.Prepare(args, "nic-server", "NIC", out string name, out Handle deviceManager, out Notification interrupt);
if (refused != 0) return refused;
var nic = PciNic.Open(deviceManager, interrupt, 1, out string reason);
if (nic == null)
{
    Console.WriteLine($"{name}: {reason}");
    return 1;
}

long instance = (long)((ulong)Stopwatch.GetTimestamp() * 0x9E37_79B9_7F4A_7C15UL >> 20) | 1;   // positive, new at every start
var window = new KernelSlotWindow((long)PciNic.SlotsAddress, PciNic.RxSlotPages, PciNic.TxSlotPages);
var service = new NicService(nic.Rings, nic.Device, window, h => new KernelClientSignal(h), CallerStillWaits, instance);
service.Start();
nic.Device.EnableInterrupts();
new Thread(() =>
{
    while (true)
    {
        var bits = interrupt.Wait(100);
        bool fired = bits.IsOk && bits.Value != 0;
        service.Service(fired);
        if (fired) nic.AcknowledgeInterrupt();
    }
}) { IsBackground = true, Name = "interrupts" }.Start();

var server = new MessageServer(new ServerOptions { Name = name, Budgets = ServerOptions.BudgetsFrom(Biscuit.Generated.MaxLiveBudgets.All) });
service.RegisterOn(server);
ulong mac = nic.Device.Mac;
Console.WriteLine($"{name}: {nic.Device.Model}, MAC {string.Join(":", Enumerable.Range(0, 6).Select(i => ((mac >> (8 * i)) & 0xFF).ToString("x2")))}, " +
    $"link {(nic.Device.LinkUp ? "up" : "down")}, {SlotRings.RxSlots} RX and {SlotRings.TxSlots} TX slots of {SlotRings.SlotBytes} bytes; serving");
DriverStartup.Serve(server, name, Workers);
return 1;

// ipc_reply_pending for the Hold being served: 1 while the client waits; 0 or ESRCH: it is gone.
static bool CallerStillWaits()
{
    var r = ForwardedCall.ReplyPending();
    return r.IsOk && r.Value;
}
