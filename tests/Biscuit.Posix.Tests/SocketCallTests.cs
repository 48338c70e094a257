// Sockets through ISocketNetwork (an in-memory loopback): the sockaddr_in layout, accept4 flags,
// recvfrom/sendto/recvmsg/sendmsg, options, names, shutdown, sendfile with short writes and EAGAIN,
// and the errors (ENOTSOCK, EAFNOSUPPORT, EINVAL, EBADF, EFAULT).
using System.Buffers.Binary;
using System.Text;
using static Biscuit.Posix.Tests.PosixHarness;

namespace Biscuit.Posix.Tests;

public sealed class SocketCallTests : IDisposable
{
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    private ulong Address(ushort port, uint address = 0x7f000001)
    {
        var b = SockaddrIn.Encode(new Ipv4Endpoint(address, port));
        return h.Put(b);
    }

    private int Listener(ushort port, int type = Sock.STREAM)
    {
        int fd = (int)h.Call(LinuxCall.Socket, Sock.AF_INET, (ulong)type, 0);
        Assert.True(fd >= 0);
        Assert.Equal(0, h.Call(LinuxCall.Bind, (ulong)fd, Address(port, 0), 16));
        Assert.Equal(0, h.Call(LinuxCall.Listen, (ulong)fd, 511));
        return fd;
    }

    [Fact]
    public void Sockaddr_in_holds_the_port_and_address_in_network_order()
    {
        var b = SockaddrIn.Encode(new Ipv4Endpoint(0x7f000001, 8080));
        Assert.Equal(new byte[] { 2, 0, 0x1f, 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 }, b);
        Assert.Equal(new Ipv4Endpoint(0x7f000001, 8080), SockaddrIn.Decode(b));
    }

    [Fact]
    public void Accept4_gives_a_connected_non_blocking_close_on_exec_socket_and_the_peer_address()
    {
        int listener = Listener(80);
        long client = h.Net.ConnectClient(80);
        ulong peer = h.Alloc(16), length = h.Put(BitConverter.GetBytes(16));
        int fd = (int)h.Call(LinuxCall.Accept4, (ulong)listener, peer, length, (ulong)(Sock.NONBLOCK | Sock.CLOEXEC));
        Assert.True(fd >= 0);
        Assert.Equal(16, h.GetInt(length));
        h.Net.LocalAddress(client, out var clientAddress);
        Assert.Equal(clientAddress, SockaddrIn.Decode(h.Get(peer, 16)));
        Assert.Equal(Fcntl.FD_CLOEXEC, h.Call(LinuxCall.Fcntl, (ulong)fd, Fcntl.GETFD));
        Assert.Equal(-Errno.EAGAIN, h.Call(LinuxCall.Recvfrom, (ulong)fd, h.Alloc(8), 8, 0, 0, 0));
        Assert.Equal(0, h.Call(LinuxCall.Ioctl, (ulong)listener, Ioctl.FIONBIO, h.Put(BitConverter.GetBytes(1))));
        Assert.Equal(-Errno.EAGAIN, h.Call(LinuxCall.Accept4, (ulong)listener, 0, 0, 0));   // no second connection
    }

    [Fact]
    public void Accept_with_a_short_address_buffer_writes_only_what_fits_and_the_true_length()
    {
        int listener = Listener(81);
        h.Net.ConnectClient(81);
        ulong peer = h.Put(new byte[8] { 9, 9, 9, 9, 9, 9, 9, 9 }), length = h.Put(BitConverter.GetBytes(4));
        Assert.True(h.Call(LinuxCall.Accept, (ulong)listener, peer, length) >= 0);
        Assert.Equal(16, h.GetInt(length));
        Assert.Equal(new byte[] { 2, 0, 9, 9, 9, 9, 9, 9 }.AsSpan(0, 2).ToArray(), h.Get(peer, 2));
        Assert.Equal(9, h.Get(peer, 8)[4]);
    }

    [Fact]
    public void A_blocking_accept_waits_for_a_connection()
    {
        int listener = Listener(82);
        var accept = Task.Run(() => h.Call(LinuxCall.Accept4, (ulong)listener, 0, 0, 0));
        Thread.Sleep(20);
        Assert.False(accept.IsCompleted);
        h.Net.ConnectClient(82);
        Assert.True(accept.Result >= 0);
    }

