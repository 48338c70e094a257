// net-server: brings up the NIC, runs the TCP/IP stack on it, and offers a TCP echo service on the
// port given as its argument (default 7) — the guest side of the network tests. One thread, one
// loop: wait for the NIC's interrupt (or the stack's next timer), hand received frames to the
// stack, run its timers, serve the echo connections.
using System.Diagnostics;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Server;
using Biscuit.Net;
using Biscuit.Nic;

ushort port = args.Length > 0 ? ushort.Parse(args[0]) : (ushort)7;
Handle deviceManager = default;
for (int slot = 0; slot < 8; slot++)
{
    var h = Handle.Initial(slot);
    var info = h.Info();
    if (info.IsOk && info.Value.Type == CapabilityType.DeviceManager) deviceManager = h;
}
if (deviceManager.IsNone) { Console.WriteLine("net: no device manager handle (manifest option `devices`)"); return 1; }
var interrupt = Notification.Create();
if (!interrupt.IsOk) { Console.WriteLine($"net: notification_create: {interrupt.Error}"); return 1; }
var nic = E1000Device.Open(deviceManager, interrupt.Value, 1, out string reason);
if (nic == null) { Console.WriteLine($"net: {reason}"); return 1; }

var clock = Stopwatch.StartNew();
var link = new NicLink(nic);
var stack = new NetStack(link, new NetStackOptions(), clock.ElapsedMilliseconds);
var listener = stack.CreateTcpSocket();
listener.Bind(port);
listener.Listen(32);
Console.WriteLine($"net: {nic.Model}, MAC {link.Mac}, 10.0.2.15/24 via 10.0.2.2, link {(nic.LinkUp ? "up" : "down")}; TCP echo on port {port}");

// Stats (GC figures, lib's standard request) and NetCounters (the stack's and the NIC's counters)
// are served on the server's endpoint by a second thread; the stack itself stays single-threaded:
// the loop publishes a snapshot of its counters once a second.
string counters = "";
var statsServer = new MessageServer(new ServerOptions { Name = "net" });
statsServer.Register(NetRequests.Counters, _ => Volatile.Read(ref counters));
new Thread(() => statsServer.Run(new KernelServerTransport(new Endpoint(Handle.Initial(0))))) { IsBackground = true }.Start();
long lastSnapshot = 0;

var connections = new List<(TcpSocket Socket, byte[] Pending, int Length)>();
long lastReport = 0, reported = -1;
var buffer = new byte[4096];
while (true)
{
    long now = clock.ElapsedMilliseconds;
    long wait = Math.Clamp(stack.NextDeadline() - now, 1, 20);
    var bits = interrupt.Value.Wait((ulong)wait);
    nic.Service(frame => stack.Receive(frame), bits.IsOk && bits.Value != 0);
    stack.Tick(clock.ElapsedMilliseconds);
    if (clock.ElapsedMilliseconds - lastReport > 5000 && nic.FramesReceived + nic.FramesSent != reported)
    {
        lastReport = clock.ElapsedMilliseconds;
        reported = nic.FramesReceived + nic.FramesSent;
        Console.WriteLine($"net: frames in {nic.FramesReceived}, out {nic.FramesSent}, dropped {nic.FramesDropped}, interrupts {nic.Interrupts}");
    }

    if (clock.ElapsedMilliseconds - lastSnapshot >= 1000)
    {
        lastSnapshot = clock.ElapsedMilliseconds;
        var pairs = stack.StatsSnapshot();
        pairs.Add(("nic_frames_in", nic.FramesReceived));
        pairs.Add(("nic_frames_out", nic.FramesSent));
        pairs.Add(("nic_frames_dropped", nic.FramesDropped));
        pairs.Add(("nic_interrupts", nic.Interrupts));
        pairs.Add(("echo_connections_open", connections.Count));
        Volatile.Write(ref counters, string.Join("\n", pairs.Select(p => $"{p.Name} {p.Value}")));
    }

    TcpSocket? accepted;
    while ((accepted = listener.Accept(out _)) != null) connections.Add((accepted, new byte[4096], 0));
    for (int i = connections.Count - 1; i >= 0; i--)
    {
        var (socket, pending, length) = connections[i];
        if (length > 0)                                  // finish echoing what did not fit before
        {
            int sent = socket.Send(pending.AsSpan(0, length));
            if (sent > 0) { Array.Copy(pending, sent, pending, 0, length - sent); length -= sent; }
            connections[i] = (socket, pending, length);
            if (length > 0) continue;
        }
        int n = socket.Receive(buffer);
        if (n > 0)
        {
            int sent = socket.Send(buffer.AsSpan(0, n));
            if (sent < 0) sent = 0;
            if (sent < n) { Array.Copy(buffer, sent, pending, 0, n - sent); connections[i] = (socket, pending, n - sent); }
        }
        else if (n == 0) { socket.Close(); connections.RemoveAt(i); }          // the peer closed: so do we
        else if (n != -(int)Errno.EAGAIN) { socket.Close(); connections.RemoveAt(i); }
    }
}

static class NetRequests
{
    // The stack's and the NIC's counters, one "name value" per line (NetStats: frames, drops by
    // reason, ARP/ICMP/UDP, TCP segments, retransmissions, zero windows, resets, opens).
    public static readonly RequestType<Empty, string> Counters = new(16, "NetCounters", idempotent: true, Codecs.Empty, Codecs.String);
}

// The stack's view of the NIC.
sealed class NicLink(E1000Device nic) : ILinkLayer
{
    public MacAddress Mac { get; } = new(Enumerable.Range(0, 6).Aggregate(0UL, (v, i) => v | ((nic.Mac >> (8 * i)) & 0xFF) << (40 - 8 * i)));
    public int Mtu => 1500;
    public void Transmit(ReadOnlySpan<byte> frame) => nic.Transmit(frame);
}
