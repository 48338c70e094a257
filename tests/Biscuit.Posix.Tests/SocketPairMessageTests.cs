// sendmsg/recvmsg on socketpair ends (Calls/SocketCalls.cs): bytes travel as with write/read, as
// nginx's master/worker channels need, and SCM_RIGHTS passes open file descriptions (unix(7)) tied to
// the bytes they were sent with; bad control messages are refused and send nothing.
using static Biscuit.Posix.Tests.PosixHarness;

namespace Biscuit.Posix.Tests;

public sealed class SocketPairMessageTests : IDisposable
{
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    /// <summary>A msghdr with one iovec over `buffer`, and `control` bytes of ancillary data at `controlAt`.</summary>
    private ulong Message(ulong buffer, int length, ulong controlAt = 0, int control = 0)
    {
        ulong iov = h.Alloc(16), header = h.Alloc(56);
        h.Kernel.Write(h.Process.Kernel, iov, BitConverter.GetBytes(buffer).Concat(BitConverter.GetBytes((ulong)length)).ToArray());
        var m = new byte[56];
        BitConverter.TryWriteBytes(m.AsSpan(16), iov);
        BitConverter.TryWriteBytes(m.AsSpan(24), 1UL);
        BitConverter.TryWriteBytes(m.AsSpan(32), controlAt);
        BitConverter.TryWriteBytes(m.AsSpan(40), (ulong)control);
        h.Kernel.Write(h.Process.Kernel, header, m);
        return header;
    }

    [Fact]
    public void Sendmsg_and_recvmsg_carry_bytes_between_the_ends_of_a_socketpair_as_nginxs_channels_do()
    {
        ulong pair = h.Alloc(8);
        Assert.Equal(0, h.Call(LinuxCall.Socketpair, Sock.AF_UNIX, Sock.STREAM, 0, pair));
        int a = h.GetInt(pair), b = h.GetInt(pair + 4);
        Assert.Equal(7, h.Call(LinuxCall.Sendmsg, (ulong)a, Message(h.Put("command"), 7), 0));
        ulong into = h.Alloc(16), header = Message(into, 16, h.Alloc(32), 32);
        Assert.Equal(7, h.Call(LinuxCall.Recvmsg, (ulong)b, header, 0));
        Assert.Equal("command", h.GetString(into, 7));
        Assert.Equal(0UL, h.GetU64(header + 40));   // no ancillary data came
        Assert.Equal(-Errno.EAGAIN, h.Call(LinuxCall.Recvmsg, (ulong)b, header, Sock.MSG_DONTWAIT));
    }

    /// <summary>A control buffer of one cmsghdr (level, type) with `fds` as its data, `length` as cmsg_len
    /// (CMSG_LEN when null); answers (address, CMSG_SPACE).</summary>
    private (ulong At, int Space) Rights(int[] fds, int level = Sock.SOL_SOCKET, int type = Sock.SCM_RIGHTS, ulong? length = null)
    {
        int len = 16 + 4 * fds.Length, space = (len + 7) & ~7;
        var c = new byte[space];
        BitConverter.TryWriteBytes(c.AsSpan(0), length ?? (ulong)len);
        BitConverter.TryWriteBytes(c.AsSpan(8), level);
        BitConverter.TryWriteBytes(c.AsSpan(12), type);
        for (int i = 0; i < fds.Length; i++) BitConverter.TryWriteBytes(c.AsSpan(16 + 4 * i), fds[i]);
        return (h.Put(c), space);
    }

    private (int A, int B) SocketPair()
    {
        ulong pair = h.Alloc(8);
        Assert.Equal(0, h.Call(LinuxCall.Socketpair, Sock.AF_UNIX, Sock.STREAM, 0, pair));
        return (h.GetInt(pair), h.GetInt(pair + 4));
    }