    [Fact]
    public void Data_flows_both_ways_with_recvfrom_writev_and_recvmsg()
    {
        int listener = Listener(83);
        long client = h.Net.ConnectClient(83);
        int fd = (int)h.Call(LinuxCall.Accept4, (ulong)listener, 0, 0, (ulong)Sock.NONBLOCK);
        h.Net.Send(client, "GET / HTTP/1.1\r\n\r\n"u8, null);
        ulong buffer = h.Alloc(64);
        Assert.Equal(18, h.Call(LinuxCall.Recvfrom, (ulong)fd, buffer, 64, 0, 0, 0));
        Assert.Equal("GET / HTTP/1.1\r\n\r\n", h.GetString(buffer, 18));
        Assert.Equal(5, h.Write(fd, "HTTP/"));
        var received = new byte[16];
        Assert.Equal(5, h.Net.Receive(client, received, false, out _));

        h.Net.Send(client, "abcdef"u8, null);
        ulong a = h.Alloc(2), b = h.Alloc(8), iov = h.Alloc(32), header = h.Alloc(56);
        var iovBytes = new byte[32];
        BinaryPrimitives.WriteUInt64LittleEndian(iovBytes, a);
        BinaryPrimitives.WriteUInt64LittleEndian(iovBytes.AsSpan(8), 2);
        BinaryPrimitives.WriteUInt64LittleEndian(iovBytes.AsSpan(16), b);
        BinaryPrimitives.WriteUInt64LittleEndian(iovBytes.AsSpan(24), 8);
        h.Kernel.Write(h.Process.Kernel, iov, iovBytes);
        var msg = new byte[56];
        BinaryPrimitives.WriteUInt64LittleEndian(msg.AsSpan(16), iov);
        BinaryPrimitives.WriteUInt64LittleEndian(msg.AsSpan(24), 2);
        h.Kernel.Write(h.Process.Kernel, header, msg);
        Assert.Equal(6, h.Call(LinuxCall.Recvmsg, (ulong)fd, header, 0));
        Assert.Equal("ab", h.GetString(a, 2));
        Assert.Equal("cdef", h.GetString(b, 4));
    }

    [Fact]
    public void Recvfrom_reports_end_of_stream_as_0_after_the_peer_closes()
    {
        int listener = Listener(84);
        long client = h.Net.ConnectClient(84);
        int fd = (int)h.Call(LinuxCall.Accept4, (ulong)listener, 0, 0, (ulong)Sock.NONBLOCK);
        h.Net.Close(client);
        Assert.Equal(0, h.Call(LinuxCall.Recvfrom, (ulong)fd, h.Alloc(8), 8, 0, 0, 0));
        Assert.Equal(-Errno.EPIPE, h.Write(fd, "x"));
    }

    [Fact]
    public void Socket_options_and_names_go_to_the_network()
    {
        int fd = Listener(85);
        ulong one = h.Put(BitConverter.GetBytes(1));
        Assert.Equal(0, h.Call(LinuxCall.Setsockopt, (ulong)fd, Sock.SOL_SOCKET, 2, one, 4));
        ulong value = h.Alloc(4), length = h.Put(BitConverter.GetBytes(4));
        Assert.Equal(0, h.Call(LinuxCall.Getsockopt, (ulong)fd, Sock.SOL_SOCKET, 2, value, length));
        Assert.Equal(1, h.GetInt(value));
        Assert.Equal(-Errno.ENOPROTOOPT, h.Call(LinuxCall.Setsockopt, (ulong)fd, 99, 2, one, 4));
        ulong name = h.Alloc(16), nameLength = h.Put(BitConverter.GetBytes(16));
        Assert.Equal(0, h.Call(LinuxCall.Getsockname, (ulong)fd, name, nameLength));
        Assert.Equal(85, SockaddrIn.Decode(h.Get(name, 16)).Port);
        Assert.Equal(-Errno.ENOTCONN, h.Call(LinuxCall.Getpeername, (ulong)fd, name, nameLength));
    }

