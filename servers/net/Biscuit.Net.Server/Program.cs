// net-server: brings up the NIC, runs the TCP/IP stack on it, and offers a TCP echo service on the
// port given as its argument (default 7) — the guest side of the network tests. One thread, one
// loop: wait for the NIC's interrupt (or the stack's next timer), hand received frames to the
// stack, run its timers, serve the echo connections.
using System.Diagnostics;
using Biscuit.Lib.Kernel;
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

// The stack's view of the NIC.
sealed class NicLink(E1000Device nic) : ILinkLayer
{
    public MacAddress Mac { get; } = new(Enumerable.Range(0, 6).Aggregate(0UL, (v, i) => v | ((nic.Mac >> (8 * i)) & 0xFF) << (40 - 8 * i)));
    public int Mtu => 1500;
    public void Transmit(ReadOnlySpan<byte> frame) => nic.Transmit(frame);
}
