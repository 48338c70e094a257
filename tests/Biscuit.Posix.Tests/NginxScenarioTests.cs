// The call sequence Debian's nginx (master_process off) makes to serve one file, as measured in
// ../shared/notes/linux-abi.md, played against posix: listener set-up, epoll, accept4, the request,
// openat/fstat of the file, writev of the header, sendfile of the body, close. The client is the
// loopback network's test side; the served bytes must arrive exactly.
using System.Buffers.Binary;
using System.Text;
using static Biscuit.Posix.Tests.PosixHarness;

namespace Biscuit.Posix.Tests;

public sealed class NginxScenarioTests : IDisposable
{
    private const uint EPOLLIN = 1, EPOLLOUT = 4, EPOLLRDHUP = 0x2000, EPOLLET = 0x80000000;
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    private ulong Event(uint events, ulong data)
    {
        var b = new byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(b, events);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(4), data);
        return h.Put(b);
    }

    private long Ok(long result, string what)
    {
        Assert.True(result >= 0, $"{what} answered {result}");
        return result;
    }

    [Fact]
    public void A_file_is_served_over_an_edge_triggered_connection_with_writev_and_sendfile()
    {
        var page = Enumerable.Range(0, 200_000).Select(i => (byte)('a' + i % 26)).ToArray();
        h.Call(LinuxCall.Mkdir, h.Put("/www"), 0x1ED);
        int f = h.Open("/www/index.html", O.CREAT | O.WRONLY);
        h.Call(LinuxCall.Write, (ulong)f, h.Put(page), (ulong)page.Length);
        h.Call(LinuxCall.Close, (ulong)f);
        h.Net.ReceiveCapacity = 32 * 1024;   // the client reads slowly: sendfile sees short writes

        int listener = (int)Ok(h.Call(LinuxCall.Socket, Sock.AF_INET, Sock.STREAM, 0), "socket");
        Ok(h.Call(LinuxCall.Setsockopt, (ulong)listener, Sock.SOL_SOCKET, 2, h.Put(BitConverter.GetBytes(1)), 4), "setsockopt SO_REUSEADDR");
        Ok(h.Call(LinuxCall.Ioctl, (ulong)listener, Ioctl.FIONBIO, h.Put(BitConverter.GetBytes(1))), "ioctl FIONBIO");
        Ok(h.Call(LinuxCall.Bind, (ulong)listener, h.Put(SockaddrIn.Encode(new Ipv4Endpoint(0, 80))), 16), "bind");
        Ok(h.Call(LinuxCall.Listen, (ulong)listener, 511), "listen");
        int ep = (int)Ok(h.Call(LinuxCall.EpollCreate, 512), "epoll_create");
        Ok(h.Call(LinuxCall.EpollCtl, (ulong)ep, 1, (ulong)listener, Event(EPOLLIN | EPOLLRDHUP, 1)), "epoll_ctl listener");

        long client = h.Net.ConnectClient(80);
        ulong events = h.Alloc(12 * 8);
        Assert.Equal(1, h.Call(LinuxCall.EpollWait, (ulong)ep, events, 8, 1000));
        ulong peer = h.Alloc(16), peerLength = h.Put(BitConverter.GetBytes(16));
        int connection = (int)Ok(h.Call(LinuxCall.Accept4, (ulong)listener, peer, peerLength, (ulong)Sock.NONBLOCK), "accept4");
        Assert.Equal(-Errno.EAGAIN, h.Call(LinuxCall.Accept4, (ulong)listener, peer, peerLength, (ulong)Sock.NONBLOCK));
        Ok(h.Call(LinuxCall.EpollCtl, (ulong)ep, 1, (ulong)connection, Event(EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, 2)), "epoll_ctl connection");

        h.Net.Send(client, Encoding.ASCII.GetBytes("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"), null);
        Assert.True(h.Call(LinuxCall.EpollWait, (ulong)ep, events, 8, 1000) >= 1);
        ulong request = h.Alloc(1024);
        long n = Ok(h.Call(LinuxCall.Recvfrom, (ulong)connection, request, 1024, 0, 0, 0), "recvfrom");
        Assert.StartsWith("GET /index.html", h.GetString(request, (int)n));

        int file = (int)Ok(h.Call(LinuxCall.Openat, U(At.FDCWD), h.Put("/www/index.html"), (ulong)(O.RDONLY | O.NONBLOCK), 0), "openat");
        ulong stat = h.Alloc(StatLayout.Size);
        Ok(h.Call(LinuxCall.Fstat, (ulong)file, stat), "fstat");
        long size = (long)h.GetU64(stat + 48);
        Assert.Equal(page.Length, size);

        var header = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n");
        var iov = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(iov, h.Put(header));
        BinaryPrimitives.WriteUInt64LittleEndian(iov.AsSpan(8), (ulong)header.Length);
        Assert.Equal(header.Length, h.Call(LinuxCall.Writev, (ulong)connection, h.Put(iov), 1));

        var received = new List<byte>();
        var buffer = new byte[65536];
        long offset = 0;
        int eagains = 0;
        while (offset < size)
        {
            long sent = h.Call(LinuxCall.Sendfile, (ulong)connection, (ulong)file, 0, (ulong)(size - offset));
            if (sent != -Errno.EAGAIN)
            {
                offset += Ok(sent, "sendfile");
                continue;
            }
            eagains++;   // the client reads only when the connection is full
            long got;
            while ((got = h.Net.Receive(client, buffer, false, out _)) > 0) received.AddRange(buffer.AsSpan(0, (int)got).ToArray());
        }
        Assert.True(eagains > 0, "the slow client never made sendfile answer EAGAIN");
        long last;
        while ((last = h.Net.Receive(client, buffer, false, out _)) > 0) received.AddRange(buffer.AsSpan(0, (int)last).ToArray());
        Assert.Equal(header.Concat(page).ToArray(), received.ToArray());

        Ok(h.Call(LinuxCall.Close, (ulong)file), "close file");
        Ok(h.Call(LinuxCall.Close, (ulong)connection), "close connection");
        Assert.Equal(0, h.Net.Receive(client, buffer, false, out _));   // the client sees the end of the stream
        Assert.Equal(2, h.Process.Fds.Count);                          // the listener and the epoll remain
        Assert.Equal(0, h.Fs.OpenNodeCount);
    }
}