    private (int Read, int Write) Pipe()
    {
        ulong fds = h.Alloc(8);
        Assert.Equal(0, h.Call(LinuxCall.Pipe2, fds, 0));
        return (h.GetInt(fds), h.GetInt(fds + 4));
    }

    private long SendWithFds(int socket, string text, params int[] fds)
    {
        var (control, space) = Rights(fds);
        return h.Call(LinuxCall.Sendmsg, (ulong)socket, Message(h.Put(text), text.Length, control, space), 0);
    }

    /// <summary>recvmsg into a 64-byte buffer with `room` bytes of control: (bytes, text, header address).</summary>
    private (long N, string Text, ulong Header) Receive(int socket, int room, int flags = 0)
    {
        ulong into = h.Alloc(64), header = Message(into, 64, room > 0 ? h.Alloc(room) : 0, room);
        long n = h.Call(LinuxCall.Recvmsg, (ulong)socket, header, (ulong)flags);
        return (n, n > 0 ? h.GetString(into, (int)n) : "", header);
    }

    private int[] ReceivedFds(ulong header)
    {
        ulong used = h.GetU64(header + 40);
        if (used == 0) return [];
        ulong control = h.GetU64(header + 32);
        Assert.Equal((ulong)Sock.SOL_SOCKET | ((ulong)Sock.SCM_RIGHTS << 32), h.GetU64(control + 8));
        int count = (int)(h.GetU64(control) - 16) / 4;
        return Enumerable.Range(0, count).Select(i => h.GetInt(control + 16 + 4 * (ulong)i)).ToArray();
    }

    private int Flags(ulong header) => h.GetInt(header + 48);

    [Fact]
    public void A_pipe_end_passed_with_SCM_RIGHTS_arrives_as_a_new_descriptor_of_the_same_pipe_even_after_the_sender_closed_its_own()
    {
        var (a, b) = SocketPair();
        var (r, w) = Pipe();
        Assert.Equal(1, SendWithFds(a, "x", w));
        Assert.Equal(0, h.Call(LinuxCall.Close, (ulong)w));   // in flight counts as open
        var (n, text, header) = Receive(b, 24);
        Assert.Equal((1L, "x"), (n, text));
        Assert.Equal(0, Flags(header));
        Assert.Equal(24UL, h.GetU64(header + 40));   // CMSG_SPACE(sizeof(int))
        int received = Assert.Single(ReceivedFds(header));
        Assert.Equal(0, h.Call(LinuxCall.Fcntl, (ulong)received, Fcntl.GETFD));
        Assert.Equal(5, h.Write(received, "hello"));
        Assert.Equal("hello", h.Read(r, 5));
        Assert.Equal(0, h.Call(LinuxCall.Close, (ulong)received));
        Assert.Equal("", h.Read(r, 5));   // the last writer went: end of file
    }

    [Fact]
    public void MSG_CMSG_CLOEXEC_makes_the_received_descriptors_close_on_exec()
    {
        var (a, b) = SocketPair();
        var (_, w) = Pipe();
        Assert.Equal(1, SendWithFds(a, "x", w, w));
        var (_, _, header) = Receive(b, 32, Sock.MSG_CMSG_CLOEXEC);
        var fds = ReceivedFds(header);
        Assert.Equal(2, fds.Length);
        Assert.All(fds, fd => Assert.Equal(Fcntl.FD_CLOEXEC, h.Call(LinuxCall.Fcntl, (ulong)fd, Fcntl.GETFD)));
    }

