// sendmsg/recvmsg on socketpair ends (Calls/SocketCalls.cs): bytes travel as with write/read, as
// nginx's master/worker channels need; ancillary data (SCM_RIGHTS) is EOPNOTSUPP and sends nothing.
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

    [Fact]
    public void Sendmsg_with_ancillary_data_on_a_socketpair_is_EOPNOTSUPP_and_sends_nothing()
    {
        ulong pair = h.Alloc(8);
        Assert.Equal(0, h.Call(LinuxCall.Socketpair, Sock.AF_UNIX, Sock.STREAM, 0, pair));
        int a = h.GetInt(pair), b = h.GetInt(pair + 4);
        Assert.Equal(-Errno.EOPNOTSUPP, h.Call(LinuxCall.Sendmsg, (ulong)a, Message(h.Put("fd"), 2, h.Alloc(24), 24), 0));
        Assert.Equal(-Errno.EAGAIN, h.Call(LinuxCall.Recvmsg, (ulong)b, Message(h.Alloc(8), 8), Sock.MSG_DONTWAIT));
    }
}
