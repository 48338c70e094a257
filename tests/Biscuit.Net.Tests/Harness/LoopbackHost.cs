// One stack alone, with a link that records what leaves it, driven the way the net server's event
// loop drives it: deliver the loopback datagrams that wait, then advance a virtual clock by 1 ms and
// run the timers. Every loopback test is exactly reproducible; `Link.Frames` shows whether anything
// reached the wire (nothing may, for 127.0.0.0/8 or the stack's own address).
namespace Biscuit.Net.Tests.Harness;

internal sealed class LoopbackHost
{
    public static readonly Ipv4Address Own = Ipv4Address.Parse("10.0.2.15");
    public static readonly Ipv4Address Localhost = Ipv4Address.Loopback;

    public readonly CapturingLink Link = new(MacAddress.Parse("02:00:00:00:02:0f"));
    public readonly NetStack Stack;
    public long Now;

    public LoopbackHost(Action<NetStackOptions>? configure = null)
    {
        var o = new NetStackOptions { Address = Own, PrefixLength = 24, Gateway = Ipv4Address.Parse("10.0.2.2") };
        configure?.Invoke(o);
        Stack = new NetStack(Link, o, 0);
    }

    /// <summary>Delivers loopback datagrams until none wait, then advances 1 ms; repeats (calling step
    /// after each delivery round) until done() or maxMs elapse. Returns whether done() became true.</summary>
    public bool Run(Func<bool> done, long maxMs = 10_000, Action? step = null)
    {
        long end = Now + maxMs;
        while (true)
        {
            for (int rounds = 0; Stack.LoopbackPending > 0; rounds++)
            {
                if (rounds > 100_000) throw new InvalidOperationException($"loopback datagrams never stop at t={Now}");
                Stack.DeliverLoopback();
                step?.Invoke();
                if (done()) return true;
            }
            step?.Invoke();
            if (done()) return true;
            if (Now >= end) return false;
            Now++;
            Stack.Tick(Now);
        }
    }

    /// <summary>A listening socket on address:port (Any = INADDR_ANY).</summary>
    public TcpSocket Listen(Ipv4Address address, ushort port, int backlog = 16)
    {
        var s = Stack.CreateTcpSocket();
        Assert.Equal(Errno.None, s.Bind(address, port));
        Assert.Equal(Errno.None, s.Listen(backlog));
        return s;
    }

    /// <summary>connect() to address:port and accept on `listener`: (client, accepted server side).</summary>
    public (TcpSocket Client, TcpSocket Server) Connect(TcpSocket listener, Ipv4Address address, ushort port)
    {
        var client = Stack.CreateTcpSocket();
        Assert.Equal(Errno.EINPROGRESS, client.Connect(address, port));
        TcpSocket? server = null;
        Assert.True(Run(() => (server ??= listener.Accept(out _)) != null && client.State == TcpState.Established),
            "the loopback connection was never accepted");
        return (client, server!);
    }
}
