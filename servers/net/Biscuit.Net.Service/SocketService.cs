// The net server's request handlers (the socket protocol of Biscuit.Net.Protocol, and NetCounters),
// registered on lib's MessageServer. Every handler follows one discipline: take StackHost.Gate, bring
// the stack's clock up to date, make one socket call, queue the readiness changes it caused, let go
// of the lock, and only then wake the subscriber. Admission control has reserved the request's
// MAXLIVE budget before the handler runs, so nothing under the lock waits for memory, and nothing
// under it waits for IPC. Budgets: tools/maxlive from these methods; stack calls carry explicit ones.
using Biscuit.Annotations;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Server;
using Biscuit.Net.Protocol;

namespace Biscuit.Net.Service;

public sealed partial class SocketService
{
    private readonly StackHost host;
    private readonly SocketCalls calls;
    private readonly SocketWindow window;     // the socket data window; guarded by host.Gate
    private readonly Func<Handle, IReadinessSignal> signalFor;
    private readonly Func<IEnumerable<(string Name, long Value)>> extraCounters;

    /// <param name="signalFor">Makes the readiness signal from the handle Subscribe received
    /// (on Biscuit: <c>h => new NotificationSignal(h)</c>).</param>
    /// <param name="extraCounters">Counters to add to NetCounters (the NIC's).</param>
    /// <param name="windowPages">The socket data window's pages (null: MapWindow answers EOPNOTSUPP).</param>
    public SocketService(StackHost host, Func<Handle, IReadinessSignal> signalFor, Func<IEnumerable<(string Name, long Value)>>? extraCounters = null,
        ISocketWindowPages? windowPages = null)
    {
        this.host = host;

        this.signalFor = signalFor;
        this.extraCounters = extraCounters ?? (() => []);
        calls = new SocketCalls(host);
        window = new SocketWindow(windowPages, calls, host.Instance);
    }

    public void RegisterOn(MessageServer server)
    {
        server.Register(SocketRequests.NetCounters, NetCounters);
        server.Register(SocketRequests.Socket, Socket);
        server.Register(SocketRequests.Bind, Bind);
        server.Register(SocketRequests.Listen, Listen);
        server.Register(SocketRequests.Accept, Accept);
        server.Register(SocketRequests.Connect, Connect);
        server.Register(SocketRequests.Send, Send);
        server.Register(SocketRequests.Receive, Receive);
        server.Register(SocketRequests.Shutdown, Shutdown);
        server.Register(SocketRequests.Close, Close);
        server.Register(SocketRequests.SetOption, SetOption);
        server.Register(SocketRequests.GetOption, GetOption);
        server.Register(SocketRequests.GetName, GetName);
        server.Register(SocketRequests.GetPeer, GetPeer);
        server.Register(SocketRequests.Subscribe, Subscribe);
        server.Register(SocketRequests.PollEvents, PollEvents);
        server.Register(SocketRequests.Readiness, Readiness);
        server.Register(SocketRequests.ResetClient, ResetClient);
        server.Register(SocketRequests.Instance, Instance);
        server.Register(SocketRequests.MapWindow, MapWindow);
        server.Register(SocketRequests.SendFromWindow, SendFromWindow);
        server.Register(SocketRequests.ReceiveToWindow, ReceiveToWindow);
    }

    [RequestHandler("Socket")]
    public long Socket(SocketCreate request)
    {
        IReadinessSignal? wake;
        long result;
        lock (host.Gate) { host.TickLocked(); result = calls.Socket(request); wake = host.PublishLocked(); }
        host.Wake(wake);
        return result;
    }

    [RequestHandler("Bind")]
    public long Bind(SocketAddressRequest request)
    {
        IReadinessSignal? wake;
        long result;
        lock (host.Gate) { host.TickLocked(); result = calls.Bind(request); wake = host.PublishLocked(); }
        host.Wake(wake);
        return result;
    }

    [RequestHandler("Listen")]
    public long Listen(SocketArgument request)
    {
        IReadinessSignal? wake;
        long result;
        lock (host.Gate) { host.TickLocked(); result = calls.Listen(request); wake = host.PublishLocked(); }
        host.Wake(wake);
        return result;
    }

    [RequestHandler("Accept")]
    public AddressReply Accept(SocketArgument request)
    {
        IReadinessSignal? wake;
        AddressReply result;
        lock (host.Gate) { host.TickLocked(); result = calls.Accept(request); wake = host.PublishLocked(); }
        host.Wake(wake);
        return result;
    }

