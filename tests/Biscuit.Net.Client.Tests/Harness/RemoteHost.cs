// Helpers for the test's side of the link: stack B's sockets, and socket-service calls that must succeed.
using Biscuit.Net.Protocol;

namespace Biscuit.Net.Client.Tests.Harness;

public static class RemoteHost
{
    public const int StreamType = SocketConstants.SOCK_STREAM, DatagramType = SocketConstants.SOCK_DGRAM, Inet = SocketConstants.AF_INET;

    /// <summary>A listening TCP socket on B.</summary>
    public static TcpSocket ListenOnB(this ServiceHarness h, ushort port)
    {
        var s = h.B.CreateTcpSocket();
        Assert.Equal(Errno.None, s.Bind(port));
        Assert.Equal(Errno.None, s.Listen(16));
        return s;
    }

    /// <summary>A service socket listening on `port` of A.</summary>
    public static long ListenOnA(this ServiceHarness h, ushort port, int backlog = 16)
    {
        long id = h.Net.Socket(Inet, StreamType);
        Assert.True(id > 0, $"Socket: {id}");
        Assert.Equal(0, h.Net.Bind(id, 0, port));
        Assert.Equal(0, h.Net.Listen(id, backlog));
        return id;
    }

    /// <summary>B connects to A's `port`, and the service accepts: (B's socket, the accepted id).</summary>
    public static (TcpSocket Remote, long Id) ConnectFromB(this ServiceHarness h, long listener, ushort port)
    {
        var remote = h.B.CreateTcpSocket();
        Assert.Equal(Errno.EINPROGRESS, remote.Connect(ServiceHarness.AddressA, port));
        long id = -LinuxErrno.EAGAIN;
        Assert.True(h.AdvanceUntil(() => (id = h.Net.Accept(listener, out _, out _)) != -LinuxErrno.EAGAIN), "the connection never reached the accept queue");
        Assert.True(id > 0, $"Accept: {id}");
        return (remote, id);
    }

    /// <summary>The service connects to B's `port` and B accepts: (the service's id, B's accepted socket).</summary>
    public static (long Id, TcpSocket Remote) ConnectToB(this ServiceHarness h, TcpSocket listenerOnB, ushort port)
    {
        long id = h.Net.Socket(Inet, StreamType);
        Assert.Equal(-LinuxErrno.EINPROGRESS, h.Net.Connect(id, ServiceHarness.AddressB.Value, port));
        TcpSocket? accepted = null;
        Assert.True(h.AdvanceUntil(() => (accepted = listenerOnB.Accept(out _)) != null), "B never accepted");
        return (id, accepted!);
    }

    public static int EventsOf(List<SocketEvent> events, long id) =>
        events.Where(e => e.Id == id).Select(e => (int)e.Events).LastOrDefault(-1);
}