    [Fact]
    public void A_control_buffer_too_small_gets_MSG_CTRUNC_and_the_descriptions_that_did_not_fit_are_closed()
    {
        var (a, b) = SocketPair();
        var (r1, w1) = Pipe();
        var (r2, w2) = Pipe();
        Assert.Equal(2, SendWithFds(a, "xy", w1, w2));
        h.Call(LinuxCall.Close, (ulong)w1);
        h.Call(LinuxCall.Close, (ulong)w2);
        var (n, _, header) = Receive(b, 20);   // CMSG_LEN(sizeof(int)): room for one
        Assert.Equal(2, n);
        Assert.Equal(Sock.MSG_CTRUNC, Flags(header));
        Assert.Equal(20UL, h.GetU64(header + 40));   // CMSG_SPACE cut to the room
        int kept = Assert.Single(ReceivedFds(header));
        Assert.Equal(1, h.Write(kept, "k"));
        Assert.Equal("k", h.Read(r1, 1));
        Assert.Equal("", h.Read(r2, 1));   // the second write end was closed: end of file
    }

    [Fact]
    public void Recvmsg_without_a_control_buffer_and_plain_read_close_the_descriptions_that_came()
    {
        var (a, b) = SocketPair();
        var (r, w) = Pipe();
        Assert.Equal(1, SendWithFds(a, "x", w));
        Assert.Equal(1, SendWithFds(a, "y", w));
        h.Call(LinuxCall.Close, (ulong)w);
        var (_, text, header) = Receive(b, 0);
        Assert.Equal("x", text);
        Assert.Equal(Sock.MSG_CTRUNC, Flags(header));
        Assert.Equal(0UL, h.GetU64(header + 40));
        Assert.Equal("y", h.Read(b, 8));
        Assert.Equal("", h.Read(r, 1));
    }

    [Fact]
    public void Descriptions_arrive_with_the_first_byte_of_their_write_and_a_read_that_takes_them_stops_at_its_end()
    {
        var (a, b) = SocketPair();
        var (_, w) = Pipe();
        Assert.Equal(2, h.Write(a, "ab"));
        Assert.Equal(2, SendWithFds(a, "cd", w));
        Assert.Equal(2, h.Write(a, "ef"));
        var (_, text, header) = Receive(b, 24);
        Assert.Equal("abcd", text);   // Linux glues the earlier bytes, and stops after the write with descriptors
        Assert.Single(ReceivedFds(header));
        (_, text, header) = Receive(b, 24);
        Assert.Equal("ef", text);
        Assert.Empty(ReceivedFds(header));
    }

    [Fact]
    public void Descriptions_never_received_are_released_when_the_receiving_end_closes()
    {
        var (a, b) = SocketPair();
        var (r, w) = Pipe();
        Assert.Equal(1, SendWithFds(a, "x", w));
        h.Call(LinuxCall.Close, (ulong)w);
        Assert.Equal(-Errno.EAGAIN, ReadNonBlocking(r));   // the write end is still open, in flight
        h.Call(LinuxCall.Close, (ulong)b);
        Assert.Equal("", h.Read(r, 1));
    }

    private long ReadNonBlocking(int fd)
    {
        Assert.Equal(0, h.Call(LinuxCall.Fcntl, (ulong)fd, Fcntl.SETFL, O.NONBLOCK));
        long n = h.Call(LinuxCall.Read, (ulong)fd, h.Alloc(1), 1UL);
        Assert.Equal(0, h.Call(LinuxCall.Fcntl, (ulong)fd, Fcntl.SETFL, 0));
        return n;
    }

    [Fact]
    public void A_socketpair_end_itself_can_be_passed_and_used_by_the_receiver()
    {
        var (a, b) = SocketPair();
        var (c, d) = SocketPair();
        Assert.Equal(1, SendWithFds(a, "s", d));
        h.Call(LinuxCall.Close, (ulong)d);
        var (_, _, header) = Receive(b, 24);
        int passed = Assert.Single(ReceivedFds(header));
        Assert.Equal(4, h.Write(passed, "ping"));
        Assert.Equal("ping", h.Read(c, 4));
    }

