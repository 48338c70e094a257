// The thread that carries the net server's readiness changes into posix: it hands net a
// notification (Subscribe), and after each signal drains net's queue of changed sockets
// (NetLink.DeliverEvents), which wakes the epoll/poll waiters of those sockets.
using Biscuit.Lib.Kernel;
using Biscuit.Posix.Links;

namespace Biscuit.Posix.Server;

public static class ReadinessThread
{
    /// <summary>Subscribes and starts the thread: 0, or the negated errno of the step that failed.</summary>
    public static long Start(NetLink network)
    {
        var created = Notification.Create();
        if (!created.IsOk) return -(long)created.Error;
        var notification = created.Value;
        var forNet = notification.Duplicate(Rights.Signal | Rights.Transfer);
        if (!forNet.IsOk) return -(long)forNet.Error;
        long r = network.Subscribe(forNet.Value.Handle);
        if (r < 0) return r;
        new Thread(() =>
        {
            while (true)
            {
                if (!notification.Wait(Syscalls.Forever).IsOk) continue;
                network.DeliverEvents();
            }
        }) { IsBackground = true, Name = "net readiness" }.Start();
        return 0;
    }
}
