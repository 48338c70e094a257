// `net-server socket-echo PORT`: a TCP echo that is a client of the net server's socket service
// (the net endpoint is its initial handle 1, from the manifest's USES), doing what posix will do for
// an application: subscribe a notification, listen, and on every wake-up ask PollEvents which
// sockets changed, accept, receive and send without ever blocking in the server. The system test
// SocketServiceTests drives it from the host through QEMU's port forward.
// Each connection holds at most HoldLimit bytes received but not yet sent back; beyond that it
// stops reading until EPOLLOUT lets it send (flow control reaches the peer through TCP's window).
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Net.Protocol;

sealed class SocketEchoClient(SocketServiceClient net, Notification wakeUp, string name)
{
    private const int HoldLimit = 64 * 1024;
    private readonly Dictionary<long, Connection> connections = new();   // owner: this (single-threaded) client
    private readonly byte[] buffer = new byte[SocketLimits.MaxTransferBytes];
    private long listener;
    private long served, bytesEchoed, wakeUps, sweeps, waitErrors;

    private sealed class Connection
    {
        public readonly byte[] Held = new byte[HoldLimit];
        public int Start, Length;          // Held[Start, Start + Length) is waiting to be sent back
        public bool PeerClosed;
    }

    public static int Run(string[] args)
    {
        if (args.Length < 2 || !ushort.TryParse(args[1], out ushort port)) { Console.WriteLine("usage: net-server socket-echo PORT"); return 2; }
        var endpoint = new Endpoint(Handle.Initial(1));
        if (!endpoint.Handle.Info().IsOk) { Console.WriteLine("socket-echo: no net endpoint in handle 1 (manifest USES net)"); return 1; }
        var net = new SocketServiceClient(new ServiceClient(new KernelClientTransport(endpoint)));
        var notification = Notification.Create();
        if (!notification.IsOk) { Console.WriteLine($"socket-echo: notification_create: {notification.Error}"); return 1; }
        return new SocketEchoClient(net, notification.Value, "socket-echo").Serve(port);
    }

    private int Serve(ushort port)
    {
        var give = wakeUp.Duplicate(Rights.Signal | Rights.Transfer);
        long r = net.Subscribe(give.IsOk ? give.Value.Handle : wakeUp.Handle);
        if (r != 0) return Fail("Subscribe", r);
        listener = net.Socket(SocketConstants.AF_INET, SocketConstants.SOCK_STREAM | SocketConstants.SOCK_NONBLOCK);
        if (listener < 0) return Fail("Socket", listener);
        if ((r = net.SetOption(listener, SocketConstants.SOL_SOCKET, SocketConstants.SO_REUSEADDR, 1)) != 0) return Fail("SetOption", r);
        if ((r = net.Bind(listener, 0, port)) != 0) return Fail("Bind", r);
        if ((r = net.Listen(listener, 64)) != 0) return Fail("Listen", r);
        Console.WriteLine($"{name}: listening on port {port} through the net server's socket service (socket {listener})");

        while (true)
        {
            var woken = wakeUp.Wait(200);
            if (woken.IsOk && woken.Value != 0) { wakeUps++; DrainEvents(); }
            else
            {
                if (!woken.IsOk && woken.Error != KernelError.TimedOut && waitErrors++ == 0) Console.WriteLine($"{name}: notify_wait: {woken.Error.Symbol()}");
                sweeps++;
                ServeAll();                     // quiet for a while: look at every connection anyway
            }
        }
    }

    private void DrainEvents()
    {
        bool more = true;
        while (more)
        {
            var events = net.PollEvents(SocketLimits.MaxEventsPerBatch, out more);
            if (net.LastFailure != null) { Console.WriteLine($"{name}: PollEvents failed: {net.LastFailure}"); return; }
            foreach (var e in events)
            {
                if (e.Id == listener) AcceptAll();
                else if (connections.TryGetValue(e.Id, out var c)) ServeOne(e.Id, c);
            }
        }
    }

    private void ServeAll()
    {
        AcceptAll();
        foreach (var (id, c) in connections.ToArray()) ServeOne(id, c);
    }

    private void AcceptAll()
    {
        while (true)
        {
            long id = net.Accept(listener, out _, out _);
            if (id == -LinuxErrno.EAGAIN) return;
            if (id < 0) { Console.WriteLine($"{name}: Accept: errno {-id}"); return; }
            connections[id] = new Connection();
            served++;
            ServeOne(id, connections[id]);
        }
    }

    // Sends back what is held, reads more while there is room, closes once the peer has closed and
    // everything went back (or on an error).
    private void ServeOne(long id, Connection c)
    {
        while (true)
        {
            while (c.Length > 0)
            {
                long sent = net.Send(id, c.Held.AsSpan(c.Start, c.Length));
                if (sent == -LinuxErrno.EAGAIN) break;
                if (sent < 0) { Close(id, $"Send: errno {-sent}"); return; }
                c.Start += (int)sent;
                c.Length -= (int)sent;
                bytesEchoed += sent;
            }
            if (c.Length == 0) c.Start = 0;
            if (c.PeerClosed)
            {
                if (c.Length == 0) Close(id, null);
                return;
            }
            int room = HoldLimit - (c.Start + c.Length);
            if (room == 0) return;                              // wait for EPOLLOUT
            long n = net.Receive(id, buffer.AsSpan(0, Math.Min(room, buffer.Length)));
            if (n == -LinuxErrno.EAGAIN) return;
            if (n < 0) { Close(id, $"Receive: errno {-n}"); return; }
            if (n == 0) { c.PeerClosed = true; continue; }
            buffer.AsSpan(0, (int)n).CopyTo(c.Held.AsSpan(c.Start + c.Length));
            c.Length += (int)n;
        }
    }

    private void Close(long id, string? why)
    {
        net.Close(id);
        connections.Remove(id);
        Console.WriteLine($"{name}: connection {id} closed{(why != null ? ": " + why : "")}; {served} served, {bytesEchoed} bytes echoed, " +
                          $"{wakeUps} wake-ups by the net server, {sweeps} quiet sweeps; net: {SignalCounters()}");
    }

    private string SignalCounters() =>
        string.Join(", ", (net.Counters() ?? "").Split('\n').Where(l => l.StartsWith("readiness_", StringComparison.Ordinal)));

    private int Fail(string call, long result)
    {
        Console.WriteLine($"{name}: {call} failed: {(result < 0 ? "errno " + (-result) : result.ToString())} {net.LastFailure}");
        return 1;
    }
}