    [RequestHandler("Connect")]
    public long Connect(SocketAddressRequest request)
    {
        IReadinessSignal? wake;
        long result;
        lock (host.Gate) { host.TickLocked(); result = calls.Connect(request); wake = host.PublishLocked(); }
        host.Wake(wake);
        return result;
    }

    [RequestHandler("Send")]
    public long Send(SendRequest request)
    {
        IReadinessSignal? wake;
        long result;
        lock (host.Gate) { host.TickLocked(); result = calls.Send(request); wake = host.PublishLocked(); }
        host.Wake(wake);
        return result;
    }

    [RequestHandler("Receive")]
    public ReceiveReply Receive(ReceiveRequest request)
    {
        IReadinessSignal? wake;
        ReceiveReply result;
        lock (host.Gate) { host.TickLocked(); result = calls.Receive(request); wake = host.PublishLocked(); }
        host.Wake(wake);
        return result;
    }

    [RequestHandler("Shutdown")]
    public long Shutdown(SocketArgument request)
    {
        IReadinessSignal? wake;
        long result;
        lock (host.Gate) { host.TickLocked(); result = calls.Shutdown(request); wake = host.PublishLocked(); }
        host.Wake(wake);
        return result;
    }

    [RequestHandler("Close")]
    public long Close(SocketArgument request)
    {
        IReadinessSignal? wake;
        long result;
        lock (host.Gate) { host.TickLocked(); result = calls.Close(request); wake = host.PublishLocked(); }
        host.Wake(wake);
        return result;
    }

    [RequestHandler("SetOption")]
    public long SetOption(OptionRequest request)
    {
        IReadinessSignal? wake;
        long result;
        lock (host.Gate) { host.TickLocked(); result = calls.SetOption(request); wake = host.PublishLocked(); }
        host.Wake(wake);
        return result;
    }

    [RequestHandler("GetOption")]
    public OptionReply GetOption(OptionRequest request)
    {
        IReadinessSignal? wake;
        OptionReply result;
        lock (host.Gate) { host.TickLocked(); result = calls.GetOption(request); wake = host.PublishLocked(); }
        host.Wake(wake);
        return result;
    }

    [RequestHandler("GetName")]
    public AddressReply GetName(SocketArgument request)
    {
        lock (host.Gate) return calls.GetName(request);
    }

    [RequestHandler("GetPeer")]
    public AddressReply GetPeer(SocketArgument request)
    {
        lock (host.Gate) return calls.GetPeer(request);
    }

    /// <summary>The request's one handle becomes the readiness signal; events already waiting wake it at once.</summary>
    [RequestHandler("Subscribe")]
    public long Subscribe(ref RequestContext context, Empty _)
    {
        var signal = SignalFromRequest(ref context);
        if (signal == null) return -LinuxErrno.EINVAL;
        IReadinessSignal? replaced;
        bool waiting;
        lock (host.Gate) replaced = host.SubscribeLocked(signal, out waiting);
        StackHost.Release(replaced);
        if (waiting) host.Wake(signal);
        return 0;
    }

    [RequestHandler("Readiness")]
    public long Readiness(SocketArgument request)
    {
        lock (host.Gate) return calls.Readiness(request);
    }

    [RequestHandler("PollEvents")]
    public EventBatch PollEvents(long max)
    {
        lock (host.Gate) return calls.PollEvents(max);
    }

    /// <summary>Every socket dropped (connections reset), the subscription forgotten (its handle
    /// released), the socket data window taken back.</summary>
    [RequestHandler("ResetClient")]
    public long ResetClient(Empty _)
    {
        IReadinessSignal? dropped;
        long result;
        lock (host.Gate)
        {
            host.TickLocked();
            result = calls.ResetAll();
            host.PublishLocked();                 // the dropped sockets' changes: none is in the table any more
            dropped = host.UnsubscribeLocked();
            window.Revoke();
        }
        StackHost.Release(dropped);
        return result;
    }

    [RequestHandler("Instance")]
    public long Instance(Empty _) => host.Instance;

    [RequestHandler("NetCounters")]
    public string NetCounters(Empty _)
    {
        var extra = ExtraCounters();
        lock (host.Gate) return calls.Counters(extra, window.Counters());
    }

    // The signal made of the request's one handle (a 24-byte wrapper), or null if it did not carry exactly one.
    [AssumeAllocation(64)]
    private IReadinessSignal? SignalFromRequest(ref RequestContext context) =>
        context.HandleCount == 1 ? signalFor(context.GetHandle(0)) : null;

    // The NIC's counters: a short list made by the program (under 1 KiB).
    [AssumeAllocation(1024)]
    private IEnumerable<(string Name, long Value)> ExtraCounters() => extraCounters();
}
