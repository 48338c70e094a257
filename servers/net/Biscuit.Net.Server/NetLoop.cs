// The net server's threads. The event loop: wait for the NIC driver's signal that frames wait (bit 1), a request that
// queued loopback datagrams (bit 2), or the stack's next timer (at most 20 ms), then take the frames from the
// driver server (RemoteNicLink.ReceiveBatch, no lock held) and with StackHost.Gate held hand them to the stack, run its timers, deliver the loopback
// datagrams, run the built-in echo, and queue readiness changes; the subscriber is woken after the
// lock is let go. While loopback datagrams still wait the loop only polls, never sleeps. The request workers: lib's MessageServer on the server's endpoint (initial handle
// 0) serving Stats, NetCounters and the socket protocol (SocketService), with admission control by
// the MAXLIVE budgets compiled in (Biscuit.Generated.MaxLiveBudgets).
using System.Diagnostics;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Server;
using Biscuit.Net;
using Biscuit.Net.Service;

static class NetLoop
{
    /// <summary>The stack's bounds in this server: SocketBudgets' derivations assume them.</summary>
    public static NetStackOptions StackOptions() => new()
    {
        TcpMaxBuffer = SocketBudgets.MaxBufferBytes,
        TcpMaxConnections = SocketBudgets.MaxConnections,
        TcpIssSecret = RandomSecret(),
    };

    // The RFC 6528 secret for initial sequence numbers, from getrandom(2) (Linux number 318; on
    // Biscuit not cryptographic). The clock if the call fails.
    private static unsafe ulong RandomSecret()
    {
        ulong secret = 0;
        long got = Syscalls.Invoke(318, (long)&secret, sizeof(ulong), 0);
        return got == sizeof(ulong) ? secret : (ulong)Stopwatch.GetTimestamp() * 0x9E37_79B9_7F4A_7C15UL;
    }

    /// <summary>Loopback delivery rounds per turn of the loop (each round delivers what the previous
    /// one queued): enough for a request/answer exchange to complete in one turn, few enough that the
    /// NIC is served at least every few milliseconds.</summary>
    private const int LoopbackRoundsPerTurn = 16;

    /// <summary>Runs the server; `echoPort` 0 means no built-in echo. Returns only on a fatal error.</summary>
    public static int Run(ushort echoPort)
    {
        var nicEndpoint = new Endpoint(Handle.Initial(1));
        if (!nicEndpoint.Handle.Info().IsOk) { Console.WriteLine("net: no NIC driver endpoint in handle 1 (manifest USES nic)"); return 1; }
        const ulong NicBit = RemoteNicLink.FramesWaitingBit, LoopbackBit = 2;
        var interrupt = Notification.Create();
        if (!interrupt.IsOk) { Console.WriteLine($"net: notification_create: {interrupt.Error}"); return 1; }
        var link = RemoteNicLink.Connect(nicEndpoint, interrupt.Value, out string reason);
        if (link == null) { Console.WriteLine($"net: {reason}"); return 1; }

        var clock = Stopwatch.StartNew();
        var stack = new NetStack(link, StackOptions(), clock.ElapsedMilliseconds);
        long instance = (long)(RandomSecret() >> 1) | 1;     // positive; new at every start (ResetClient, Instance)
        var events = interrupt.Value;
        var host = new StackHost(stack, () => clock.ElapsedMilliseconds, instance: instance, wakeEventLoop: () => events.Signal(LoopbackBit));
        BuiltInEcho? echo = echoPort != 0 ? new BuiltInEcho(stack, echoPort) : null;

        var server = new MessageServer(new ServerOptions { Name = "net", Budgets = ServerOptions.BudgetsFrom(Biscuit.Generated.MaxLiveBudgets.All) });
        new SocketService(host, h => new NotificationSignal(h), () =>
        [
            ("nic_frames_in", Interlocked.Read(ref link.FramesIn)), ("nic_frames_out", Interlocked.Read(ref link.FramesOut)),
            ("nic_frames_dropped", Interlocked.Read(ref link.TxDropped) + Interlocked.Read(ref link.RxLost)),
            ("nic_driver_attaches", Interlocked.Read(ref link.Attaches)),
            ("readiness_signals_sent", Interlocked.Read(ref NotificationSignal.TotalSent)),
            ("readiness_signals_failed", Interlocked.Read(ref NotificationSignal.TotalFailed)),
            ("echo_connections_open", echo?.Connections ?? 0),
        ], new KernelSocketWindowPages()).RegisterOn(server);
        var endpoint = new Endpoint(Handle.Initial(0));
        for (int w = 0; w < 2; w++)
            new Thread(() => Console.WriteLine($"net: request worker ended: {server.Run(new KernelServerTransport(endpoint))}")) { IsBackground = true }.Start();

        Console.WriteLine($"net: NIC driver server instance {link.DriverInstance}, MAC {link.Mac}, 10.0.2.15/24 via 10.0.2.2; " +
                          (echo != null ? $"TCP echo on port {echoPort}; " : "") + "socket service on the endpoint");

        long lastReport = 0, reported = -1;
        long nextDeadline = 0;
        int loopbackLeft = 0;
        while (true)
        {
            long wait = loopbackLeft > 0 ? 0 : Math.Clamp(nextDeadline - clock.ElapsedMilliseconds, 1, 20);
            var bits = interrupt.Value.Wait((ulong)wait);
            bool framesWait = bits.IsOk && (bits.Value & NicBit) != 0;
            if (framesWait)
                link.ReceiveBatch((frames, lengths, n) => host.Run(s =>
                {
                    for (int i = 0; i < n; i++) s.Receive(frames[i].AsSpan(0, lengths[i]));
                }));
            host.Run(s => s.Tick(clock.ElapsedMilliseconds));
            loopbackLeft = host.DeliverLoopback(LoopbackRoundsPerTurn);
            host.Run(s =>
            {
                echo?.Serve();
                nextDeadline = s.NextDeadline();
            });
            long inOut = Interlocked.Read(ref link.FramesIn) + Interlocked.Read(ref link.FramesOut);
            if (clock.ElapsedMilliseconds - lastReport > 5000 && inOut != reported)
            {
                lastReport = clock.ElapsedMilliseconds;
                reported = inOut;
                Console.WriteLine($"net: frames in {Interlocked.Read(ref link.FramesIn)}, out {Interlocked.Read(ref link.FramesOut)}, " +
                                  $"dropped {Interlocked.Read(ref link.TxDropped) + Interlocked.Read(ref link.RxLost)}, driver attaches {Interlocked.Read(ref link.Attaches)}");
            }
        }
    }
}
