// SIGPIPE comes with EPIPE (Processes/Signalling.cs): writes to a pipe or stream nobody reads raise
// it, MSG_NOSIGNAL sends do not, other errors never do.
using static Biscuit.Posix.Tests.PosixHarness;

namespace Biscuit.Posix.Tests;

public sealed class BrokenPipeTests : IDisposable
{
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    private (int Read, int Write) Pipe()
    {
        ulong fds = h.Alloc(8);
        Assert.Equal(0, h.Call(LinuxCall.Pipe2, fds, 0));
        return (h.GetInt(fds), h.GetInt(fds + 4));
    }

    private List<(int Signal, int Code, int Sender, int Status)> Signals => h.Kernel.Of(h.Process.Kernel).Signals;

    [Fact]
    public void A_write_to_a_pipe_without_readers_is_EPIPE_with_SIGPIPE_to_the_writer()
    {
        var (read, write) = Pipe();
        h.Call(LinuxCall.Close, (ulong)read);
        Assert.Equal(-Errno.EPIPE, h.Call(LinuxCall.Write, (ulong)write, h.Put("x"), 1));
        Assert.Equal([(Sig.SIGPIPE, Sig.SI_USER, h.Process.Pid, 0)], Signals);
    }

    [Fact]
    public void Sendmsg_with_MSG_NOSIGNAL_is_EPIPE_without_SIGPIPE_and_without_it_raises_one()
    {
        ulong pair = h.Alloc(8);
        Assert.Equal(0, h.Call(LinuxCall.Socketpair, Sock.AF_UNIX, Sock.STREAM, 0, pair));
        int a = h.GetInt(pair), b = h.GetInt(pair + 4);
        h.Call(LinuxCall.Close, (ulong)b);
        ulong data = h.Put("x"), iov = h.Alloc(16), header = h.Alloc(56);
        h.Kernel.Write(h.Process.Kernel, iov, BitConverter.GetBytes(data).Concat(BitConverter.GetBytes(1UL)).ToArray());
        var m = new byte[56];
        BitConverter.TryWriteBytes(m.AsSpan(16), iov);
        BitConverter.TryWriteBytes(m.AsSpan(24), 1UL);
        h.Kernel.Write(h.Process.Kernel, header, m);
        Assert.Equal(-Errno.EPIPE, h.Call(LinuxCall.Sendmsg, (ulong)a, header, Sock.MSG_NOSIGNAL));
        Assert.Empty(Signals);
        Assert.Equal(-Errno.EPIPE, h.Call(LinuxCall.Sendmsg, (ulong)a, header, 0));
        Assert.Equal(Sig.SIGPIPE, Assert.Single(Signals).Signal);
    }

    [Fact]
    public void Other_errors_and_other_calls_raise_no_SIGPIPE()
    {
        var (read, write) = Pipe();
        Assert.Equal(-Errno.EBADF, h.Call(LinuxCall.Write, (ulong)read, h.Put("x"), 1));
        h.Call(LinuxCall.Close, (ulong)write);
        Assert.Equal(0, h.Call(LinuxCall.Read, (ulong)read, h.Alloc(1), 1));   // end of file
        Assert.Empty(Signals);
    }
}
