// The thread that carries the net server's readiness changes into posix: it hands net a
// notification (Subscribe), and after each signal drains net's queue of changed sockets
// (NetLink.DeliverEvents), which wakes the epoll/poll waiters of those sockets. It also watches for
// a restart of net (issue 9 item 3): an idle nginx makes no call that could fail, so when no
// check was made for CheckEveryMs the thread asks net's instance number (RestartableNetwork
// .CheckRestart), which re-creates the listening sockets on a new instance and subscribes again.
using Biscuit.Lib.Kernel;
using Biscuit.Posix.Links;

namespace Biscuit.Posix.Server;

public sealed class ReadinessThread(NetLink link)
{
    /// <summary>How often, at most, net's instance is checked (one IPC call).</summary>
    public const int CheckEveryMs = 1000;

    private Notification notification;           // set once by Start; the thread waits on it

    /// <summary>Subscribes and starts the thread: 0, or the negated errno of the step that failed.</summary>
    public long Start(RestartableNetwork network)
    {
        var created = Notification.Create();
        if (!created.IsOk) return -(long)created.Error;
        notification = created.Value;
        long r = Subscribe();
        if (r < 0) return r;
        new Thread(() =>
        {
            long lastCheck = Environment.TickCount64;
            while (true)
            {
                var bits = notification.Wait(CheckEveryMs);
                if (bits.IsOk && bits.Value != 0) link.DeliverEvents();
                if (Environment.TickCount64 - lastCheck < CheckEveryMs) continue;
                lastCheck = Environment.TickCount64;
                network.CheckRestart();
            }
        }) { IsBackground = true, Name = "net readiness" }.Start();
        return 0;
    }

    /// <summary>Hands net (a new instance, after a restart) a copy of the notification: 0 or -errno.</summary>
    public long Subscribe()
    {
        var forNet = notification.Duplicate(Rights.Signal | Rights.Transfer);
        if (!forNet.IsOk) return -(long)forNet.Error;
        long r = link.Subscribe(forNet.Value.Handle);
        forNet.Value.Handle.Close();              // net received its own copy
        return r;
    }
}
