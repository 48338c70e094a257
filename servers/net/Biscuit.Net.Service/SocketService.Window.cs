// The socket data window's handlers (Biscuit.Net.Protocol/SocketWindow.cs): MapWindow grants net's
// window pages to the caller once per client run; SendFromWindow and ReceiveToWindow move a slot's
// bytes between a socket and the window, so socket data never travels in a message. The checks and
// the state are SocketWindow's; the handlers follow the service's discipline (SocketService.cs).
using Biscuit.Annotations;
using Biscuit.Lib.Server;
using Biscuit.Net.Protocol;

namespace Biscuit.Net.Service;

public sealed partial class SocketService
{
    /// <summary>The window granted now, or 0 (for tests).</summary>
    public ulong WindowId { get { lock (host.Gate) return window.Id; } }

    [RequestHandler("MapWindow")]
    public SocketWindowLayout MapWindow(ref RequestContext context, long address)
    {
        ulong badge = BadgeOf(ref context);
        lock (host.Gate) return window.Map(address, badge);
    }

    [RequestHandler("SendFromWindow")]
    public long SendFromWindow(ref RequestContext context, WindowSend request)
    {
        ulong badge = BadgeOf(ref context);
        IReadinessSignal? wake;
        long result;
        lock (host.Gate) { host.TickLocked(); result = window.Send(request, badge); wake = host.PublishLocked(); }
        host.Wake(wake);
        return result;
    }

    [RequestHandler("ReceiveToWindow")]
    public WindowReceiveReply ReceiveToWindow(ref RequestContext context, WindowReceive request)
    {
        ulong badge = BadgeOf(ref context);
        IReadinessSignal? wake;
        WindowReceiveReply result;
        lock (host.Gate) { host.TickLocked(); result = window.Receive(request, badge); wake = host.PublishLocked(); }
        host.Wake(wake);
        return result;
    }

    // The badge of the caller's capability: how the window's grantee is told from other callers.
    [AssumeAllocation(0)]
    private static ulong BadgeOf(ref RequestContext context) => context.Badge;
}