    [Fact]
    public void Socket_calls_on_a_file_are_ENOTSOCK_and_on_a_closed_descriptor_EBADF()
    {
        int file = h.Open("/f", O.CREAT | O.RDWR);
        Assert.Equal(-Errno.ENOTSOCK, h.Call(LinuxCall.Listen, (ulong)file, 1));
        Assert.Equal(-Errno.ENOTSOCK, h.Call(LinuxCall.Accept4, (ulong)file, 0, 0, 0));
        Assert.Equal(-Errno.EBADF, h.Call(LinuxCall.Bind, 55, Address(1), 16));
    }

    [Fact]
    public void Bad_socket_arguments_are_EAFNOSUPPORT_EINVAL_and_EFAULT()
    {
        Assert.Equal(-Errno.EAFNOSUPPORT, h.Call(LinuxCall.Socket, Sock.AF_INET6, Sock.STREAM, 0));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Socket, Sock.AF_INET, Sock.STREAM | 0x10000000, 0));
        int fd = (int)h.Call(LinuxCall.Socket, Sock.AF_INET, Sock.STREAM, 0);
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Bind, (ulong)fd, Address(1), 8));
        Assert.Equal(-Errno.EFAULT, h.Call(LinuxCall.Bind, (ulong)fd, Unmapped, 16));
        var inet6 = new byte[16];
        inet6[0] = Sock.AF_INET6;
        Assert.Equal(-Errno.EAFNOSUPPORT, h.Call(LinuxCall.Bind, (ulong)fd, h.Put(inet6), 16));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Accept4, (ulong)fd, 0, 0, 0x1));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Shutdown, (ulong)fd, 7));
    }

    [Fact]
    public void Connect_to_a_listener_succeeds_and_to_nothing_is_ECONNREFUSED()
    {
        Listener(86);
        int fd = (int)h.Call(LinuxCall.Socket, Sock.AF_INET, Sock.STREAM, 0);
        Assert.Equal(0, h.Call(LinuxCall.Connect, (ulong)fd, Address(86), 16));
        int other = (int)h.Call(LinuxCall.Socket, Sock.AF_INET, Sock.STREAM, 0);
        Assert.Equal(-Errno.ECONNREFUSED, h.Call(LinuxCall.Connect, (ulong)other, Address(87), 16));
    }

    [Fact]
    public void Closing_the_last_descriptor_closes_the_network_socket()
    {
        int before = h.Net.OpenSockets;
        int fd = (int)h.Call(LinuxCall.Socket, Sock.AF_INET, Sock.STREAM, 0);
        int copy = (int)h.Call(LinuxCall.Dup, (ulong)fd);
        h.Call(LinuxCall.Close, (ulong)fd);
        Assert.Equal(before + 1, h.Net.OpenSockets);
        h.Call(LinuxCall.Close, (ulong)copy);
        Assert.Equal(before, h.Net.OpenSockets);
        Assert.Equal(0, h.Posix.Sockets.Count);
    }

    [Fact]
    public void Socketpair_joins_two_local_stream_ends()
    {
        ulong pair = h.Alloc(8);
        Assert.Equal(0, h.Call(LinuxCall.Socketpair, Sock.AF_UNIX, Sock.STREAM, 0, pair));
        int a = h.GetInt(pair), b = h.GetInt(pair + 4);
        h.Write(a, "ping");
        Assert.Equal("ping", h.Read(b, 10));
        h.Write(b, "pong");
        Assert.Equal("pong", h.Read(a, 10));
        h.Call(LinuxCall.Close, (ulong)a);
        Assert.Equal("", h.Read(b, 10));
        Assert.Equal(-Errno.EAFNOSUPPORT, h.Call(LinuxCall.Socketpair, Sock.AF_INET, Sock.STREAM, 0, pair));
    }

    private (int File, int Socket, long Client) SendfileSetup(int fileBytes, ushort port)
    {
        var content = Enumerable.Range(0, fileBytes).Select(i => (byte)(i * 7)).ToArray();
        int file = h.Open("/big", O.CREAT | O.RDWR);
        Assert.Equal(fileBytes, h.Call(LinuxCall.Write, (ulong)file, h.Put(content), (ulong)fileBytes));
        int listener = Listener(port);
        long client = h.Net.ConnectClient(port);
        int socket = (int)h.Call(LinuxCall.Accept4, (ulong)listener, 0, 0, (ulong)Sock.NONBLOCK);
        return (file, socket, client);
    }

    private byte[] Drain(long client)
    {
        var all = new List<byte>();
        var buffer = new byte[65536];
        long n;
        while ((n = h.Net.Receive(client, buffer, false, out _)) > 0) all.AddRange(buffer.AsSpan(0, (int)n).ToArray());
        return all.ToArray();
    }

    [Fact]
    public void Sendfile_with_an_offset_pointer_sends_the_range_and_advances_the_offset_only()
    {
        var (file, socket, client) = SendfileSetup(10000, 90);
        ulong offset = h.Put(BitConverter.GetBytes(100L));
        Assert.Equal(5000, h.Call(LinuxCall.Sendfile, (ulong)socket, (ulong)file, offset, 5000));
        Assert.Equal(5100ul, h.GetU64(offset));
        Assert.Equal(10000, h.Call(LinuxCall.Lseek, (ulong)file, 0, Seek.CUR));   // the file position did not move
        var sent = Drain(client);
        Assert.Equal(Enumerable.Range(100, 5000).Select(i => (byte)(i * 7)).ToArray(), sent);
    }

    [Fact]
    public void Sendfile_to_a_full_socket_is_a_short_write_then_EAGAIN_and_resumes_where_it_stopped()
    {
        h.Net.ReceiveCapacity = 3000;
        var (file, socket, client) = SendfileSetup(10000, 91);
        h.Call(LinuxCall.Lseek, (ulong)file, 0, Seek.SET);
        Assert.Equal(3000, h.Call(LinuxCall.Sendfile, (ulong)socket, (ulong)file, 0, 10000));
        Assert.Equal(3000, h.Call(LinuxCall.Lseek, (ulong)file, 0, Seek.CUR));
        Assert.Equal(-Errno.EAGAIN, h.Call(LinuxCall.Sendfile, (ulong)socket, (ulong)file, 0, 7000));
        var received = new List<byte>(Drain(client));
        while (true)
        {
            long n = h.Call(LinuxCall.Sendfile, (ulong)socket, (ulong)file, 0, 10000);
            if (n == 0) break;
            Assert.True(n > 0, $"sendfile answered {n}");
            received.AddRange(Drain(client));
        }
        Assert.Equal(Enumerable.Range(0, 10000).Select(i => (byte)(i * 7)).ToArray(), received.ToArray());
    }

    [Fact]
    public void Sendfile_to_a_socket_has_the_file_read_into_the_networks_own_buffer()
    {
        var (file, socket, client) = SendfileSetup(50_000, 93);
        Assert.Equal(50_000, h.Call(LinuxCall.Sendfile, (ulong)socket, (ulong)file, h.Put(BitConverter.GetBytes(0L)), 50_000));
        Assert.Equal(50_000, h.Net.FilledBytes);                 // every byte was written by the filler, none by posix's own Send
        Assert.True(h.Net.FilledSends >= 1);
        Assert.Equal(Enumerable.Range(0, 50_000).Select(i => (byte)(i * 7)).ToArray(), Drain(client));
    }

    [Fact]
    public void Sendfile_from_a_pipe_is_EINVAL_with_a_bad_offset_pointer_EFAULT_and_count_0_is_0()
    {
        var (file, socket, _) = SendfileSetup(100, 92);
        ulong fds = h.Alloc(8);
        h.Call(LinuxCall.Pipe2, fds, 0);
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Sendfile, (ulong)socket, (ulong)h.GetInt(fds), 0, 10));
        Assert.Equal(-Errno.EFAULT, h.Call(LinuxCall.Sendfile, (ulong)socket, (ulong)file, Unmapped, 10));
        Assert.Equal(0, h.Call(LinuxCall.Sendfile, (ulong)socket, (ulong)file, 0, 0));
        Assert.Equal(-Errno.EBADF, h.Call(LinuxCall.Sendfile, 77, (ulong)file, 0, 10));
    }
}