    [Fact]
    public void More_descriptors_than_the_receivers_limit_allows_are_cut_with_MSG_CTRUNC()
    {
        var (a, b) = SocketPair();
        var (_, w) = Pipe();
        int open = h.Process.Fds.Count;
        h.Process.Fds.Limit = 6;   // 0..5: a, b, r, w and two free
        Assert.Equal(4, open);
        Assert.Equal(1, SendWithFds(a, "x", w, w, w));
        var (_, _, header) = Receive(b, 64);
        Assert.Equal(2, ReceivedFds(header).Length);
        Assert.Equal(Sock.MSG_CTRUNC, Flags(header));
    }

    [Theory]
    [InlineData(8UL)]    // cmsg_len below the 16-byte header
    [InlineData(64UL)]   // cmsg_len past the end of the 24-byte control buffer
    public void A_control_message_with_a_bad_length_is_EINVAL_and_sends_nothing(ulong length)
    {
        var (a, b) = SocketPair();
        var (_, w) = Pipe();
        var (control, space) = Rights([w], length: length);
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Sendmsg, (ulong)a, Message(h.Put("x"), 1, control, space), 0));
        Assert.Equal(-Errno.EAGAIN, h.Call(LinuxCall.Recvmsg, (ulong)b, Message(h.Alloc(8), 8), Sock.MSG_DONTWAIT));
    }

    [Fact]
    public void A_descriptor_that_is_not_open_in_the_list_is_EBADF_and_sends_nothing()
    {
        var (a, b) = SocketPair();
        Assert.Equal(-Errno.EBADF, SendWithFds(a, "x", a, 99));
        Assert.Equal(-Errno.EAGAIN, h.Call(LinuxCall.Recvmsg, (ulong)b, Message(h.Alloc(8), 8), Sock.MSG_DONTWAIT));
    }

    [Fact]
    public void More_than_SCM_MAX_FD_descriptors_in_one_message_is_EINVAL()
    {
        var (a, _) = SocketPair();
        Assert.Equal(-Errno.EINVAL, SendWithFds(a, "x", Enumerable.Repeat(a, Sock.SCM_MAX_FD + 1).ToArray()));
        Assert.Equal(1, SendWithFds(a, "x", Enumerable.Repeat(a, Sock.SCM_MAX_FD).ToArray()));
    }

    [Fact]
    public void An_unknown_SOL_SOCKET_message_type_is_EINVAL_and_SCM_CREDENTIALS_is_EOPNOTSUPP_but_other_levels_are_skipped()
    {
        var (a, b) = SocketPair();
        var (unknown, space) = Rights([0], type: 99);
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Sendmsg, (ulong)a, Message(h.Put("x"), 1, unknown, space), 0));
        var (credentials, space2) = Rights([0, 0, 0], type: Sock.SCM_CREDENTIALS);
        Assert.Equal(-Errno.EOPNOTSUPP, h.Call(LinuxCall.Sendmsg, (ulong)a, Message(h.Put("x"), 1, credentials, space2), 0));
        var (otherLevel, space3) = Rights([0], level: 0);
        Assert.Equal(1, h.Call(LinuxCall.Sendmsg, (ulong)a, Message(h.Put("x"), 1, otherLevel, space3), 0));
        var (n, _, header) = Receive(b, 24);
        Assert.Equal((1L, 0UL), (n, h.GetU64(header + 40)));
    }

    [Fact]
    public void Recv_on_a_socketpair_end_reads_its_bytes_and_MSG_DONTWAIT_with_nothing_queued_is_EAGAIN()
    {
        var (a, b) = SocketPair();
        ulong into = h.Alloc(8);
        Assert.Equal(-Errno.EAGAIN, h.Call(LinuxCall.Recvfrom, (ulong)b, into, 8UL, Sock.MSG_DONTWAIT, 0UL, 0UL));
        Assert.Equal(3, h.Write(a, "abc"));
        Assert.Equal(3, h.Call(LinuxCall.Recvfrom, (ulong)b, into, 8UL, 0UL, 0UL, 0UL));
        Assert.Equal("abc", h.GetString(into, 3));
    }
}
